// Runs a whole episode headless (`lab run`): start its apps once on a runtime, run every step, clean up.
import { freePort } from '../runtimes/ports.ts';
import { startApps } from '../runtimes/app-group.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import type { AppPlacement } from './mapping.ts';
import type { ProxyDriver } from './proxy-driver.ts';
import { runStep, type ConfigChoice, type StepResult } from './run-step.ts';
import type { Episode, Step } from './schema.ts';
import type { StepMapping } from './mapping.ts';

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
}

export interface EpisodeResult {
  readonly episode: Episode;
  readonly runtime: string;
  readonly driver: string;
  readonly apps: readonly AppPlacement[];
  readonly steps: readonly StepResult[];
  readonly ok: boolean;
}

// Starts the apps the selected steps need, runs the steps in order, and removes the apps whatever happens.
export async function runEpisode(opts: RunEpisodeOptions): Promise<EpisodeResult> {
  const { episode } = opts;
  const steps = opts.steps ? episode.steps.filter((s) => opts.steps!.includes(s.id)) : episode.steps;
  const needed = episode.apps.filter((a) => steps.some((s) => s.apps.includes(a.name)));
  const ports: number[] = [];
  for (const _ of needed) {
    let p = await freePort();
    while (ports.includes(p)) p = await freePort();
    ports.push(p);
  }
  const placements: AppPlacement[] = needed.map((a, i) => ({
    name: a.name, app: a.app, docPort: a.port, addresses: a.addresses, hostPort: ports[i]!, ...(a.answers ? { answers: a.answers } : {}),
  }));
  const group = await startApps(
    opts.runtime,
    placements.map((p) => ({ app: p.app, name: p.name, hostPort: p.hostPort, episode: episode.id })),
    opts.progress,
  );
  const results: StepResult[] = [];
  try {
    const listeners = new Map<number, number>();
    for (const step of steps) {
      const use = typeof opts.use === 'function' ? opts.use(step) : opts.use;
      const r = await runStep({
        episode, step, use, apps: placements, driver: opts.driver, freePort, listeners,
        onListening: (m) => {
          for (const [d, l] of m.listeners) listeners.set(d, l);
          opts.onListening?.(step, m);
        },
      });
      results.push(r);
      opts.onStep?.(r);
    }
  } finally {
    await group.dispose();
    await opts.runtime.dispose?.();
  }
  return {
    episode, runtime: opts.runtime.name, driver: opts.driver.name, apps: placements, steps: results,
    ok: results.every((r) => r.ok),
  };
}
