// Every command of `lab`, in the order `lab --help` lists them. Each is loaded only when needed: `lab NAME ...`
// loads NAME's module alone (the engine under `lab proxy` then runs in a small heap, without Ink, React or the
// runtimes); `lab`, `lab --help` and anything else load them all.
import type { Command } from 'commander';

export interface LazyCommand {
  /** The word after `lab`; '' for the bare `lab` (the TUI's home screen). */
  readonly name: string;
  readonly load: () => Promise<(program: Command) => void>;
}

export const commands: readonly LazyCommand[] = [
  { name: 'proxy', load: async () => (await import('./proxy.ts')).registerProxy },
  { name: 'up', load: async () => (await import('./up.ts')).registerUp },
  { name: 'down', load: async () => (await import('./down.ts')).registerDown },
  { name: 'doctor', load: async () => (await import('./doctor.ts')).registerDoctor },
  { name: '', load: async () => (await import('./home.ts')).registerHome },
  { name: 'open', load: async () => (await import('./open.ts')).registerOpen },
  { name: 'reset', load: async () => (await import('./reset.ts')).registerReset },
  { name: 'episodes', load: async () => (await import('./episodes.ts')).registerEpisodes },
  { name: 'run', load: async () => (await import('./run.ts')).registerRun },
  { name: 'curl', load: async () => (await import('./curl.ts')).registerCurl },
  { name: 'play', load: async () => (await import('./play.ts')).registerPlay },
];

// The commands to register for these arguments (argv without node and the script).
export function commandsFor(args: readonly string[]): readonly LazyCommand[] {
  const first = args[0];
  const own = first ? commands.find((c) => c.name === first) : undefined;
  return own ? [own] : commands;
}
