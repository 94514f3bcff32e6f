// The learner's progress, kept across runs in $XDG_CONFIG_HOME/haproxy-lab/progress.json (else ~/.config/...).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const PROGRESS_FORMAT = 1;

export interface StepProgress {
  /** When its checks last all passed (ISO time). */
  readonly doneAt: string;
}

export interface EpisodeProgress {
  /** Step id → when it was finished. */
  readonly steps: Readonly<Record<string, StepProgress>>;
  /** The step the learner last had open. */
  readonly current?: string;
}

export interface Progress {
  readonly format: typeof PROGRESS_FORMAT;
  readonly episodes: Readonly<Record<string, EpisodeProgress>>;
}

export const EMPTY_PROGRESS: Progress = { format: PROGRESS_FORMAT, episodes: {} };

// Where the progress file lives; LAB_CONFIG_DIR overrides the directory (tests).
export function progressPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_CONFIG_DIR) return join(env.LAB_CONFIG_DIR, 'progress.json');
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'haproxy-lab', 'progress.json');
}

// Reads the progress file; a missing, unreadable or foreign file counts as no progress (never throws).
export function readProgress(file: string = progressPath()): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return EMPTY_PROGRESS;
  }
  if (!raw || typeof raw !== 'object' || (raw as Progress).format !== PROGRESS_FORMAT) return EMPTY_PROGRESS;
  const episodes: Record<string, EpisodeProgress> = {};
  for (const [id, ep] of Object.entries((raw as { episodes?: unknown }).episodes ?? {})) {
    if (!ep || typeof ep !== 'object') continue;
    const steps: Record<string, StepProgress> = {};
    for (const [sid, s] of Object.entries((ep as { steps?: unknown }).steps ?? {})) {
      if (s && typeof s === 'object' && typeof (s as StepProgress).doneAt === 'string') steps[sid] = { doneAt: (s as StepProgress).doneAt };
    }
    const current = (ep as EpisodeProgress).current;
    episodes[id] = { steps, ...(typeof current === 'string' ? { current } : {}) };
  }
  return { format: PROGRESS_FORMAT, episodes };
}

// Writes the whole progress atomically (temp file, then rename).
export function writeProgress(p: Progress, file: string = progressPath()): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(p, null, 2) + '\n');
  renameSync(tmp, file);
}

// Marks a step finished (its checks passed) and returns the new progress.
export function markStepDone(episode: string, step: string, file: string = progressPath(), now: Date = new Date()): Progress {
  const p = readProgress(file);
  const ep = p.episodes[episode] ?? { steps: {} };
  const next: Progress = {
    ...p,
    episodes: { ...p.episodes, [episode]: { ...ep, steps: { ...ep.steps, [step]: { doneAt: now.toISOString() } } } },
  };
  writeProgress(next, file);
  return next;
}

// Remembers the step the learner has open, to reopen it next time.
export function setCurrentStep(episode: string, step: string, file: string = progressPath()): Progress {
  const p = readProgress(file);
  const ep = p.episodes[episode] ?? { steps: {} };
  const next: Progress = { ...p, episodes: { ...p.episodes, [episode]: { ...ep, current: step } } };
  writeProgress(next, file);
  return next;
}

// Forgets one episode's progress, or everything when no episode is given (`lab reset`).
export function resetProgress(episode?: string, file: string = progressPath()): Progress {
  if (episode === undefined) {
    rmSync(file, { force: true });
    return EMPTY_PROGRESS;
  }
  const p = readProgress(file);
  const { [episode]: _gone, ...rest } = p.episodes;
  const next: Progress = { ...p, episodes: rest };
  writeProgress(next, file);
  return next;
}

// Forgets that one step was finished (`lab reset EPISODE --step ID`).
export function resetStepProgress(episode: string, step: string, file: string = progressPath()): Progress {
  const p = readProgress(file);
  const ep = p.episodes[episode];
  if (!ep) return p;
  const { [step]: _gone, ...steps } = ep.steps;
  const next: Progress = { ...p, episodes: { ...p.episodes, [episode]: { ...ep, steps } } };
  writeProgress(next, file);
  return next;
}

// How many of the given step ids are done, for "3/5" on the home screen.
export function countDone(p: Progress, episode: string, stepIds: readonly string[]): number {
  const done = p.episodes[episode]?.steps ?? {};
  return stepIds.filter((id) => id in done).length;
}
