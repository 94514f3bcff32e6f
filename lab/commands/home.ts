// `lab` with no command: the TUI's home screen (what `npm start` runs). Runtime: builtin unless --runtime says.
import type { Command } from 'commander';
import { parseRuntimeName } from '../runtimes/runtime-names.ts';

// Makes the bare `lab` open the home screen; its options stay before any subcommand so `lab run --runtime` is run's.
export function registerHome(program: Command): void {
  program
    .enablePositionalOptions()
    .option('--runtime <name>', 'where the apps run in the TUI: builtin (default), process or docker', parseRuntimeName)
    .action(async (opts: { runtime?: ReturnType<typeof parseRuntimeName> }) => {
      const { launchTui } = await import('../tui/launch.tsx');
      process.exitCode = await launchTui(opts.runtime ? { runtime: opts.runtime } : {});
    });
}
