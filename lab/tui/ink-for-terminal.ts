// Loads ink for a real terminal. ink decides once, when its module is first evaluated, whether it runs "in CI"
// (the CI or CONTINUOUS_INTEGRATION variable set), and if so draws no live frame at all, only <Static> lines.
// The lab reaches this only when stdin and stdout are terminals, so a CI variable inherited by a learner's shell
// (or by a terminal multiplexer inside a CI job) must not blank the screen. The variables are hidden only while
// ink loads, so the backends the lab starts still see the environment they were given.
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function withCiHidden<T>(load: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const saved = CI_VARIABLES.map((name) => [name, env[name]] as const);
  for (const [name] of saved) delete env[name];
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) env[name] = value;
  }
}
