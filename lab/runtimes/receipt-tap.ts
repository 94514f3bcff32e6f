// Who really received a request: a byte-for-byte TCP relay in front of each app instance records the probe token
// of every request that reaches that instance. A log line can only say which *server line* a proxy chose; two
// server lines may point at the same process, and only the receiving end can tell. The relay also notes whether
// the header name arrived exactly as the client wrote it: an HTTP proxy (mode http) re-writes header names in lower
// case, a TCP proxy (mode tcp) passes the bytes through untouched.
import net from 'node:net';
import { freePort } from './ports.ts';
import type { AppSpec, Runtime, RuntimeHandle, Stage } from './runtime.ts';

/** The request header the lab's judged requests carry; its value is a token unique to one request. */
export const PROBE_HEADER = 'X-Lab-Probe';

/** One judged request as an app instance received it. */
export interface Receipt {
  /** The instance (the episode's app name, e.g. "flask2") that received it. */
  readonly instance: string;
  /** True when the header name arrived as "X-Lab-Probe", unchanged by the proxy in between. */
  readonly verbatim: boolean;
}

/** Every receipt of this process, by token. */
class ReceiptBook {
  private readonly byToken = new Map<string, Receipt[]>();

  record(token: string, r: Receipt): void {
    const list = this.byToken.get(token);
    if (list) list.push(r);
    else this.byToken.set(token, [r]);
  }

  // Who received the request with this token (several when a proxy retried it elsewhere); [] when nobody did.
  get(token: string): readonly Receipt[] {
    return this.byToken.get(token) ?? [];
  }

  // Forgets tokens no longer needed, so a long TUI session does not grow without bound.
  forget(tokens: readonly string[]): void {
    for (const t of tokens) this.byToken.delete(t);
  }
}

export const receipts = new ReceiptBook();

let seq = 0;
// A token no other request of this process carries.
export function newProbeToken(): string {
  seq += 1;
  return `${process.pid.toString(36)}-${Date.now().toString(36)}-${seq.toString(36)}`;
}

const PROBE = /\r\n(x-lab-probe)[ \t]*:[ \t]*([0-9a-z-]+)[ \t]*\r\n/gi;
/** Longer than any probe header line, so a line split across two reads is still seen whole once. */
const TAIL = 200;

// Relays one connection to the app and records every probe header in the client-to-app bytes.
function relay(client: net.Socket, upstreamPort: number, instance: string, open: Set<net.Socket>): void {
  const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort });
  open.add(client);
  open.add(upstream);
  let tail = '';
  client.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString('latin1');
    for (const m of text.matchAll(PROBE)) {
      // A match that ended inside the old tail was recorded on the previous read.
      if (m.index + m[0].length > tail.length) receipts.record(m[2]!, { instance, verbatim: m[1] === PROBE_HEADER });
    }
    tail = text.slice(-TAIL);
  });
  client.pipe(upstream);
  upstream.pipe(client);
  const end = (): void => {
    client.destroy();
    upstream.destroy();
    open.delete(client);
    open.delete(upstream);
  };
  // The app refusing or dropping the connection looks the same to the proxy as without the relay: closed.
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
}

/** A listener on the app's public port that relays to where the app really listens. */
class Tap {
  private server: net.Server | null = null;
  private binding: Promise<void> | null = null;
  private readonly open = new Set<net.Socket>();

  constructor(
    private readonly port: number,
    private readonly upstreamPort: number,
    private readonly instance: string,
  ) {}

  // Resolves once listening; a second call while the first is under way waits for the same bind.
  listen(): Promise<void> {
    if (this.binding) return this.binding;
    const server = net.createServer((c) => relay(c, this.upstreamPort, this.instance, this.open));
    this.server = server;
    this.binding = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((e: Error) => {
      this.server = null;
      this.binding = null;
      throw e;
    });
    return this.binding;
  }

  // Stops accepting, so health checks see the port closed just as they would without the relay.
  async close(): Promise<void> {
    const server = this.server;
    const binding = this.binding;
    this.server = null;
    this.binding = null;
    if (!server) return;
    await binding?.catch(() => {});
    for (const s of this.open) s.destroy();
    this.open.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// The inner handle, answering on the tap's port; the tap listens exactly while the app runs.
class TappedHandle implements RuntimeHandle {
  private readonly offStage: () => void;

  constructor(
    private readonly inner: RuntimeHandle,
    private readonly tap: Tap,
    readonly hostPort: number,
  ) {
    this.offStage = inner.onStage((stage) => {
      if (stage === 'running') void this.tap.listen().catch(() => {});
      else if (stage === 'stopped' || stage === 'failed') void this.tap.close();
    });
  }

  get id(): string { return this.inner.id; }
  get name(): string { return this.inner.name; }
  get runtime(): RuntimeHandle['runtime'] { return this.inner.runtime; }
  get app(): string { return this.inner.app; }
  get stage(): Stage { return this.inner.stage; }
  get address(): string { return `127.0.0.1:${this.hostPort}`; }
  logs(): readonly string[] { return this.inner.logs(); }
  onLog(fn: (line: string) => void): () => void { return this.inner.onLog(fn); }
  onStage(fn: (stage: Stage) => void): () => void { return this.inner.onStage(fn); }

  async stop(): Promise<void> {
    await this.tap.close();
    await this.inner.stop();
  }

  async kill(): Promise<void> {
    await this.tap.close();
    await this.inner.kill();
  }

  async restart(): Promise<void> {
    await this.inner.restart();
    await this.tap.listen();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.offStage();
    await this.tap.close();
    await this.inner[Symbol.asyncDispose]();
  }
}

// The same runtime, with a receipt tap in front of every app it starts: the app listens on a port of its own and
// the tap on the port the caller asked for.
export function tapRuntime(inner: Runtime): Runtime {
  const wrapped: Runtime = {
    name: inner.name,
    available: () => inner.available(),
    start: async (spec: AppSpec): Promise<RuntimeHandle> => {
      const innerPort = await freePort();
      const handle = await inner.start({ ...spec, hostPort: innerPort });
      const tap = new Tap(spec.hostPort, innerPort, spec.name);
      try {
        await tap.listen();
      } catch (e) {
        await handle[Symbol.asyncDispose]();
        throw e;
      }
      return new TappedHandle(handle, tap, spec.hostPort);
    },
  };
  if (inner.prepare) wrapped.prepare = (apps, progress) => inner.prepare!(apps, progress);
  if (inner.cleanupStale) wrapped.cleanupStale = () => inner.cleanupStale!();
  if (inner.dispose) wrapped.dispose = () => inner.dispose!();
  return wrapped;
}
