// Finds and loads the episodes under episodes/: one directory each, holding episode.yaml and its configs.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateEpisode } from './validate.ts';
import { EpisodeLoadError, type Episode, type EpisodeError } from './schema.ts';

/** The repository's episodes/ directory. */
export const EPISODES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'episodes');

// Ids of the directories under root that hold an episode.yaml, sorted by name.
export function listEpisodeIds(root: string = EPISODES_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory() && existsSync(join(root, name, 'episode.yaml')))
    .sort();
}

/** An id that names no episode; the message lists the ids that do. */
export class UnknownEpisodeError extends Error {
  constructor(
    readonly id: string,
    readonly known: readonly string[],
  ) {
    super(`no episode '${id}' (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownEpisodeError';
  }
}

// Throws UnknownEpisodeError when no episode has this id.
export function assertEpisodeId(id: string, root: string = EPISODES_DIR): void {
  const known = listEpisodeIds(root);
  if (!known.includes(id)) throw new UnknownEpisodeError(id, known);
}

// Loads one episode by id; throws UnknownEpisodeError for an id that names none, EpisodeLoadError listing every
// problem with file:line:col for a file that does not match the schema.
export function loadEpisode(id: string, root: string = EPISODES_DIR): Episode {
  assertEpisodeId(id, root);
  const dir = join(root, id);
  const file = join(dir, 'episode.yaml');
  const shown = displayPath(file);
  const { episode, errors } = validateEpisode(readFileSync(file, 'utf8'), shown, dir, id);
  if (!episode) throw new EpisodeLoadError(errors);
  return episode;
}

export interface LoadAllResult {
  /** In the documents' order (the `order` key, then id). */
  readonly episodes: readonly Episode[];
  /** Problems of the episodes that failed to load (they are left out). */
  readonly errors: readonly EpisodeError[];
}

// Loads every episode; a broken one is reported and skipped so the others still work.
export function loadAllEpisodes(root: string = EPISODES_DIR): LoadAllResult {
  const episodes: Episode[] = [];
  const errors: EpisodeError[] = [];
  for (const id of listEpisodeIds(root)) {
    try {
      episodes.push(loadEpisode(id, root));
    } catch (e) {
      if (!(e instanceof EpisodeLoadError)) throw e;
      errors.push(...e.errors);
    }
  }
  episodes.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  return { episodes, errors };
}

// A path relative to the working directory when that is shorter, for messages.
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}
