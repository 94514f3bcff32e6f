// `lab run EPISODE...`: replay every step's experiments headless, judge its checks, exit 1 when one fails.
import type { Command } from 'commander';
import type { EpisodeProof } from '../episodes/prove.ts';
import type { EpisodeResult } from '../episodes/run-episode.ts';
import type { ProxyDriver } from '../episodes/proxy-driver.ts';
import type { StepResult } from '../episodes/run-step.ts';
import type { Episode } from '../episodes/schema.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { parseRuntimeName } from '../runtimes/runtime-names.ts';

export interface RunOptions {
  readonly runtime?: RuntimeName;
  readonly proxy?: 'engine' | 'haproxy';
  readonly json?: boolean;
  readonly prove?: boolean;
  readonly step?: readonly string[];
  readonly start?: boolean;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

// Which proxy runs the configs; haproxy only when the binary is here.
export async function pickDriver(name: string | undefined): Promise<ProxyDriver> {
  if (name === undefined || name === 'engine') return (await import('../episodes/engine-driver.ts')).engineDriver;
  if (name === 'haproxy') {
    const { haproxyAvailable, haproxyDriver } = await import('../episodes/haproxy-driver.ts');
    if (!haproxyAvailable()) throw new Error('--proxy haproxy: no `haproxy` binary on PATH; install it (Debian: apt-get install haproxy) or use --proxy engine');
    return haproxyDriver;
  }
  throw new Error(`--proxy: expected engine or haproxy, got '${name}'`);
}

// Runs (or proves) the episodes and returns the exit code: 0 when every check passed.
export async function runCommand(ids: readonly string[], opts: RunOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const err = opts.err ?? ((l: string) => console.error(l));
  // In --json mode stdout carries only the JSON; progress goes to stderr.
  const say = opts.json ? err : out;
  const driver = await pickDriver(opts.proxy);
  // The episodes' machinery (YAML, the runtimes, the engine) loads here, not with `lab --help`.
  const [{ loadAllEpisodes, loadEpisode }, { proveEpisode }, { runEpisode }, { formatProof, formatStep }, { clearPortMap, writePortMap }, { chooseRuntime, describeChoice }] =
    await Promise.all([
      import('../episodes/loader.ts'),
      import('../episodes/prove.ts'),
      import('../episodes/run-episode.ts'),
      import('../episodes/format-results.ts'),
      import('../traffic/port-map.ts'),
      import('../runtimes/choose-runtime.ts'),
    ]);
  const episodes: Episode[] = ids.length === 1 && ids[0] === 'all' ? [...loadAllEpisodes().episodes] : ids.map((id) => loadEpisode(id));
  const results: (EpisodeResult | EpisodeProof)[] = [];
  for (const episode of episodes) {
    const choice = await chooseRuntime(opts.runtime, { progress: (l) => say(`  ${l}`) });
    say(`${episode.id}: ${episode.title}`);
    say(`  ${describeChoice(choice).replace(/\n/g, '\n  ')}; proxy: ${driver.name}`);
    if (opts.prove) {
      const proof = await proveEpisode({
        episode, runtime: choice.runtime, driver, ...(opts.step ? { steps: opts.step } : {}),
        progress: (l) => say(`  ${l}`),
        onCheck: (p) => say(`  ${formatProof(p)}`),
      });
      say(`  ${proof.checks.filter((c) => c.ok).length}/${proof.checks.length} checks proven`);
      results.push(proof);
      continue;
    }
    let index = 0;
    const total = opts.step?.length || episode.steps.length;
    const result = await runEpisode({
      episode, runtime: choice.runtime, driver, use: opts.start ? 'start' : 'solution',
      ...(opts.step ? { steps: opts.step } : {}),
      progress: (l) => say(`  ${l}`),
      onListening: (step, m) => writePortMap(m.portMap({ episode: episode.id, step: step.id })),
      onStep: (r) => {
        for (const l of formatStep(r, index++, total)) say(`  ${l}`);
      },
    }).finally(() => clearPortMap());
    const passed = result.steps.filter((s) => s.ok).length;
    say(`  ${passed}/${result.steps.length} steps passed`);
    results.push(result);
  }
  if (opts.json) out(JSON.stringify(results.map(toJson), null, 2));
  const ok = results.every((r) => r.ok);
  if (!ok) say('some checks failed');
  return ok ? 0 : 1;
}

function stepJson(s: StepResult): unknown {
  return {
    id: s.step.id, title: s.step.title, config: s.configFile, use: s.use, proxy: s.driver, ok: s.ok, mapping: s.mapping,
    report: s.report,
    experiments: s.experiments.map((e) => ({
      id: e.experiment.id, curl: e.experiment.curl, target: e.target,
      answers: e.observations.map((o) => ({
        status: o.status, who: o.who, backend: o.backend ?? null, server: o.server ?? null, app: o.app ?? null,
        ms: o.ms, ...(o.error ? { error: o.error } : {}), body: o.body.length > 200 ? o.body.slice(0, 200) + '...' : o.body,
      })),
      tally: e.tally.rows(),
    })),
    checks: s.checks.map((c) => ({
      kind: c.check.kind, title: c.check.title, ok: c.ok, expected: c.expected, observed: c.observed, lines: c.lines, hint: c.check.hint,
    })),
  };
}

function toJson(r: EpisodeResult | EpisodeProof): unknown {
  if ('checks' in r) {
    return {
      episode: r.episode.id, proxy: r.driver, ok: r.ok,
      checks: r.checks.map((p) => ({ step: p.step, kind: p.check.kind, title: p.check.title, failsOnStart: p.failsOnStart ?? null, passes: p.passes, ok: p.ok, problem: p.problem ?? null })),
    };
  }
  return {
    episode: r.episode.id, title: r.episode.title, runtime: r.runtime, proxy: r.driver, ok: r.ok,
    apps: r.apps.map((a) => ({ name: a.name, app: a.app, address: `127.0.0.1:${a.hostPort}`, documentPort: a.docPort })),
    steps: r.steps.map(stepJson),
  };
}

// Adds `lab run` to the program.
export function registerRun(program: Command): void {
  program
    .command('run')
    .description("run episodes headless: start their apps, replay every step's curl commands, judge the checks")
    .argument('<episode...>', 'episode ids (see `lab episodes`), or "all"')
    .option('--runtime <name>', 'docker, process or builtin (default: the first that works here)', parseRuntimeName)
    .option('--proxy <name>', 'engine (the lab\'s, default) or haproxy (the real binary)', 'engine')
    .option('--step <id...>', 'only these steps')
    .option('--start', "run each step's starting config instead of its solution (edit steps then fail)")
    .option('--prove', 'prove every check fails on the starting config and passes on the solution')
    .option('--json', 'print the results as JSON on stdout')
    .addHelpText('after', '\nThe documents\' addresses (localhost:80, :4000, app1:5001...) are mapped onto free 127.0.0.1 ports;\neach step prints the mapping. While a step runs, `lab curl http://localhost/` reaches it.')
    .action(async (ids: string[], o: RunOptions) => {
      try {
        process.exitCode = await runCommand(ids, o);
      } catch (e) {
        const { EpisodeLoadError } = await import('../episodes/schema.ts');
        if (e instanceof EpisodeLoadError) console.error(e.message);
        else console.error(`lab run: ${(e as Error).message}`);
        process.exitCode = 2;
      }
    });
}
