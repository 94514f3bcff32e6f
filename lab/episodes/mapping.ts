// Moves a step's world onto this machine: the documents' listeners (*:80, *:4000) onto free 127.0.0.1 ports, and
// their server addresses (app1:5001, 127.0.0.1:5003) onto wherever the runtime started the apps.
import type { PortMap } from '../traffic/port-map.ts';

/** An app as started for a step. */
export interface AppPlacement {
  readonly name: string;
  /** Catalog id, e.g. "ep9-app1". */
  readonly app: string;
  /** The document's port for it. */
  readonly docPort: number;
  /** The addresses configs use for it ("app1:5001"). */
  readonly addresses: readonly string[];
  /** Where it really answers on 127.0.0.1. */
  readonly hostPort: number;
  readonly answers?: string;
}

/** Where a config's server address leads. */
export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  /** The app answering there, or undefined when nothing of the episode does. */
  readonly app?: string;
}

/** A server line the mapping saw, with where it leads (for "server1 app1:5001 → 127.0.0.1:40125 (app1)"). */
export interface MappedServer {
  readonly backend: string;
  readonly server: string;
  readonly written: string;
  readonly target: ServerTarget;
}

export interface BindWritten {
  readonly frontend: string;
  readonly written: string;
  readonly docPort: number;
}

export interface StepMapping {
  /** Document listener port → lab port. */
  readonly listeners: ReadonlyMap<number, number>;
  readonly apps: readonly AppPlacement[];
  /** A port where nothing listens, for servers that lead nowhere in the lab. */
  readonly deadPort: number;
  /** Document port → lab port for `lab curl` (listeners first, then the apps' own ports). */
  portMap(extra?: Partial<PortMap>): PortMap;
  /** Where "HOST:PORT" of a server line goes. */
  server(host: string, port: number): ServerTarget;
  /** Where a bind of the document's port listens in the lab. */
  bind(docPort: number): { host: string; port: number };
  /** The config text with binds and server addresses rewritten, for real haproxy. */
  rewrite(text: string): string;
  /** The binds and servers of a config text (the lab shows them with the mapping). */
  scan(text: string): { binds: BindWritten[]; servers: MappedServer[] };
  /** Lines such as "localhost:80 → 127.0.0.1:40211 (frontend http_front)". */
  describe(text: string | null): string[];
}

// Splits "HOST:PORT" (HOST may be "*", empty, or an "ipv4@" address); null when it is not that shape.
export function splitAddress(text: string): { host: string; port: number } | null {
  const m = /^(?:ipv4@|ipv6@)?(\[[^\]]*\]|[^\s:]*):(\d{1,5})$/.exec(text);
  if (!m) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** The document ports a config binds, read from its bind lines. */
export function bindPorts(text: string): number[] {
  return scanLines(text).binds.map((b) => b.docPort).filter((p, i, all) => all.indexOf(p) === i);
}

interface Scanned {
  binds: BindWritten[];
  servers: { backend: string; server: string; written: string; host: string; port: number }[];
}

// Reads sections, bind and server lines the way HAProxy's tokenizer sees their first words.
function scanLines(text: string): Scanned {
  const out: Scanned = { binds: [], servers: [] };
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    // Section keywords start a section wherever they stand, as in HAProxy.
    if (['frontend', 'backend', 'listen', 'global', 'defaults', 'peers', 'resolvers', 'userlist'].includes(words[0]!)) {
      section = ['frontend', 'backend', 'listen'].includes(words[0]!) ? (words[1] ?? '') : '';
      continue;
    }
    if (words[0] === 'bind' && words[1]) {
      for (const part of words[1].split(',')) {
        const a = splitAddress(part);
        if (a) out.binds.push({ frontend: section, written: part, docPort: a.port });
      }
    } else if (words[0] === 'server' && words[1] && words[2]) {
      const a = splitAddress(words[2]);
      out.servers.push({ backend: section, server: words[1], written: words[2], host: a?.host ?? words[2], port: a?.port ?? 0 });
    }
  }
  return out;
}

export interface PlanOptions {
  /** Keep these listener ports (the TUI keeps :80 on one lab port across steps). */
  readonly listeners?: ReadonlyMap<number, number>;
  /** Finds a free port on 127.0.0.1. */
  readonly freePort: () => Promise<number>;
}

