// The learner's files, kept per episode and step next to the progress file (work/EPISODE/STEP/NAME), so an
// edit survives going back a step and quitting; the copy that passed the step's checks is kept apart
// (work/EPISODE/STEP/passed/NAME) so a step marked done still has the config that earned it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { progressPath } from './progress.ts';

export interface KeptFile {
  readonly episode: string;
  readonly step: string;
  /** The name the step shows, e.g. "haproxy.cfg". */
  readonly name: string;
  readonly path: string;
  /** The copy that passed the step's checks, when there is one. */
  readonly passed: string | null;
}

// Ids become directory names: only what cannot climb out or hide.
function safe(id: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new Error(`${what} '${id}' cannot name a directory of kept files`);
  return id;
}

// Root of every kept file: beside progress.json (LAB_CONFIG_DIR in tests).
export function workRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(progressPath(env)), 'work');
}

// The directory of one step's files (not created).
export function stepDir(episode: string, step: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(workRoot(env), safe(episode, 'episode'), safe(step, 'step'));
}

// Makes the step's directory and returns it.
export function ensureStepDir(episode: string, step: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = stepDir(episode, step, env);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n !== 'passed' && !n.startsWith('.') && statSync(join(dir, n)).isFile()).sort();
  } catch {
    return [];
  }
}

// Every kept file of an episode (or of one of its steps), in step-directory order.
export function keptFiles(episode: string, step?: string, env: NodeJS.ProcessEnv = process.env): KeptFile[] {
  const root = join(workRoot(env), safe(episode, 'episode'));
  let steps: string[];
  try {
    steps = step !== undefined ? [safe(step, 'step')] : readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: KeptFile[] = [];
  for (const s of steps) {
    const dir = join(root, s);
    for (const name of filesIn(dir)) {
      const passed = join(dir, 'passed', name);
      out.push({ episode, step: s, name, path: join(dir, name), passed: existsSync(passed) ? passed : null });
    }
  }
  return out;
}

// Keeps the files that just passed the step's checks as the step's passing copy.
export function keepPassed(episode: string, step: string, files: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const dir = join(ensureStepDir(episode, step, env), 'passed');
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
}

// Forgets the kept files of one step, of one episode, or of every episode; returns how many files went.
export function resetKept(episode?: string, step?: string, env: NodeJS.ProcessEnv = process.env): number {
  const root = workRoot(env);
  const target = episode === undefined ? root : step === undefined ? join(root, safe(episode, 'episode')) : stepDir(episode, step, env);
  let count = 0;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else count++;
    }
  };
  walk(target);
  rmSync(target, { recursive: true, force: true });
  return count;
}
