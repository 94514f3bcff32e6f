// Which runtime runs the apps: docker when it can, else process when python3 has Flask, else builtin.
import { BuiltinRuntime } from './builtin.ts';
import { DockerRuntime } from './docker.ts';
import { ProcessRuntime } from './process.ts';
import type { Runtime, RuntimeName } from './runtime.ts';
import { RUNTIME_NAMES } from './runtime-names.ts';

export { parseRuntimeName, RUNTIME_NAMES } from './runtime-names.ts';

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

// The preferred runtime when it works (else an error saying why and what to install), or the first that works.
export async function chooseRuntime(preferred?: RuntimeName, opts: RuntimeOptions = {}): Promise<RuntimeChoice> {
  const order = preferred ? [preferred] : RUNTIME_NAMES;
  const passedOver: PassedOver[] = [];
  for (const name of order) {
    const runtime = createRuntime(name, opts);
    const a = await runtime.available();
    if (a.ok) return { runtime, detail: a.detail, passedOver };
    if (preferred) throw new RuntimeUnavailableError(name, a.why, a.fix);
    passedOver.push({ name, why: a.why, fix: a.fix });
  }
  // builtin is always available, so the loop returns before this.
  throw new Error('no runtime is available, not even builtin');
}

// One line for the user: which runtime runs and why not a better one.
export function describeChoice(choice: RuntimeChoice): string {
  const head = `runtime: ${choice.runtime.name} (${choice.detail})`;
  if (choice.passedOver.length === 0) return head;
  return [head, ...choice.passedOver.map((p) => `  not ${p.name}: ${p.why}; ${p.fix}`)].join('\n');
}
