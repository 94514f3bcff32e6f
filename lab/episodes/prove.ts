// Proves an episode's checks can fail and can pass: on a step the learner edits, every check must fail on the
// starting config and pass on the solution; on any other step every check must pass on its config.
import { freePort } from '../runtimes/ports.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import type { ProxyDriver } from './proxy-driver.ts';
import { startEpisodeApps, selectSteps } from './run-episode.ts';
import { runStep, type StepResult } from './run-step.ts';
import type { Check, Episode } from './schema.ts';

export interface CheckProof {
  readonly step: string;
  readonly check: Check;
  /** On an edit step: whether it failed on the starting config (as it must). Undefined elsewhere. */
  readonly failsOnStart?: boolean;
  /** Whether it passed on the solution (edit steps) or on the step's config. */
  readonly passes: boolean;
  readonly ok: boolean;
  /** Why it is not ok, with what was seen. */
  readonly problem?: string;
}

export interface EpisodeProof {
  readonly episode: Episode;
  readonly driver: string;
  readonly checks: readonly CheckProof[];
  readonly runs: readonly StepResult[];
  readonly ok: boolean;
}

export interface ProveOptions {
  readonly episode: Episode;
  readonly runtime: Runtime;
  readonly driver: ProxyDriver;
  readonly steps?: readonly string[];
  readonly progress?: (line: string) => void;
  readonly onCheck?: (p: CheckProof) => void;
}

// Runs every selected step on its starting config and (where there is one) its solution, and judges each check.
export async function proveEpisode(opts: ProveOptions): Promise<EpisodeProof> {
  const steps = selectSteps(opts.episode, opts.steps);
  const apps = await startEpisodeApps(opts.episode, opts.runtime, steps, opts.progress);
  const proofs: CheckProof[] = [];
  const runs: StepResult[] = [];
  try {
    for (const step of steps) {
      const common = { episode: opts.episode, step, apps: apps.placements, driver: opts.driver, freePort };
      const start = step.solution ? await runStep({ ...common, use: 'start' }) : null;
      const done = await runStep({ ...common, use: 'solution' });
      if (start) runs.push(start);
      runs.push(done);
      step.checks.forEach((check, i) => {
        const onStart = start?.checks[i];
        const onDone = done.checks[i]!;
        const failsOnStart = onStart ? !onStart.ok : undefined;
        const problems: string[] = [];
        if (failsOnStart === false) problems.push(`passes on the starting config (${onStart!.observed}), so it cannot tell the solution apart`);
        if (!onDone.ok) problems.push(`fails on ${step.solution ? 'the solution' : 'the step config'}: expected ${onDone.expected}, saw ${onDone.observed}`);
        const proof: CheckProof = {
          step: step.id, check, ...(failsOnStart !== undefined ? { failsOnStart } : {}), passes: onDone.ok,
          ok: problems.length === 0, ...(problems.length ? { problem: problems.join('; ') } : {}),
        };
        proofs.push(proof);
        opts.onCheck?.(proof);
      });
    }
  } finally {
    await apps.dispose();
  }
  return { episode: opts.episode, driver: opts.driver.name, checks: proofs, runs, ok: proofs.every((p) => p.ok) };
}
