// The files of a step a learner may change, by the names the step shows them under ("block-ip.cfg"): what
// `lab run --with NAME=PATH` replaces and what the wrong-answer proofs swap in.
import { basename } from 'node:path';
import type { LearnerFile, Step } from './schema.ts';

// Every file the learner edits in this step; a step without one has nothing to replace. A step kind with files of
// its own (a Dockerfile, app.py) adds them here, and `--with` and the proofs work for them unchanged.
export function learnerFiles(step: Step): LearnerFile[] {
  const own = step.files.map((f) => ({ name: f.name, path: f.start }));
  return step.config ? [{ name: basename(step.config), path: step.config }, ...own] : own;
}

/** NAME → the file that replaces it. */
export type Replacements = ReadonlyMap<string, string>;

// The replacements that concern this step (by the names it shows), or an empty map.
export function replacementsFor(step: Step, all: Replacements): Map<string, string> {
  const names = new Set(learnerFiles(step).map((f) => f.name));
  return new Map([...all].filter(([name]) => names.has(name)));
}

// Every learner file of the step as it is judged: NAME → the replacement when there is one, else the starting file.
export function judgedFiles(step: Step, replacements: Replacements): Map<string, string> {
  return new Map(learnerFiles(step).map((f) => [f.name, replacements.get(f.name) ?? f.path]));
}
