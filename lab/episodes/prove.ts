// Proves an episode's checks tell right from wrong. On a step the learner edits: the solution passes every check,
// the starting config and every listed wrong answer each fail at least one (with what was seen), and every check
// fails on at least one of them, so none is dead weight. On any other step every check passes on its config.
import { basename } from 'node:path';
import { freePort } from '../runtimes/ports.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import type { ProxyDriver } from './proxy-driver.ts';
import { startEpisodeApps, selectSteps } from './run-episode.ts';
import { runStep, type StepResult } from './run-step.ts';
import type { Check, CheckResult, Episode, WrongAnswer } from './schema.ts';
import { proveStepFiles, type AnswerProof } from './prove-files.ts';
import { createWorkspace } from './workspace.ts';

export interface CheckProof {
  readonly step: string;
  readonly check: Check;
  /** On an edit step: whether it failed on the starting config. Undefined elsewhere. */
  readonly failsOnStart?: boolean;
  /** On an edit step: the wrong answers (file names) it failed on. */
  readonly failsOnWrong?: readonly string[];
  /** Whether it passed on the solution (edit steps) or on the step's config. */
  readonly passes: boolean;
  readonly ok: boolean;
  /** Why it is not ok, with what was seen. */
  readonly problem?: string;
}

/** A config that must fail the step (the starting one, or a wrong answer), and the checks that caught it. */
export interface WrongProof {
  readonly step: string;
  /** "the starting config" or the wrong answer's file name. */
  readonly name: string;
  /** What is wrong with it (a wrong answer's `why`). */
  readonly why?: string;
  /** The checks that failed on it, with expected and seen: the learner's reasons. */
  readonly failed: readonly CheckResult[];
  readonly ok: boolean;
}

export interface EpisodeProof {
  readonly episode: Episode;
  readonly driver: string;
  readonly checks: readonly CheckProof[];
  readonly wrongs: readonly WrongProof[];
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
  readonly onWrong?: (p: WrongProof) => void;
  readonly onAnswer?: (p: AnswerProof) => void;
  /** Passed on to every step run (Docker client, image prefix and labels: tests). */
  readonly stepOptions?: Partial<Pick<import('./run-step.ts').RunStepOptions, 'docker' | 'imagePrefix' | 'labels'>>;
}

const START = 'the starting config';

// Runs every selected step on its starting config, its wrong answers and its solution, and judges each check.
export async function proveEpisode(opts: ProveOptions): Promise<EpisodeProof> {
  const steps = selectSteps(opts.episode, opts.steps);
  const apps = await startEpisodeApps(opts.episode, opts.runtime, steps, opts.progress);
  const proofs: CheckProof[] = [];
  const wrongProofs: WrongProof[] = [];
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
      const bad: { name: string; wrong?: WrongAnswer; run: StepResult }[] = [];
      if (step.solution) {
        bad.push({ name: START, run: await runStep({ ...common, use: 'start' }) });
        for (const w of step.wrong ?? []) bad.push({ name: basename(w.file), wrong: w, run: await runStep({ ...common, use: { file: w.file } }) });
      }
      const done = await runStep({ ...common, use: 'solution' });
      runs.push(...bad.map((b) => b.run), done);
      for (const b of bad) {
        const failed = b.run.checks.filter((c) => !c.ok);
        const p: WrongProof = { step: step.id, name: b.name, ...(b.wrong ? { why: b.wrong.why } : {}), failed, ok: failed.length > 0 };
        wrongProofs.push(p);
        opts.onWrong?.(p);
      }
      step.checks.forEach((check, i) => {
        const onDone = done.checks[i]!;
        const problems: string[] = [];
        let extra: Pick<CheckProof, 'failsOnStart' | 'failsOnWrong'> = {};
        if (step.solution) {
          const failsOnStart = !bad[0]!.run.checks[i]!.ok;
          const failsOnWrong = bad.slice(1).filter((b) => !b.run.checks[i]!.ok).map((b) => b.name);
          extra = { failsOnStart, failsOnWrong };
          if (!failsOnStart && failsOnWrong.length === 0) {
            problems.push(`passes on the starting config (${bad[0]!.run.checks[i]!.observed}) and on every wrong answer, so nothing shows it can fail; add a wrong answer it catches`);
          }
        }
        if (!onDone.ok) problems.push(`fails on ${step.solution ? 'the solution' : 'the step config'}: expected ${onDone.expected}, saw ${onDone.observed}`);
        const proof: CheckProof = {
          step: step.id, check, ...extra, passes: onDone.ok,
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
    episode: opts.episode, driver: opts.driver.name, checks: proofs, wrongs: wrongProofs, runs, answers,
    ok: proofs.every((p) => p.ok) && wrongProofs.every((w) => w.ok) && answers.every((a) => a.status === 'ok'),
    skipped: answers.some((a) => a.status === 'skipped'),
    status: proofs.some((p) => !p.ok) || wrongProofs.some((w) => !w.ok) || answers.some((a) => a.status === 'wrong') ? 'fail' : answers.some((a) => a.status === 'skipped') ? 'skipped' : 'pass',
  };
}
