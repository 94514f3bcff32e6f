// What `lab up X` starts: the apps of episode X (episodes/X/episode.yaml), else of document X (apps/X/).
import { listEpisodeIds, loadEpisode } from '../episodes/loader.ts';
import { appById, appsOfDocument, documents } from '../runtimes/app-catalog.ts';
import type { AppSpec } from '../runtimes/runtime.ts';

export interface UpTarget {
  readonly id: string;
  readonly kind: 'episode' | 'document';
  readonly specs: readonly AppSpec[];
  /** The port the document uses for each spec (same order), for `lab curl`'s port map. */
  readonly docPorts: readonly number[];
}

// The apps to start for an episode or document id; with portBase the k-th app listens on portBase+k.
export function resolveUpTarget(id: string, portBase?: number): UpTarget {
  const port = (docPort: number, k: number) => (portBase === undefined ? docPort : portBase + k);
  if (listEpisodeIds().includes(id)) {
    const episode = loadEpisode(id);
    if (episode.apps.length > 0) {
      const specs = episode.apps.map((a, k) => {
        appById(a.app);
        return { app: a.app, name: a.name, hostPort: port(a.port, k), episode: id };
      });
      return { id, kind: 'episode', specs, docPorts: episode.apps.map((a) => a.port) };
    }
  }
  const apps = appsOfDocument(id);
  if (apps.length === 0) {
    const known = [...new Set([...listEpisodeIds(), ...documents.map((d) => d.id)])];
    throw new Error(`no episode or document '${id}': expected one of ${known.join(', ')}`);
  }
  return {
    id,
    kind: 'document',
    specs: apps.map((a, k) => ({ app: a.id, name: a.name, hostPort: port(a.defaultPort, k), episode: id })),
    docPorts: apps.map((a) => a.defaultPort),
  };
}
