// Where a playground config's world lives on this machine: every bind on a free 127.0.0.1 port, every server on a
// loopback address. A server on 127.0.0.0/8 where something listens is used as it is; every other one (host
// names, private or public addresses) gets a stand-in. Nothing here resolves a name or sends a packet.
import type { ConfigModel } from '../../proxy/index.ts';

export interface PlacedBind {
  readonly frontend: string;
  /** As written, e.g. "*:80". */
  readonly written: string;
  readonly docPort: number;
  /** Where the engine listens for it. */
  readonly port: number;
}

export interface PlacedServer {
  readonly backend: string;
  readonly server: string;
  readonly written: string;
  /** "listening": something already answers there and is used as it is; "stand-in": the lab's own; "app": a
   *  document's app the lab started on a runtime (--runtime). */
  readonly kind: 'listening' | 'stand-in' | 'app';
  /** For kind "app": which one, e.g. "app1 (ep9-app1, process)". */
  readonly app?: string;
  readonly host: string;
  readonly port: number;
}

export interface Placement {
  readonly binds: readonly PlacedBind[];
  readonly servers: readonly PlacedServer[];
}

export interface PlaceOptions {
  /** --resolve NAME=ADDR: what a server's host name stands for. */
  readonly resolve?: ReadonlyMap<string, string>;
  /** --map FROM=TO: listen on TO where the config binds FROM. */
  readonly map?: ReadonlyMap<number, number>;
  readonly freePort: () => Promise<number>;
  /** Whether something listens on a loopback host:port (read without sending anything). */
  readonly listening: (host: string, port: number) => boolean;
}

/** True for an IPv4 literal in 127.0.0.0/8. */
export function isLoopbackLiteral(host: string): boolean {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** The key a bind is found by: frontend and what it wrote. */
export function bindKey(frontend: string, written: string): string {
  return `${frontend} ${written}`;
}

// Decides where every bind listens and where every server answers; stand-ins get their ports here too.
export async function placeConfig(model: ConfigModel, opts: PlaceOptions): Promise<Placement> {
  const taken = new Set<number>();
  const fresh = async (): Promise<number> => {
    for (;;) {
      const p = await opts.freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const binds: PlacedBind[] = [];
  const byDocPort = new Map<number, number>();
  for (const fe of model.frontends) {
    for (const b of fe.binds) {
      if (b.fd !== undefined) continue; // an inherited socket (fd@N) listens where its owner bound it
      let port = opts.map?.get(b.port) ?? byDocPort.get(b.port);
      if (port === undefined) port = await fresh();
      taken.add(port);
      byDocPort.set(b.port, port);
      binds.push({ frontend: fe.name, written: b.text, docPort: b.port, port });
    }
  }
  const servers: PlacedServer[] = [];
  for (const be of model.backends.values()) {
    for (const s of be.servers) {
      const written = s.port > 0 ? `${s.host}:${s.port}` : s.host;
      const resolved = opts.resolve?.get(s.host) ?? (s.host === 'localhost' ? '127.0.0.1' : s.host);
      if (isLoopbackLiteral(resolved) && s.port > 0 && opts.listening(resolved, s.port)) {
        servers.push({ backend: be.name, server: s.name, written, kind: 'listening', host: resolved, port: s.port });
      } else {
        servers.push({ backend: be.name, server: s.name, written, kind: 'stand-in', host: '127.0.0.1', port: await fresh() });
      }
    }
  }
  return { binds, servers };
}

/** Finds a server's place; undefined for a server the placement did not see (a reload added it). */
export function serverPlace(p: Placement, backend: string, server: string): PlacedServer | undefined {
  return p.servers.find((s) => s.backend === backend && s.server === server);
}

// Lines for the learner: "bind *:80 (frontend web) → 127.0.0.1:40211", "server web/s1 10.1.2.3:80 → stand-in ...".
export function describePlacement(p: Placement): string[] {
  const out: string[] = [];
  for (const b of p.binds) out.push(`bind ${b.written} (${b.frontend}) → 127.0.0.1:${b.port}   curl http://localhost:${b.docPort}/`);
  for (const s of p.servers) {
    out.push(
      s.kind === 'listening'
        ? `server ${s.backend}/${s.server} ${s.written} → ${s.host}:${s.port} (something listens there: used as it is)`
        : s.kind === 'app'
          ? `server ${s.backend}/${s.server} ${s.written} → ${s.host}:${s.port} (the document's ${s.app})`
          : `server ${s.backend}/${s.server} ${s.written} → 127.0.0.1:${s.port} (lab stand-in: names itself, echoes the request)`,
    );
  }
  return out;
}
