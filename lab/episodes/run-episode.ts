// Runs a whole episode headless (`lab run`): start its apps once on a runtime, run every step, clean up.
import { freePort } from '../runtimes/ports.ts';
import { startApps } from '../runtimes/app-group.ts';
import { tapRuntime } from '../runtimes/receipt-tap.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import type { AppPlacement, StepMapping } from './mapping.ts';
import type { ProxyDriver } from './proxy-driver.ts';
import { runStep, skippedStep, type ConfigChoice, type RunStepOptions, type StepResult, type StepStatus } from './run-step.ts';
import type { Skipped } from './docker-part.ts';
import { createWorkspace } from './workspace.ts';
import type { Episode, Step } from './schema.ts';

export interface EpisodeApps extends AsyncDisposable {
  readonly placements: readonly AppPlacement[];
  dispose(): Promise<void>;
}

// Starts, on free 127.0.0.1 ports, every app the given steps use; dispose() removes them and the runtime's leftovers.
export async function startEpisodeApps(
  episode: Episode,
  runtime: Runtime,
  steps: readonly Step[],
  progress?: (line: string) => void,
): Promise<EpisodeApps> {
  const needed = episode.apps.filter((a) => steps.some((s) => s.apps.includes(a.name)));
  // Nothing to start: leave the runtime alone (a docker runtime may have no engine to ask).
  if (needed.length === 0) {
    const none = async (): Promise<void> => {};
    return { placements: [], dispose: none, [Symbol.asyncDispose]: none };
  }
  const ports: number[] = [];
  for (let i = 0; i < needed.length; i++) {
    let p = await freePort();
    while (ports.includes(p)) p = await freePort();
    ports.push(p);
  }
  const placements: AppPlacement[] = needed.map((a, i) => ({
    name: a.name, app: a.app, docPort: a.port, addresses: a.addresses, hostPort: ports[i]!, ...(a.answers ? { answers: a.answers } : {}),
  }));
  // Behind a receipt tap, so checks can tell which instance really received each request.
  const group = await startApps(
    tapRuntime(runtime),
    placements.map((p) => ({ app: p.app, name: p.name, hostPort: p.hostPort, episode: episode.id })),
    progress,
  );
  const dispose = async (): Promise<void> => {
    await group.dispose();
    await runtime.dispose?.();
  };
  return { placements, dispose, [Symbol.asyncDispose]: dispose };
}

export interface RunEpisodeOptions {
  readonly episode: Episode;
  readonly runtime: Runtime;
  readonly driver: ProxyDriver;
  /** Which config each step runs; `lab run` uses the solutions (a finished episode). */
  readonly use: ConfigChoice | ((step: Step) => ConfigChoice);
  /** Only these step ids (default: all). */
  readonly steps?: readonly string[];
  readonly progress?: (line: string) => void;
  readonly onStep?: (r: StepResult) => void;
  readonly onListening?: (step: Step, mapping: StepMapping) => void;
  /** Passed on to every step (learner file overrides, Docker client, image prefix and labels...). */
  readonly stepOptions?: Partial<Pick<RunStepOptions, 'files' | 'docker' | 'imagePrefix' | 'labels' | 'onBuildLine' | 'onContainerLog'>>;
  /** The apps cannot run here (the docker runtime without Docker): every step that needs them is skipped. */
  readonly appsSkipped?: Skipped;
}

// fail when a step failed, else skipped when one was skipped, else pass.
export function overallStatus(statuses: readonly StepStatus[]): StepStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('skipped')) return 'skipped';
  return 'pass';
}

export interface EpisodeResult {
  readonly episode: Episode;
  readonly runtime: string;
  readonly driver: string;
  readonly apps: readonly AppPlacement[];
  readonly steps: readonly StepResult[];
  readonly ok: boolean;
  readonly status: StepStatus;
}

// The steps a list of ids selects (all when none); throws naming the known ids for an unknown one.
export function selectSteps(episode: Episode, ids?: readonly string[]): Step[] {
  if (!ids || ids.length === 0) return [...episode.steps];
  for (const id of ids) {
    if (!episode.steps.some((s) => s.id === id)) {
      throw new Error(`episode ${episode.id} has no step '${id}' (steps: ${episode.steps.map((s) => s.id).join(', ')})`);
    }
  }
  return episode.steps.filter((s) => ids.includes(s.id));
}

// Starts the apps the selected steps need, runs the steps in order, and removes the apps whatever happens.
export async function runEpisode(opts: RunEpisodeOptions): Promise<EpisodeResult> {
  const { episode } = opts;
  const steps = selectSteps(episode, opts.steps);
  const skip = opts.appsSkipped;
  // Steps that run only the learner's own containers do not need the episode's apps.
  const appSteps = skip ? steps.filter((s) => s.apps.length === 0) : steps;
  const apps = await startEpisodeApps(episode, opts.runtime, appSteps, opts.progress);
  const workspace = steps.some((s) => s.files.length > 0) ? createWorkspace(episode) : undefined;
  const results: StepResult[] = [];
  try {
    const listeners = new Map<number, number>();
    for (const step of steps) {
      if (skip && step.apps.length > 0) {
        const r = skippedStep(step, opts.driver.name, skip);
        results.push(r);
        opts.onStep?.(r);
        continue;
      }
      const use = typeof opts.use === 'function' ? opts.use(step) : opts.use;
      const r = await runStep({
        ...opts.stepOptions, ...(workspace ? { workspace } : {}), ...(opts.progress ? { progress: opts.progress } : {}),
        episode, step, use, apps: apps.placements, driver: opts.driver, freePort, listeners,
        onListening: (m) => {
          for (const [d, l] of m.listeners) listeners.set(d, l);
          opts.onListening?.(step, m);
        },
      });
      results.push(r);
      opts.onStep?.(r);
    }
  } finally {
    workspace?.dispose();
    await apps.dispose();
  }
  return {
    episode, runtime: opts.runtime.name, driver: opts.driver.name, apps: apps.placements, steps: results,
    ok: results.every((r) => r.ok), status: overallStatus(results.map((r) => r.status)),
  };
}
