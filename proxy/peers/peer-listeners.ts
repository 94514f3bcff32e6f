// The peers sections at run time: each complete section (one with this process as a peer) syncs its tables
// with its peers (peer-sync.ts), and its local peer listens where the section says, as HAProxy's peers frontend
// does. On a reload the old sections teach the new ones their tables first (reload-lesson.ts).
import { createServer, type Server } from 'node:net';
import type { PeersSpec } from '../config/model.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { PeersSync } from './peer-sync.ts';
import { teachAcrossReload } from './reload-lesson.ts';

export interface PeerListeners {
  readonly syncs: readonly PeersSync[];
  close(): Promise<void>;
}

/** The tables a section shares: the ones it declares and the proxies' ones that name it ("peers NAME"). */
export function sectionTables(spec: PeersSpec, tables: ReadonlyMap<string, StickTable>): StickTable[] {
  return [...tables.values()].filter((t) => t.spec.peers === spec.name || spec.tables.some((s) => s.name === t.name));
}

export interface StartPeersOptions {
  /** The sections of the configuration being replaced: their tables are taught to the new ones. */
  readonly previous?: PeerListeners | null;
  readonly warn?: (message: string) => void;
}

/** Starts every complete section; rejects (closing what opened) when a listener cannot bind. */
export async function startPeerListeners(
  sections: Iterable<PeersSpec>,
  tables: ReadonlyMap<string, StickTable>,
  opts: StartPeersOptions = {},
): Promise<PeerListeners> {
  const servers: Server[] = [];
  const syncs: PeersSync[] = [];
  const close = async (): Promise<void> => {
    for (const s of syncs) s.stop();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  const complete = [...sections].filter((s) => s.complete);
  const taught = teachAcrossReload(opts.previous?.syncs ?? [], complete.map((spec) => ({ spec, tables: sectionTables(spec, tables) })));
  try {
    for (const spec of complete) {
      const sync = new PeersSync(spec, sectionTables(spec, tables), { resyncDone: taught.has(spec), ...(opts.warn ? { warn: opts.warn } : {}) });
      syncs.push(sync);
      if (!spec.listen) continue;
      const server = createServer((socket) => sync.accept(socket));
      servers.push(server);
      const { host, port } = spec.listen;
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(new Error(`Starting peers ${spec.name}: cannot bind socket (${err.code ?? err.message}) [${host}:${port}]`)));
        server.listen({ host, port }, () => resolve());
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  for (const s of syncs) s.start();
  return { syncs, close };
}
