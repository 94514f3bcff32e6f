// Docker for tests: whether an engine answers, and removing exactly what a test made (by tag prefix or label).
import Docker from 'dockerode';
import { pingDaemon } from '../../lab/runtimes/docker.ts';

export const docker = new Docker();
export const dockerUp = await pingDaemon(docker, 3000).then(
  () => true,
  () => false,
);

// Removes the images whose tags start with prefix (the test's own), then the dangling lab images they leave.
export async function removeImagesTagged(prefix: string): Promise<number> {
  if (!dockerUp) return 0;
  const images = await docker.listImages({ filters: { label: ['haproxy-lab.learner=1'] } });
  let n = 0;
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) {
      if (!tag.startsWith(prefix)) continue;
      await docker.getImage(tag).remove().catch(() => {});
      n++;
    }
  }
  return n;
}

// Removes the untagged images carrying the label (key=value): what rebuilding a test's tag leaves behind.
export async function removeDanglingLabelled(label: string): Promise<number> {
  if (!dockerUp) return 0;
  const r = await docker.pruneImages({ filters: { dangling: ['true'], label: [label] } });
  return r.ImagesDeleted?.length ?? 0;
}

// Containers carrying the label (key=value), running or not.
export async function containersLabelled(label: string): Promise<Docker.ContainerInfo[]> {
  if (!dockerUp) return [];
  return docker.listContainers({ all: true, filters: { label: [label] } });
}
