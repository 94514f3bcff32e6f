// `lab run --with NAME=PATH`: which steps of an episode judge which replaced files. NAME is a file as the step
// shows it (learner-files.ts); without --step every step that has a file of that name runs.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { learnerFiles } from './learner-files.ts';
import type { Episode } from './schema.ts';

/** A mistake in how the command was called: a bad NAME=PATH, a missing file, a name no step has (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface WithPlan {
  /** NAME → absolute PATH. */
  readonly files: ReadonlyMap<string, string>;
  /** The step ids to run (empty when no step of this episode has any of the names). */
  readonly steps: readonly string[];
  /** Why no step runs, naming the files that exist. */
  readonly problem?: string;
}

// Parses the --with arguments and picks the steps; throws UsageError for what no run could fix.
export function resolveWith(episode: Episode, args: readonly string[], stepIds?: readonly string[]): WithPlan {
  const files = new Map<string, string>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0 || at === arg.length - 1) throw new UsageError(`--with: expected NAME=PATH (e.g. --with block-ip.cfg=answer.cfg), got '${arg}'`);
    const name = arg.slice(0, at);
    const path = resolve(arg.slice(at + 1));
    if (!existsSync(path)) throw new UsageError(`--with ${name}: no file ${arg.slice(at + 1)}`);
    if (!statSync(path).isFile()) throw new UsageError(`--with ${name}: ${arg.slice(at + 1)} is not a file`);
    if (files.has(name)) throw new UsageError(`--with: ${name} is given twice`);
    files.set(name, path);
  }
  const names = (ids?: readonly string[]): string[] => [
    ...new Set(episode.steps.filter((s) => !ids || ids.includes(s.id)).flatMap((s) => learnerFiles(s).map((f) => f.name))),
  ];
  if (stepIds && stepIds.length > 0) {
    for (const id of stepIds) {
      const step = episode.steps.find((s) => s.id === id);
      if (!step) throw new UsageError(`episode ${episode.id} has no step '${id}' (steps: ${episode.steps.map((s) => s.id).join(', ')})`);
      const own = learnerFiles(step).map((f) => f.name);
      for (const name of files.keys()) {
        if (!own.includes(name)) throw new UsageError(`--with ${name}: step ${id} of ${episode.id} has no file ${name} (its files: ${own.join(', ') || 'none'})`);
      }
    }
    return { files, steps: stepIds };
  }
  const steps = episode.steps.filter((s) => learnerFiles(s).some((f) => files.has(f.name))).map((s) => s.id);
  const unknown = [...files.keys()].filter((n) => !names().includes(n));
  const problem = unknown.length > 0
    ? `--with ${unknown.join(', ')}: no step of ${episode.id} has a file of that name (its files: ${names().join(', ') || 'none'})`
    : undefined;
  if (steps.length > 0 && problem) throw new UsageError(problem);
  return { files, steps, ...(problem ? { problem } : {}) };
}
