// Proves an episode's checks can fail and can pass: on a step the learner edits, every check must fail on the
// starting config and pass on the solution; on any other step every check must pass on its config.
import { freePort } from '../runtimes/ports.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import type { ProxyDriver } from './proxy-driver.ts';
import { startEpisodeApps, selectSteps } from './run-episode.ts';
import { runStep, type StepResult } from './run-step.ts';
import type { Check, Episode } from './schema.ts';
import { proveStepFiles, type AnswerProof } from './prove-files.ts';
import { createWorkspace } from './workspace.ts';

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
  /** Steps on the learner's files: the solution, the starting files and each wrong answer. */
  readonly answers: readonly AnswerProof[];
  readonly ok: boolean;
  /** Some answers could not be judged here (no Docker). */
  readonly skipped: boolean;
  /** fail when a proof failed, else skipped when one could not run, else pass. */
  readonly status: 'pass' | 'fail' | 'skipped';
}

export interface ProveOptions {
  readonly episode: Episode;
  readonly runtime: Runtime;
  readonly driver: ProxyDriver;
  readonly steps?: readonly string[];
  readonly progress?: (line: string) => void;
  readonly onCheck?: (p: CheckProof) => void;
  readonly onAnswer?: (p: AnswerProof) => void;
  /** Passed on to every step run (Docker client, image prefix and labels: tests). */
  readonly stepOptions?: Partial<Pick<import('./run-step.ts').RunStepOptions, 'docker' | 'imagePrefix' | 'labels'>>;
}

// Runs every selected step on its starting config and (where there is one) its solution, and judges each check.
export async function proveEpisode(opts: ProveOptions): Promise<EpisodeProof> {
  const steps = selectSteps(opts.episode, opts.steps);
  const apps = await startEpisodeApps(opts.episode, opts.runtime, steps, opts.progress);
  const proofs: CheckProof[] = [];
  const runs: StepResult[] = [];
  const answers: AnswerProof[] = [];
  const workspace = steps.some((s) => s.files.length > 0) ? createWorkspace(opts.episode) : undefined;
  try {
    for (const step of steps) {
      if (step.files.length > 0) {
        const r = await proveStepFiles(step, {
          ...opts.stepOptions, episode: opts.episode, apps: apps.placements, driver: opts.driver, freePort, workspace: workspace!,
          ...(opts.progress ? { progress: opts.progress } : {}),
        }, opts.onAnswer);
        answers.push(...r.proofs);
        runs.push(...r.runs);
        continue;
      }
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
    workspace?.dispose();
    await apps.dispose();
  }
  return {
    episode: opts.episode, driver: opts.driver.name, checks: proofs, runs, answers,
    ok: proofs.every((p) => p.ok) && answers.every((a) => a.status === 'ok'),
    skipped: answers.some((a) => a.status === 'skipped'),
    status: proofs.some((p) => !p.ok) || answers.some((a) => a.status === 'wrong') ? 'fail' : answers.some((a) => a.status === 'skipped') ? 'skipped' : 'pass',
  };
}