// Builds the mapping for a config (null: apps only) and the apps started for the step.
export async function planMapping(configText: string | null, apps: readonly AppPlacement[], opts: PlanOptions): Promise<StepMapping> {
  const listeners = new Map<number, number>(opts.listeners ?? []);
  const taken = new Set<number>([...listeners.values(), ...apps.map((a) => a.hostPort)]);
  const fresh = async (): Promise<number> => {
    for (;;) {
      const p = await opts.freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  for (const port of configText ? bindPorts(configText) : []) {
    if (!listeners.has(port)) listeners.set(port, await fresh());
  }
  const deadPort = await fresh();
  return makeMapping(listeners, apps, deadPort);
}

/** Builds a mapping from ports already chosen (tests, and the TUI when it adds a bind). */
export function makeMapping(listeners: ReadonlyMap<number, number>, apps: readonly AppPlacement[], deadPort: number): StepMapping {
  const server = (host: string, port: number): ServerTarget => {
    const written = `${host}:${port}`;
    const exact = apps.find((a) => a.addresses.includes(written));
    const local = ['localhost', '127.0.0.1', '', '*', '0.0.0.0'].includes(host) ? apps.find((a) => a.docPort === port) : undefined;
    const app = exact ?? local;
    if (app) return { host: '127.0.0.1', port: app.hostPort, app: app.name };
    return { host: '127.0.0.1', port: deadPort };
  };
  const bind = (docPort: number): { host: string; port: number } => ({ host: '127.0.0.1', port: listeners.get(docPort) ?? 0 });
  const scan = (text: string): { binds: BindWritten[]; servers: MappedServer[] } => {
    const s = scanLines(text);
    return {
      binds: s.binds,
      servers: s.servers.map((x) => ({ backend: x.backend, server: x.server, written: x.written, target: server(x.host, x.port) })),
    };
  };
  return {
    listeners,
    apps,
    deadPort,
    portMap(extra = {}) {
      const ports: Record<string, number> = {};
      for (const a of apps) ports[String(a.docPort)] = a.hostPort;
      for (const [doc, lab] of listeners) ports[String(doc)] = lab;
      return { ...extra, ports, apps: apps.map((a) => ({ name: a.name, ...(a.answers ? { answers: a.answers } : {}) })) };
    },
    server,
    bind,
    rewrite(text) {
      return text
        .split('\n')
        .map((line) => {
          const b = /^(\s*bind\s+)(\S+)(.*)$/.exec(line);
          if (b) {
            const parts = b[2]!.split(',').map((p) => {
              const a = splitAddress(p);
              return a ? `127.0.0.1:${bind(a.port).port}` : p;
            });
            return b[1] + parts.join(',') + b[3];
          }
          const s = /^(\s*server\s+\S+\s+)(\S+)(.*)$/.exec(line);
          if (s) {
            const a = splitAddress(s[2]!);
            const t = a ? server(a.host, a.port) : { host: '127.0.0.1', port: deadPort };
            return `${s[1]}${t.host}:${t.port}${s[3]}`;
          }
          return line;
        })
        .join('\n');
    },
    scan,
    describe(text) {
      const lines: string[] = [];
      const seen = new Set<number>();
      for (const b of text ? scan(text).binds : []) {
        if (seen.has(b.docPort)) continue;
        seen.add(b.docPort);
        lines.push(`localhost:${b.docPort} → 127.0.0.1:${bind(b.docPort).port}  (bind ${b.written} of ${b.frontend || 'the config'})`);
      }
      for (const s of text ? scan(text).servers : []) {
        const where = s.target.app ? `app ${s.target.app}` : 'no app of this step answers there';
        lines.push(`${s.backend}/${s.server} ${s.written} → ${s.target.host}:${s.target.port}  (${where})`);
      }
      // With a proxy the server lines say where the apps are; an apps-only step lists them.
      for (const a of text ? [] : apps) {
        if (seen.has(a.docPort)) continue;
        lines.push(`localhost:${a.docPort} → 127.0.0.1:${a.hostPort}  (app ${a.name}, ${a.app})`);
      }
      return lines;
    },
  };
}
