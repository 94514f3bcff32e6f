// Which runtime runs the episodes' apps. One rule for the TUI, `lab run` and `lab up`: builtin unless --runtime
// names another (builtin needs nothing and starts at once); an explicit runtime that cannot work here is an error
// saying why. Docker steps (the learner's own images) use Docker whichever runtime runs the apps.
import { BuiltinRuntime } from './builtin.ts';
import { DockerRuntime } from './docker.ts';
import { ProcessRuntime } from './process.ts';
import type { Runtime, RuntimeName } from './runtime.ts';
import { DEFAULT_RUNTIME } from './runtime-names.ts';

export { DEFAULT_RUNTIME, parseRuntimeName, RUNTIME_NAMES } from './runtime-names.ts';

export interface RuntimeOptions {
  /** Build progress of the docker runtime. */
  readonly progress?: (line: string) => void;
}

// A runtime by name.
export function createRuntime(name: RuntimeName, opts: RuntimeOptions = {}): Runtime {
  switch (name) {
    case 'docker':
      return new DockerRuntime(opts.progress ? { progress: opts.progress } : {});
    case 'process':
      return new ProcessRuntime();
    case 'builtin':
      return new BuiltinRuntime();
  }
}

export interface PassedOver {
  readonly name: RuntimeName;
  readonly why: string;
  readonly fix: string;
}

export interface RuntimeChoice {
  readonly runtime: Runtime;
  /** What it is, e.g. "Docker 20.10.24 at unix:///var/run/docker.sock; apps build FROM ...". */
  readonly detail: string;
  /** The better runtimes that do not work here, and why. */
  readonly passedOver: readonly PassedOver[];
}

// An explicitly chosen runtime that cannot work here, with why and the fix.
export class RuntimeUnavailableError extends Error {
  constructor(
    readonly runtimeName: RuntimeName,
    readonly why: string,
    readonly fix: string,
  ) {
    super(`the ${runtimeName} runtime cannot run here: ${why}\n  Fix: ${fix}`);
    this.name = 'RuntimeUnavailableError';
  }
}

// The asked-for runtime (default builtin) when it works, else an error saying why and what to install.
export async function chooseRuntime(preferred?: RuntimeName, opts: RuntimeOptions = {}): Promise<RuntimeChoice> {
  const name = preferred ?? DEFAULT_RUNTIME;
  const runtime = createRuntime(name, opts);
  const a = await runtime.available();
  if (!a.ok) throw new RuntimeUnavailableError(name, a.why, a.fix);
  return { runtime, detail: preferred ? a.detail : `${a.detail}; the default, --runtime docker|process runs the documents' apps in containers or under python3`, passedOver: [] };
}

// One line for the user: which runtime runs and why not a better one.
export function describeChoice(choice: RuntimeChoice): string {
  const head = `runtime: ${choice.runtime.name} (${choice.detail})`;
  if (choice.passedOver.length === 0) return head;
  return [head, ...choice.passedOver.map((p) => `  not ${p.name}: ${p.why}; ${p.fix}`)].join('\n');
}
