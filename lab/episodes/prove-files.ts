// Proves a step whose subject is the learner's own files (Dockerfile, app.py, .dockerignore): its solution passes
// every check; the document's files as printed, and every wrong answer stored next to the solution, fail at least
// one check each, with the check's own words saying why.
import { runStep, type RunStepOptions, type StepResult } from './run-step.ts';
import type { CheckResult, Step } from './schema.ts';

export interface AnswerProof {
  readonly step: string;
  /** "the starting files" or "Dockerfile ← wrong/Dockerfile.no-copy". */
  readonly answer: string;
  /** Why it is wrong (the episode's words); absent for the solution. */
  readonly why?: string;
  /** Whether it must pass (the solution) or fail (everything else). */
  readonly mustPass: boolean;
  /** The checks that failed on it. */
  readonly failed: readonly CheckResult[];
  /** Skipped when the step could not run here (no Docker). */
  readonly status: 'ok' | 'wrong' | 'skipped';
  readonly problem?: string;
}

type Common = Omit<RunStepOptions, 'step' | 'use' | 'files'>;

function judge(step: Step, answer: string, mustPass: boolean, r: StepResult, why?: string): AnswerProof {
  const failed = r.checks.filter((c) => !c.ok);
  const base = { step: step.id, answer, ...(why ? { why } : {}), mustPass, failed };
  if (r.status === 'skipped') return { ...base, status: 'skipped', problem: r.skipped?.why ?? 'skipped' };
  if (mustPass && failed.length > 0) return { ...base, status: 'wrong', problem: `fails: ${failed.map((c) => `${c.check.title} (saw ${c.observed})`).join('; ')}` };
  if (!mustPass && failed.length === 0) return { ...base, status: 'wrong', problem: 'passes every check, so the checks cannot tell it from the solution' };
  return { ...base, status: 'ok' };
}

// Runs the step on its solution, its starting files and each wrong answer.
export async function proveStepFiles(step: Step, common: Common, onProof?: (p: AnswerProof) => void): Promise<{ proofs: AnswerProof[]; runs: StepResult[] }> {
  const proofs: AnswerProof[] = [];
  const runs: StepResult[] = [];
  const one = async (answer: string, use: 'start' | 'solution', files: Map<string, string>, mustPass: boolean, why?: string): Promise<void> => {
    const r = await runStep({ ...common, step, use, files });
    runs.push(r);
    const p = judge(step, answer, mustPass, r, why);
    proofs.push(p);
    onProof?.(p);
  };
  await one('the solution', 'solution', new Map(), true);
  if (proofs[0]!.status === 'skipped') return { proofs, runs };
  await one('the starting files (as the document printed them)', 'start', new Map(), false);
  for (const w of step.wrongFiles) await one(`${w.file} ← ${w.path.split('/episodes/').pop()}`, 'solution', new Map([[w.file, w.path]]), false, w.why);
  return { proofs, runs };
}

// "ok   in-a-container: app.py ← ... fails: Inside the container ... (saw ...)".
export function formatAnswerProof(p: AnswerProof): string {
  const mark = p.status === 'ok' ? 'ok  ' : p.status === 'skipped' ? 'SKIP' : 'FAIL';
  const what = p.mustPass ? 'passes every check' : `fails ${p.failed.map((c) => `"${c.check.title}"`).join(', ') || 'nothing'}`;
  const saw = !p.mustPass && p.failed[0] ? `\n       saw: ${p.failed[0].observed}` : '';
  return `${mark} ${p.step}: ${p.answer}${p.why ? ` (${p.why})` : ''} — ${p.status === 'skipped' ? p.problem : what}${p.status === 'wrong' ? `\n       ${p.problem}` : saw}`;
}
