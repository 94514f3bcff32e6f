// `lab reset [EPISODE] [--step ID]`: forget the learner's progress and kept files (all, one episode's, or one
// step's), after a confirmation that lists what goes.
import { createInterface } from 'node:readline/promises';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { progressPath, readProgress, resetProgress, resetStepProgress } from '../episodes/progress.ts';
import { keptFiles, resetKept, workRoot } from '../episodes/kept-files.ts';
import { readdirSync } from 'node:fs';

export interface ResetOptions {
  readonly yes?: boolean;
  /** Only this step of the episode. */
  readonly step?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream;
}

function keptEpisodes(env: NodeJS.ProcessEnv): string[] {
  try {
    return readdirSync(workRoot(env));
  } catch {
    return [];
  }
}

// Asks, then resets; returns the exit code (0 done or nothing to do, 1 declined, 2 cannot ask or bad usage).
export async function runReset(episode: string | undefined, opts: ResetOptions = {}): Promise<number> {
  const out = opts.output ?? process.stdout;
  const input = opts.input ?? process.stdin;
  const env = opts.env ?? process.env;
  const file = progressPath(env);
  if (opts.step !== undefined && episode === undefined) {
    process.stderr.write('lab reset: --step needs the episode too: lab reset EPISODE --step ID\n');
    return 2;
  }
  const p = readProgress(file);
  const ids = episode === undefined ? Object.keys(p.episodes) : Object.keys(p.episodes).filter((id) => id === episode);
  const stepDone = (id: string): string[] => Object.keys(p.episodes[id]?.steps ?? {}).filter((s) => opts.step === undefined || s === opts.step);
  const steps = ids.reduce((n, id) => n + stepDone(id).length, 0);
  let files: ReturnType<typeof keptFiles>;
  try {
    files = (episode === undefined ? keptEpisodes(env) : [episode]).flatMap((id) => keptFiles(id, opts.step, env));
  } catch (e) {
    process.stderr.write(`lab reset: ${(e as Error).message}\n`);
    return 2;
  }
  const scope = opts.step !== undefined ? `step ${opts.step} of ${episode}` : episode ?? 'every episode';
  if (steps === 0 && files.length === 0) {
    out.write(`Nothing to reset for ${scope}: no finished steps in ${file} and no kept files in ${workRoot(env)}.\n`);
    return 0;
  }
  const what = `${scope}: ${steps} finished step(s) and ${files.length} kept file(s)`;
  if (files.length > 0) {
    out.write(`Kept files of ${scope} (in ${workRoot(env)}):\n`);
    for (const f of files) out.write(`  ${relative(workRoot(env), f.path)}${f.passed ? ' (and the copy that passed)' : ''}\n`);
  }
  if (!opts.yes) {
    const again = `lab reset${episode ? ` ${episode}` : ''}${opts.step ? ` --step ${opts.step}` : ''} --yes`;
    if (!input.isTTY) {
      process.stderr.write(`lab reset: would forget ${what}, but cannot ask for confirmation without a terminal.\n  Run \`${again}\` to confirm.\n`);
      return 2;
    }
    const rl = createInterface({ input, output: out });
    const answer = await rl.question(`Forget ${what}? This cannot be undone. [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      out.write('Kept your progress and files.\n');
      return 1;
    }
  }
  if (opts.step !== undefined && episode !== undefined) {
    resetStepProgress(episode, opts.step, file);
    resetKept(episode, opts.step, env);
  } else {
    resetProgress(episode, file);
    resetKept(episode, undefined, env);
  }
  out.write(`Forgot ${what}.\n`);
  return 0;
}

// Registers `lab reset`.
export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('forget your progress and kept files (all episodes, one, or one step), after asking')
    .argument('[episode]', 'only this episode')
    .option('--step <id>', 'only this step of the episode (its kept config goes back to the start)')
    .option('-y, --yes', 'do not ask')
    .action(async (episode: string | undefined, opts: { yes?: boolean; step?: string }) => {
      process.exitCode = await runReset(episode, { yes: opts.yes === true, ...(opts.step !== undefined ? { step: opts.step } : {}) });
    });
}
