// `lab episodes`: list the episodes (id, title, steps) with the learner's progress; --json for scripts.
import type { Command } from 'commander';
import { countDone, readProgress } from '../episodes/progress.ts';
import { formatEpisodeError } from '../episodes/schema.ts';

export interface EpisodesOptions {
  readonly json?: boolean;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

// Prints the list; returns 1 when an episode file is broken (it is listed as an error, the others still are).
export async function episodesCommand(opts: EpisodesOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const err = opts.err ?? ((l: string) => console.error(l));
  // The loader (and YAML) only for this command, not with `lab --help`.
  const { loadAllEpisodes } = await import('../episodes/loader.ts');
  const { episodes, errors } = loadAllEpisodes();
  const progress = readProgress();
  if (opts.json) {
    out(JSON.stringify(
      episodes.map((e) => ({
        id: e.id, title: e.title, document: e.document, steps: e.steps.length,
        done: countDone(progress, e.id, e.steps.map((s) => s.id)),
        stepList: e.steps.map((s) => ({ id: s.id, title: s.title, edit: s.solution !== null, checks: s.checks.length })),
      })),
      null, 2,
    ));
  } else {
    const w = Math.max(2, ...episodes.map((e) => e.id.length));
    for (const e of episodes) {
      const done = countDone(progress, e.id, e.steps.map((s) => s.id));
      out(`${e.id.padEnd(w)}  ${e.title}  (${e.steps.length} steps${done ? `, ${done} done` : ''})`);
      out(`${''.padEnd(w)}  ${e.document}`);
    }
    if (episodes.length > 0) out('\nOpen one with `lab open ID`, or run it headless with `lab run ID`.');
  }
  for (const e of errors) err(formatEpisodeError(e));
  return errors.length > 0 ? 1 : 0;
}

// Adds `lab episodes` to the program.
export function registerEpisodes(program: Command): void {
  program
    .command('episodes')
    .description('list the episodes (one per document) and your progress')
    .option('--json', 'print id, title and steps as JSON')
    .action(async (o: { json?: boolean }) => {
      process.exitCode = await episodesCommand(o);
    });
}
