// Images the documents build FROM (python:3.9-slim, haproxy:2.4) cannot be pulled here: the lab maps each onto a
// local image (made from the base images .ci/docker-up.sh debootstraps) and says which it used.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { imageExists, LAB_LABEL, LOCAL_BASE_IMAGE } from '../runtimes/docker-images.ts';
import { packContext, type BuildContext } from './build-context.ts';
import { followBuild } from './build-progress.ts';

export const LOCAL_HAPROXY_IMAGE = 'haproxy-lab/haproxy:bookworm';
/** python:3.9-slim's stand-in: the local Flask base plus a pip that confirms what is installed (no registry here). */
export const LOCAL_PYTHON_IMAGE = 'haproxy-lab/python:3.9-slim';
const PIP = join(dirname(fileURLToPath(import.meta.url)), 'offline-pip', 'pip');

/** Why a document's image needs a local stand-in, and how to make the missing ones. */
export class LocalImageMissingError extends Error {
  constructor(wanted: string, missing: string) {
    super(
      `FROM ${wanted}: that image is not on this machine and no registry is reachable, and the lab's local stand-in ` +
        `${missing} is missing too.\n  Fix: \`lab doctor --fix\` makes the local base images (debootstrap, a few minutes), ` +
        `or \`docker pull ${wanted}\` on a machine with internet.`,
    );
    this.name = 'LocalImageMissingError';
  }
}

/** The local image a document's image maps onto, or null when the lab has none for it. */
export function standInFor(image: string): string | null {
  const [repo] = image.split(':');
  if (repo === 'python' || repo === 'library/python') return LOCAL_PYTHON_IMAGE;
  if (repo === 'haproxy' || repo === 'library/haproxy') return LOCAL_HAPROXY_IMAGE;
  return null;
}

// Makes haproxy-lab/python:3.9-slim from the local Flask base when it is missing (one small layer: pip).
export async function ensureLocalPython(docker: Docker, progress: (line: string) => void): Promise<void> {
  const labels = await docker.getImage(LOCAL_PYTHON_IMAGE).inspect().then((i) => i.Config.Labels ?? {}, () => null);
  // One made by an earlier lab version carries haproxy-lab=1, which its builds would inherit: make it again.
  if (labels && labels[LAB_LABEL] === undefined) return;
  if (!(await imageExists(docker, LOCAL_BASE_IMAGE))) throw new LocalImageMissingError('python:3.9-slim', LOCAL_BASE_IMAGE);
  const dockerfile = `FROM ${LOCAL_BASE_IMAGE}\nCOPY pip /usr/local/bin/pip\nRUN chmod 755 /usr/local/bin/pip && ln -s pip /usr/local/bin/pip3\n`;
  const context: BuildContext = {
    dir: dirname(PIP), dockerignore: false, ignored: [], files: 1, bytes: 0,
    entries: [{ path: 'pip', kind: 'file', size: 0, mode: 0o755 }, { path: 'Dockerfile', kind: 'file', size: 0, mode: 0o644 }],
  };
  const tar = packContext(context, new Map([['Dockerfile', dockerfile], ['pip', readFileSync(PIP, 'utf8')]]));
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
    // Not haproxy-lab=1: images built FROM it inherit its labels, and the lab prunes dangling haproxy-lab=1 images,
    // which would remove a learner build's intermediate layers while it runs.
    t: LOCAL_PYTHON_IMAGE, labels: { [`${LAB_LABEL}.base`]: '1' }, rm: true, forcerm: true,
  });
  const r = await followBuild(docker, stream, () => {});
  if (r.error) throw new Error(`could not make ${LOCAL_PYTHON_IMAGE}: ${r.error}`);
  progress(`made ${LOCAL_PYTHON_IMAGE} (python:3.9-slim's offline stand-in: ${LOCAL_BASE_IMAGE} with an offline pip)`);
}

export interface MappedDockerfile {
  readonly text: string;
  /** "FROM python:3.9-slim → haproxy-lab/python:3.9-slim (...)" for each mapped line. */
  readonly notes: readonly string[];
}

// Rewrites each FROM whose image is missing locally onto its stand-in (made when needed); other lines stay.
export async function mapFromLines(docker: Docker, text: string, progress: (line: string) => void): Promise<MappedDockerfile> {
  const notes: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*FROM\s+)(?:--platform=\S+\s+)?([^\s$]+)(.*)$/i.exec(lines[i]!);
    if (!m || (await imageExists(docker, m[2]!))) continue;
    const local = standInFor(m[2]!);
    if (!local) continue;
    if (local === LOCAL_PYTHON_IMAGE) await ensureLocalPython(docker, progress);
    else if (!(await imageExists(docker, local))) throw new LocalImageMissingError(m[2]!, local);
    lines[i] = `${m[1]}${local}${m[3]}`;
    notes.push(`FROM ${m[2]} → ${local} (${m[2]} is not on this machine and cannot be pulled here; the stand-in is Debian bookworm's)`);
  }
  return { text: lines.join('\n'), notes };
}
