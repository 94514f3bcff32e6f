// Images for the docker runtime: which base image to build FROM, and building the apps' images with progress.
import { readdirSync } from 'node:fs';
import type Docker from 'dockerode';
import { appDir, type AppEntry } from './app-catalog.ts';
import { followBuild } from '../docker/build-progress.ts';

export const DOCUMENT_BASE_IMAGE = 'python:3.9-slim';
export const LOCAL_BASE_IMAGE = 'haproxy-lab/python-flask:bookworm';
export const LAB_LABEL = 'haproxy-lab';
/** The pid of the lab process that built an image: its dangling leftovers are this lab's to prune, no one else's. */
export const BUILDER_LABEL = `${LAB_LABEL}.builder-pid`;

// The image tag the lab builds for an app.
export function imageTag(app: AppEntry): string {
  return `haproxy-lab/${app.id}:latest`;
}

// Whether the daemon has this image locally.
export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

// No image to build FROM and none to pull; the message says how to make one offline.
export class BaseImageMissingError extends Error {
  constructor(tried: readonly string[], pullError: string) {
    super(
      `no base image to build the apps FROM: ${tried.join(' and ')} ${tried.length > 1 ? 'are' : 'is'} not on this ` +
        `machine, and pulling failed (${pullError}).\n` +
        `  Fix: online, \`docker pull ${DOCUMENT_BASE_IMAGE}\`; offline, run .ci/docker-up.sh (debootstraps ` +
        `${LOCAL_BASE_IMAGE} with python3-flask), or set LAB_BASE_IMAGE to a local image that has python and Flask; ` +
        `or use \`--runtime process\`.`,
    );
    this.name = 'BaseImageMissingError';
  }
}

// Pulls an image, giving up after timeoutMs (an offline registry can hang instead of failing).
async function pull(docker: Docker, name: string, timeoutMs: number, progress: (line: string) => void): Promise<void> {
  progress(`pulling ${name}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the registry within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([
      timeout,
      (async () => {
        const stream = await docker.pull(name);
        await new Promise<void>((resolve, reject) =>
          docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
        );
      })(),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// The base image to pass as BASE_IMAGE: LAB_BASE_IMAGE, else the document's python:3.9-slim when present,
// else the local haproxy-lab/python-flask:bookworm, else a pull of python:3.9-slim.
export async function resolveBaseImage(docker: Docker, progress: (line: string) => void = () => {}): Promise<string> {
  const wanted = process.env['LAB_BASE_IMAGE'];
  const candidates = wanted ? [wanted] : [DOCUMENT_BASE_IMAGE, LOCAL_BASE_IMAGE];
  for (const name of candidates) if (await imageExists(docker, name)) return name;
  const toPull = candidates[0]!;
  try {
    await pull(docker, toPull, 20_000, progress);
    return toPull;
  } catch (err) {
    throw new BaseImageMissingError(candidates, (err as Error).message.split('\n')[0]!);
  }
}

// Builds the app's image from apps/<document>/ (layers cached): one progress line per image, each build line to onLine.
export async function buildAppImage(
  docker: Docker,
  app: AppEntry,
  baseImage: string,
  progress: (line: string) => void,
  onLine: (line: string) => void = () => {},
): Promise<void> {
  const context = appDir(app);
  const tag = imageTag(app);
  const stream = await docker.buildImage(
    { context, src: readdirSync(context) },
    {
      t: tag,
      dockerfile: app.dockerfile,
      buildargs: { BASE_IMAGE: baseImage },
      labels: { [LAB_LABEL]: '1', [`${LAB_LABEL}.app`]: app.id, [BUILDER_LABEL]: String(process.pid) },
      rm: true,
      forcerm: true,
    },
  );
  const r = await followBuild(docker, stream, onLine);
  if (r.error) {
    throw new Error(
      `docker build of apps/${app.document}/${app.dockerfile} failed: ${r.error}\n  last lines: ${r.lines.slice(-5).join(' | ')}\n` +
        `  Fix: if a base image is missing offline, run \`lab doctor --fix\` (or .ci/docker-up.sh) or set LAB_BASE_IMAGE.`,
    );
  }
  progress(`built ${tag} from apps/${app.document}/${app.dockerfile} (BASE_IMAGE=${baseImage}): ${r.steps} steps (${r.cached} cached) in ${(r.ms / 1000).toFixed(1)} s`);
}

// Removes the dangling images left by this lab's own rebuilds (built by this process, or by a lab process that is
// gone); returns how many went. Another lab on the same daemon keeps its own: a prune by label alone could take
// the layers of a build it is running.
export async function pruneDanglingLabImages(docker: Docker, alive: (pid: number) => boolean, label = `${LAB_LABEL}=1`): Promise<number> {
  const images = await docker.listImages({ filters: { dangling: ['true'], label: [label] } });
  let removed = 0;
  for (const img of images) {
    const builder = Number(img.Labels?.[BUILDER_LABEL]);
    if (!builder || (builder !== process.pid && alive(builder))) continue;
    try {
      await docker.getImage(img.Id).remove();
      removed++;
    } catch (err) {
      // 404: gone meanwhile; 409: a container still uses it (then it is not ours to force).
      if (![404, 409].includes((err as { statusCode?: number }).statusCode ?? 0)) throw err;
    }
  }
  return removed;
}
