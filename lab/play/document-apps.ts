// With --runtime, servers that are the documents' own apps (ep9's app1:5001, ep4's 127.0.0.1:5003...) run as
// those apps (builtin, process or docker) instead of stand-ins, so "Hello from Flask App 1!" answers.
import { loadAllEpisodes } from '../episodes/loader.ts';
import type { PlacedServer } from './placement.ts';

export interface DocumentApp {
  /** Catalog id, e.g. "ep9-app1". */
  readonly app: string;
  readonly name: string;
  readonly episode: string;
}

// For each server key ("backend/server"), the document app its written address names; the episode that names
// most of the config's servers wins, so one config never mixes two documents' apps.
export function documentApps(servers: readonly PlacedServer[]): Map<string, DocumentApp> {
  const { episodes } = loadAllEpisodes();
  let best = new Map<string, DocumentApp>();
  for (const ep of episodes) {
    const found = new Map<string, DocumentApp>();
    for (const s of servers) {
      const a = ep.apps.find((x) => x.addresses.includes(s.written));
      if (a) found.set(`${s.backend}/${s.server}`, { app: a.app, name: a.name, episode: ep.id });
    }
    if (found.size > best.size) best = found;
  }
  return best;
}
