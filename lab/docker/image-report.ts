// What `lab doctor` says about Docker images: the local base images and stand-ins (present, or how to make them),
// and the images the learner built, with how to remove them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { imageExists, LAB_LABEL, LOCAL_BASE_IMAGE } from '../runtimes/docker-images.ts';
import { ensureLocalPython, LOCAL_HAPROXY_IMAGE, LOCAL_PYTHON_IMAGE } from './local-images.ts';
import { formatBytes } from './build-context.ts';

/** The script that debootstraps the base images (as CI does). */
export const DOCKER_UP = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '.ci', 'docker-up.sh');

export interface BaseImageLine {
  readonly image: string;
  readonly role: string;
  readonly present: boolean;
}

export async function baseImages(docker: Docker): Promise<BaseImageLine[]> {
  const wanted = [
    { image: LOCAL_BASE_IMAGE, role: "Debian's Python with Flask: the apps' base image" },
    { image: LOCAL_PYTHON_IMAGE, role: 'stands in for FROM python:3.9-slim (the base plus an offline pip)' },
    { image: LOCAL_HAPROXY_IMAGE, role: 'stands in for FROM haproxy:2.4 / haproxy:latest' },
  ];
  return Promise.all(wanted.map(async (w) => ({ ...w, present: await imageExists(docker, w.image) })));
}

export interface LearnerImage {
  readonly tags: readonly string[];
  readonly id: string;
  readonly size: number;
  readonly episode: string;
}

// Images built from a learner's files (labelled haproxy-lab.learner=1): tagged ones, then how many untagged.
export async function learnerImages(docker: Docker): Promise<{ tagged: LearnerImage[]; dangling: number }> {
  const list = await docker.listImages({ filters: { label: [`${LAB_LABEL}.learner=1`] } });
  const tagged: LearnerImage[] = [];
  let dangling = 0;
  for (const i of list) {
    const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    if (tags.length === 0) dangling++;
    else tagged.push({ tags, id: i.Id.replace('sha256:', '').slice(0, 12), size: i.Size, episode: i.Labels?.[`${LAB_LABEL}.episode`] ?? '?' });
  }
  return { tagged, dangling };
}

// Lines for `lab doctor`.
export async function imageReport(docker: Docker): Promise<string[]> {
  const out = ['Docker images:'];
  for (const b of await baseImages(docker)) out.push(`  ${b.present ? '✓' : '✗'} ${b.image.padEnd(36)} ${b.role}`);
  if ((await baseImages(docker)).some((b) => !b.present)) out.push('    fix: `lab doctor --fix` makes the missing ones (debootstrap, as root; a few minutes)');
  const { tagged, dangling } = await learnerImages(docker);
  if (tagged.length === 0 && dangling === 0) out.push('  images you built: none yet');
  else out.push('  images you built (they stay, as after your own `docker build`):');
  for (const t of tagged) out.push(`    ${t.tags.join(', ')}  ${t.id}  ${formatBytes(t.size)}  (${t.episode})  remove: docker rmi ${t.tags[0]}`);
  if (dangling > 0) out.push(`    ${dangling} untagged earlier build(s)  remove: docker image prune --filter label=${LAB_LABEL}.learner=1`);
  return out;
}

// Makes what is missing: the debootstrapped bases (through .ci/docker-up.sh, output as progress), then the stand-ins.
export async function fixImages(docker: Docker, progress: (line: string) => void): Promise<boolean> {
  const missing = (await baseImages(docker)).filter((b) => !b.present);
  if (missing.length === 0) {
    progress('every local base image is here');
    return true;
  }
  if (missing.some((m) => m.image !== LOCAL_PYTHON_IMAGE)) {
    if (!existsSync(DOCKER_UP)) {
      progress(`cannot make ${missing.map((m) => m.image).join(', ')}: ${DOCKER_UP} is missing`);
      return false;
    }
    progress(`making ${missing.filter((m) => m.image !== LOCAL_PYTHON_IMAGE).map((m) => m.image).join(' and ')} with ${DOCKER_UP} (debootstrap; needs root)`);
    const p = execa('bash', [DOCKER_UP], { reject: false, all: true, cwd: join(dirname(DOCKER_UP), '..') });
    p.all?.on('data', (c: Buffer) => {
      for (const l of c.toString('utf8').split('\n')) if (l.trim()) progress(`  ${l.trimEnd()}`);
    });
    const r = await p;
    if (r.exitCode !== 0) {
      progress(`${DOCKER_UP} failed (exit ${r.exitCode}); run it as root: sudo bash ${DOCKER_UP}`);
      return false;
    }
  }
  await ensureLocalPython(docker, progress);
  return (await baseImages(docker)).every((b) => b.present);
}
