// Which frontend, backend and server handled each client connection, keyed by the client's address and port:
// read from the engine's events, or from HAProxy's httplog/tcplog lines when real haproxy runs the config.
import type { EventBus } from '../../proxy/index.ts';

export interface Attribution {
  readonly frontend?: string;
  readonly backend?: string;
  /** Undefined when no server was chosen (denied, no server available). */
  readonly server?: string;
  /** The status the proxy logged (http mode). */
  readonly status?: number;
  /** An http-request rule answered instead of a backend (deny, return, redirect). */
  readonly answeredBy?: string;
  /** The exchange is over: its log line was read (a tcplog line has no status to tell it otherwise). */
  readonly ended?: boolean;
}

/** One parsed httplog/tcplog line. */
export interface ParsedLogLine extends Attribution {
  readonly client: string;
  readonly clientPort: number;
  readonly mode: 'http' | 'tcp';
}

const LOG = /(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:.]+):(\d+) \[[^\]]+\] (\S+) ([^\s/]+)\/(\S+) (-?\d+(?:\/[-+]?\d+)+) \+?(\d+)/;

// Parses an HAProxy httplog or tcplog line (raw, or after a syslog header); null for other lines.
export function parseLogLine(line: string): ParsedLogLine | null {
  const m = LOG.exec(line);
  if (!m) return null;
  const timers = m[6]!.split('/').length;
  const mode = timers >= 5 ? 'http' : 'tcp';
  const frontend = m[3]!.replace(/~$/, '');
  const server = m[5]!;
  const noServer = server === '<NOSRV>';
  // A request answered by the frontend itself logs "frontend/<NOSRV>" (backend = the frontend's own name).
  const backend = noServer && m[4] === frontend ? undefined : m[4]!;
  return {
    client: normalizeAddress(m[1]!),
    clientPort: Number(m[2]),
    mode,
    frontend,
    ...(backend !== undefined ? { backend } : {}),
    ...(noServer ? {} : { server }),
    // The log cannot say which rule answered, only that no backend did.
    ...(noServer && backend === undefined ? { answeredBy: `frontend ${frontend}` } : {}),
    ...(mode === 'http' ? { status: Number(m[7]) } : {}),
  };
}

// "::ffff:127.0.0.1" → "127.0.0.1".
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Collects attributions from log lines and engine events; the traffic side asks by client address and port. */
export class Attributor {
  private readonly byClient = new Map<string, Attribution>();
  private readonly idToClient = new Map<number, string>();
  private readonly waiters = new Set<() => void>();

  // Takes one log line (others are ignored).
  noteLog(line: string): void {
    const p = parseLogLine(line);
    if (!p) return;
    const { client, clientPort, mode: _mode, ...rest } = p;
    const key = `${client}:${clientPort}`;
    // The engine's events, when there are any, already said more precisely which rule answered.
    this.byClient.set(key, { ...rest, ...this.byClient.get(key), ended: true });
    for (const w of [...this.waiters]) w();
  }

  // Listens to an engine's events; returns the unsubscribe function.
  attach(bus: EventBus): () => void {
    const offs = [
      bus.on('request', (e) => {
        const key = `${normalizeAddress(e.src)}:${e.srcPort}`;
        this.idToClient.set(e.id, key);
        // A new connection from a reused port replaces what an older one left.
        this.byClient.set(key, { frontend: e.frontend });
      }),
      bus.on('route', (e) => {
        const key = this.idToClient.get(e.id);
        if (!key) return;
        this.merge(key, e.backend !== undefined ? { backend: e.backend } : { answeredBy: e.decidedBy });
      }),
      bus.on('balance', (e) => {
        const key = this.idToClient.get(e.id);
        if (key) this.merge(key, { backend: e.backend, ...(e.server !== null ? { server: e.server } : {}) });
      }),
      bus.on('response', (e) => {
        const key = this.idToClient.get(e.id);
        if (!key) return;
        const server = e.server && e.server !== '<NOSRV>' ? { server: e.server } : {};
        const backend = e.backend && e.backend !== e.frontend ? { backend: e.backend } : {};
        this.merge(key, { ...backend, ...server, status: e.status });
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  // What is known for a client address and port.
  get(address: string, port: number): Attribution | undefined {
    return this.byClient.get(`${normalizeAddress(address)}:${port}`);
  }

  // Resolves once every client has a complete record (a server, a status or an answering rule), or at the timeout.
  async waitFor(clients: readonly { address: string; port: number }[], timeoutMs = 2000): Promise<void> {
    const complete = (): boolean =>
      clients.every((c) => {
        const a = this.get(c.address, c.port);
        // the exchange is over (a status, or a rule that answered): its log line has been written too
        return a !== undefined && (a.status !== undefined || a.answeredBy !== undefined || a.ended === true);
      });
    if (complete()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      }
      const waiters = this.waiters;
      const check = (): void => {
        if (complete()) done();
      };
      waiters.add(check);
    });
  }

  private merge(key: string, a: Attribution): void {
    this.byClient.set(key, { ...this.byClient.get(key), ...a });
    for (const w of [...this.waiters]) w();
  }
}
