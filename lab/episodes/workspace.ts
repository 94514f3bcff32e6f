// The learner's project directory for a step (the document's flask-docker-app/): the learner files as they stand at
// that step, plus what the document's own commands leave there (a venv/, Python's __pycache__/), so that a build
// context and its .dockerignore mean what they mean on the learner's machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConfigChoice } from './run-step.ts';
import type { Episode, StepFile, Step } from './schema.ts';

/** Learner file name → the file to use instead (`--with NAME=PATH`, a wrong answer, the TUI's copy). */
export type FileOverrides = ReadonlyMap<string, string>;

export interface Workspace {
  readonly dir: string;
  /** Writes the learner files as they stand at this step; returns which source each came from. */
  prepare(step: Step, use: ConfigChoice, overrides?: FileOverrides): Map<string, string>;
  dispose(): void;
}

// Which text each learner file has at a step: the step's own files by `use` (or an override), files of earlier
// steps as finished, files of later steps as the document printed them.
export function learnerFilesAt(episode: Episode, step: Step, use: ConfigChoice, overrides: FileOverrides = new Map()): Map<string, string> {
  const at = episode.steps.indexOf(step);
  const out = new Map<string, string>();
  const names = [...new Set(episode.steps.flatMap((s) => s.files.map((f) => f.name)))];
  const declared = (name: string, i: number): StepFile | undefined => episode.steps[i]!.files.find((f) => f.name === name);
  for (const name of names) {
    if (overrides.has(name)) {
      out.set(name, overrides.get(name)!);
      continue;
    }
    const own = declared(name, at);
    if (own) {
      out.set(name, use === 'solution' ? own.solution : own.start);
      continue;
    }
    let source: string | undefined;
    for (let i = at - 1; i >= 0 && !source; i--) source = declared(name, i)?.solution;
    for (let i = at + 1; i < episode.steps.length && !source; i++) source = declared(name, i)?.start;
    out.set(name, source!);
  }
  return out;
}

// What `python3 -m venv venv` and a run of app.py leave in the project (venv without pip: ensurepip takes ~30 s).
function addProjectLeftovers(dir: string): void {
  try {
    execFileSync('python3', ['-m', 'venv', '--without-pip', join(dir, 'venv')], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // No python3 here: the workspace has no venv/ to keep out of the context, and the context check says so.
  }
  mkdirSync(join(dir, '__pycache__'), { recursive: true });
  try {
    execFileSync('python3', ['-c', 'import py_compile,sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2])', join(dir, 'app.py'), join(dir, '__pycache__', 'app.cpython.pyc')], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    writeFileSync(join(dir, '__pycache__', 'README'), 'python3 could not compile app.py here\n');
  }
}

// A fresh project directory under the system's temp dir; dispose() removes it.
export function createWorkspace(episode: Episode): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `haproxy-lab-${episode.id}-`));
  let leftovers = false;
  const makesVenv = episode.steps.some((s) => s.commands.some((c) => /\s-m venv\b/.test(c)));
  return {
    dir,
    prepare(step, use, overrides) {
      const files = learnerFilesAt(episode, step, use, overrides);
      for (const name of files.keys()) rmSync(join(dir, name), { force: true });
      for (const [name, source] of files) {
        if (!existsSync(source)) throw new Error(`${name}: no such file ${source}`);
        copyFileSync(source, join(dir, name));
      }
      // Only a document that makes a venv has one in its project (EP 10); EP 2's context stays the files alone.
      if (!leftovers && makesVenv) {
        leftovers = true;
        addProjectLeftovers(dir);
      }
      return files;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The learner's own copy of an episode's files, next to their progress (kept across runs): seeded with the files
// as the document printed them, never overwritten. Returns the directory and name → path of each file.
export function learnerDir(episode: Episode, progressFile: string): { dir: string; files: Map<string, string> } {
  const dir = join(dirname(progressFile), 'workspaces', episode.id);
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const step of episode.steps) {
    for (const f of step.files) {
      if (files.has(f.name)) continue;
      const path = join(dir, f.name);
      if (!existsSync(path)) copyFileSync(f.start, path);
      files.set(f.name, path);
    }
  }
  return { dir, files };
}
