// `lab reset [EPISODE]`: forget the learner's progress (all, or one episode's), after a confirmation.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { progressPath, readProgress, resetProgress } from '../episodes/progress.ts';

export interface ResetOptions {
  readonly yes?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream;
}

// Asks, then resets; returns the exit code (0 done or nothing to do, 1 declined, 2 cannot ask).
export async function runReset(episode: string | undefined, opts: ResetOptions = {}): Promise<number> {
  const out = opts.output ?? process.stdout;
  const input = opts.input ?? process.stdin;
  const file = progressPath(opts.env ?? process.env);
  const p = readProgress(file);
  const ids = episode === undefined ? Object.keys(p.episodes) : Object.keys(p.episodes).filter((id) => id === episode);
  const steps = ids.reduce((n, id) => n + Object.keys(p.episodes[id]!.steps).length, 0);
  if (ids.length === 0) {
    out.write(`Nothing to reset: no progress${episode ? ` for ${episode}` : ''} in ${file}.\n`);
    return 0;
  }
  const what = episode ? `the progress of ${episode} (${steps} finished step(s))` : `all progress: ${steps} finished step(s) in ${ids.length} episode(s)`;
  if (!opts.yes) {
    if (!input.isTTY) {
      process.stderr.write(`lab reset: would forget ${what}, but cannot ask for confirmation without a terminal.\n  Run \`lab reset${episode ? ` ${episode}` : ''} --yes\` to confirm.\n`);
      return 2;
    }
    const rl = createInterface({ input, output: out });
    const answer = await rl.question(`Forget ${what}? This cannot be undone. [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      out.write('Kept your progress.\n');
      return 1;
    }
  }
  resetProgress(episode, file);
  out.write(`Forgot ${what} (${file}).\n`);
  return 0;
}

// Registers `lab reset`.
export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('forget your progress (all episodes, or one), after asking')
    .argument('[episode]', 'only this episode')
    .option('-y, --yes', 'do not ask')
    .action(async (episode: string | undefined, opts: { yes?: boolean }) => {
      process.exitCode = await runReset(episode, { yes: opts.yes === true });
    });
}
