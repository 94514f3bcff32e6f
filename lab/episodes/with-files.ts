// `lab run --with NAME=PATH`: which steps of an episode judge which replaced files. NAME is a file as the step
// shows it (learner-files.ts); without --step every step that has a file of that name runs. `STEP:NAME=PATH` names
// the step, for a name two different files of the episode share (EP 2's haproxy.cfg is the engine's config in two
// steps and the file copied into the haproxy-tcp image in two others: one answer cannot be right for both).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { learnerFiles } from './learner-files.ts';
import type { Episode, Step } from './schema.ts';

/** A mistake in how the command was called: a bad NAME=PATH, a missing file, a name no step has (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface WithPlan {
  /** Every argument as given ("haproxy.cfg", "in-containers:haproxy.cfg") → absolute PATH. */
  readonly files: ReadonlyMap<string, string>;
  /** The step ids to run (empty when no step of this episode has any of the names). */
  readonly steps: readonly string[];
  /** The replacements one step judges: NAME → PATH. */
  forStep(stepId: string): ReadonlyMap<string, string>;
  /** Why no step runs, naming the files that exist. */
  readonly problem?: string;
}

interface WithArg {
  readonly given: string;
  readonly step: string | null;
  readonly name: string;
  readonly path: string;
}

// What a step's file NAME is: the config the engine runs, or a file of the learner's built into an image.
const roleOf = (step: Step, name: string): string => {
  const f = learnerFiles(step).find((x) => x.name === name);
  return f && f.path === step.config ? 'the config the engine runs' : step.docker ? 'a file built into an image' : 'a file of yours';
};

function parseArg(episode: Episode, arg: string): WithArg {
  const at = arg.indexOf('=');
  if (at <= 0 || at === arg.length - 1) throw new UsageError(`--with: expected NAME=PATH or STEP:NAME=PATH (e.g. --with block-ip.cfg=answer.cfg), got '${arg}'`);
  const given = arg.slice(0, at);
  const colon = given.indexOf(':');
  const step = colon > 0 ? given.slice(0, colon) : null;
  const name = colon > 0 ? given.slice(colon + 1) : given;
  if (step !== null) {
    const s = episode.steps.find((x) => x.id === step);
    if (!s) throw new UsageError(`--with ${given}: episode ${episode.id} has no step '${step}' (steps: ${episode.steps.map((x) => x.id).join(', ')})`);
    const own = learnerFiles(s).map((f) => f.name);
    if (!own.includes(name)) throw new UsageError(`--with ${given}: step ${step} of ${episode.id} has no file ${name} (its files: ${own.join(', ') || 'none'})`);
  }
  const path = resolve(arg.slice(at + 1));
  if (!existsSync(path)) throw new UsageError(`--with ${given}: no file ${arg.slice(at + 1)}`);
  if (!statSync(path).isFile()) throw new UsageError(`--with ${given}: ${arg.slice(at + 1)} is not a file`);
  return { given, step, name, path };
}

// Parses the --with arguments and picks the steps; throws UsageError for what no run could fix.
export function resolveWith(episode: Episode, args: readonly string[], stepIds?: readonly string[]): WithPlan {
  const parsed: WithArg[] = [];
  for (const arg of args) {
    const a = parseArg(episode, arg);
    if (parsed.some((p) => p.given === a.given)) throw new UsageError(`--with: ${a.given} is given twice`);
    parsed.push(a);
  }
  const files = new Map(parsed.map((a) => [a.given, a.path]));
  const has = (s: Step, name: string): boolean => learnerFiles(s).some((f) => f.name === name);
  // The steps an argument replaces a file of: its own step, the --step ones, or every step with that name.
  const targets = (a: WithArg): Step[] =>
    episode.steps.filter((s) => (a.step ? s.id === a.step : (!stepIds?.length || stepIds.includes(s.id)) && has(s, a.name)));
  if (stepIds && stepIds.length > 0) {
    for (const a of parsed) {
      if (a.step !== null && !stepIds.includes(a.step)) throw new UsageError(`--with ${a.given}: step ${a.step} is not among --step ${stepIds.join(' ')}`);
    }
    for (const id of stepIds) {
      const step = episode.steps.find((s) => s.id === id);
      if (!step) throw new UsageError(`episode ${episode.id} has no step '${id}' (steps: ${episode.steps.map((s) => s.id).join(', ')})`);
      const own = learnerFiles(step).map((f) => f.name);
      for (const a of parsed) {
        if (a.step === null && !own.includes(a.name)) throw new UsageError(`--with ${a.name}: step ${id} of ${episode.id} has no file ${a.name} (its files: ${own.join(', ') || 'none'})`);
      }
    }
  }
  for (const a of parsed.filter((x) => x.step === null)) {
    const roles = new Map<string, string[]>();
    for (const s of targets(a)) roles.set(roleOf(s, a.name), [...(roles.get(roleOf(s, a.name)) ?? []), s.id]);
    if (roles.size > 1) {
      const which = [...roles].map(([role, ids]) => `${role} in ${ids.join(', ')}`).join('; ');
      throw new UsageError(`--with ${a.name}: ${episode.id} has two different files ${a.name} (${which}); say which step's file it is: --with ${[...roles.values()][0]![0]}:${a.name}=PATH, or --step ID`);
    }
  }
  const byStep = new Map<string, Map<string, string>>();
  for (const a of parsed) {
    for (const s of targets(a)) {
      const m = byStep.get(s.id) ?? new Map<string, string>();
      m.set(a.name, a.path);
      byStep.set(s.id, m);
    }
  }
  const forStep = (id: string): ReadonlyMap<string, string> => byStep.get(id) ?? new Map();
  if (stepIds && stepIds.length > 0) return { files, steps: stepIds, forStep };
  const names = [...new Set(episode.steps.flatMap((s) => learnerFiles(s).map((f) => f.name)))];
  const steps = episode.steps.filter((s) => byStep.has(s.id)).map((s) => s.id);
  const unknown = parsed.filter((a) => a.step === null && !names.includes(a.name)).map((a) => a.name);
  const problem = unknown.length > 0
    ? `--with ${unknown.join(', ')}: no step of ${episode.id} has a file of that name (its files: ${names.join(', ') || 'none'})`
    : undefined;
  if (steps.length > 0 && problem) throw new UsageError(problem);
  return { files, steps, forStep, ...(problem ? { problem } : {}) };
}
