// `lab open EPISODE [--step N]`: the TUI, straight on one episode's step.
import type { Command } from 'commander';
import { parseRuntimeName } from '../runtimes/runtime-names.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';

function stepNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--step: expected a step number from 1, got '${text}'`);
  return n;
}

// Registers `lab open`.
export function registerOpen(program: Command): void {
  program
    .command('open')
    .description('open the interactive lab on one episode (see `lab episodes` for the ids)')
    .argument('<episode>', 'episode id, e.g. ep9-weighted-rr')
    .option('--step <n>', 'start at this step (1 = first)', stepNumber)
    .option('--runtime <name>', 'where the apps run: builtin (default), process or docker', parseRuntimeName)
    .action(async (episode: string, opts: { step?: number; runtime?: RuntimeName }) => {
      const { assertEpisodeId } = await import('../episodes/loader.ts');
      try {
        assertEpisodeId(episode);
      } catch (e) {
        console.error(`lab open: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const { launchTui } = await import('../tui/launch.tsx');
      process.exitCode = await launchTui({
        ...(opts.runtime ? { runtime: opts.runtime } : {}),
        open: { episode, ...(opts.step !== undefined ? { step: opts.step - 1 } : {}) },
      });
    });
}
