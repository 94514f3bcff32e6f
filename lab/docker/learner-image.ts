// `docker build -t TAG .` in the learner's workspace, through dockerode: the context as the CLI sends it, the
// document's FROM images mapped onto local stand-ins, and labels that tie the image to the Dockerfile it came from.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BUILDER_LABEL, LAB_LABEL, pruneDanglingLabImages } from '../runtimes/docker-images.ts';
import { pidAlive } from '../runtimes/state-dir.ts';
import { packContext, readBuildContext, type BuildContext } from './build-context.ts';
import { followBuild, type BuildOutcome } from './build-progress.ts';
import { mapFromLines } from './local-images.ts';

export const DOCKERFILE_LABEL = `${LAB_LABEL}.dockerfile-sha256`;

export interface LearnerBuild extends BuildOutcome {
  readonly tag: string;
  /** sha256 of the learner's Dockerfile as written (before the FROM mapping). */
  readonly dockerfileSha: string;
  readonly context: BuildContext;
  /** The same directory without .dockerignore, to show what it kept out. */
  readonly unignored: BuildContext;
  readonly notes: readonly string[];
}

export interface LearnerBuildOptions {
  readonly dir: string;
  readonly tag: string;
  /** The Dockerfile's name in the workspace (`docker build -f NAME`); default Dockerfile. */
  readonly dockerfile?: string;
  /** Only these files of the workspace are sent (the image's own directory in the document); all when absent. */
  readonly only?: readonly string[];
  /** Extra labels (episode, step, a test's run id). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Lab messages: the FROM mapping, the stand-in being made. */
  readonly progress?: (line: string) => void;
  /** Each line of the build as it comes. */
  readonly onLine?: (line: string) => void;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// Builds the workspace's Dockerfile; a failing build resolves with `error` set (the checks say what it means).
export async function buildLearnerImage(docker: Docker, opts: LearnerBuildOptions): Promise<LearnerBuild> {
  const progress = opts.progress ?? (() => {});
  const name = opts.dockerfile ?? 'Dockerfile';
  const file = join(opts.dir, name);
  const keep = <T extends BuildContext>(c: T): T =>
    opts.only ? { ...c, entries: c.entries.filter((e) => opts.only!.includes(e.path)), files: c.entries.filter((e) => opts.only!.includes(e.path)).length, bytes: c.entries.filter((e) => opts.only!.includes(e.path)).reduce((n, e) => n + e.size, 0) } : c;
  const context = keep(readBuildContext(opts.dir));
  const unignored = keep(readBuildContext(opts.dir, false));
  if (!existsSync(file)) {
    return { tag: opts.tag, dockerfileSha: '', context, unignored, notes: [], steps: 0, cached: 0, lines: [], ms: 0, error: `there is no ${name} in the workspace` };
  }
  const text = readFileSync(file, 'utf8');
  const mapped = await mapFromLines(docker, text, progress);
  for (const n of mapped.notes) progress(n);
  // The Dockerfile is read by the daemon even when .dockerignore lists it, as with the docker CLI.
  const withDockerfile = context.entries.some((e) => e.path === name)
    ? context
    : { ...context, entries: [...context.entries, { path: name, kind: 'file' as const, size: 0, mode: 0o644 }] };
  const tar = packContext(withDockerfile, new Map([[name, mapped.text]]));
  const dockerfileSha = sha256(text);
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
    t: opts.tag,
    dockerfile: name,
    // haproxy-lab.learner, not haproxy-lab=1: the learner's images are theirs (they stay), and the lab's prune of
    // dangling haproxy-lab=1 images must not reach a build's intermediate layers while it runs.
    labels: { [`${LAB_LABEL}.learner`]: '1', [DOCKERFILE_LABEL]: dockerfileSha, [BUILDER_LABEL]: String(process.pid), ...opts.labels },
    rm: true,
    forcerm: true,
  });
  const outcome = await followBuild(docker, stream, opts.onLine ?? (() => {}));
  return { ...outcome, tag: opts.tag, dockerfileSha, context, unignored, notes: mapped.notes };
}

// Removes the learner images a rebuild left untagged, of this lab's builds only (another lab may be building).
export function pruneReplacedLearnerImages(docker: Docker): Promise<number> {
  return pruneDanglingLabImages(docker, pidAlive, `${LAB_LABEL}.learner=1`);
}

// One line for `lab run`: "built flask-docker-app from your Dockerfile: 7 steps (5 cached) in 1.4 s".
export function buildSummary(b: LearnerBuild, dockerfile = 'Dockerfile'): string {
  const f = dockerfile === 'Dockerfile' ? '' : ` -f ${dockerfile}`;
  if (b.error) return `docker build -t ${b.tag}${f} . failed after ${b.steps} step(s): ${b.error}`;
  return `built ${b.tag} from your ${dockerfile}: ${b.steps} steps (${b.cached} cached) in ${(b.ms / 1000).toFixed(1)} s`;
}
