// Small Node HTTP servers that answer with their own name, so a test can tell which server a proxy picked;
// each records the requests it saw and can hold responses open to build up concurrent connections.
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  /** Which named server received it. */
  readonly name: string;
  readonly method: string;
  readonly url: string;
  /** Raw header pairs as received: [name0, value0, ...]. */
  readonly headers: readonly string[];
  /** The peer address as this server saw it (the proxy's side of the connection). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Global arrival order across all servers of this set, from 0. */
  readonly seq: number;
}

export interface NamedServer {
  readonly name: string;
  readonly port: number;
  /** Requests this server received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Responses currently held open (see hold()). */
  readonly open: number;
}

export interface NamedBackends {
  readonly servers: readonly NamedServer[];
  /** Every request received by any server, in arrival order. */
  readonly log: RecordedRequest[];
  /** Holds every response from now on until release() (or the returned function) is called. */
  hold(): () => void;
  /** Answers every held response. */
  release(): void;
  /** Resolves once the set has received `count` requests in total (from its start). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Stops every server and destroys open connections. Safe to call twice. */
  close(): Promise<void>;
}

interface Mutable {
  name: string;
  port: number;
  requests: RecordedRequest[];
  open: number;
  server: Server;
  sockets: Set<Socket>;
}

// Starts one HTTP server per name on a free 127.0.0.1 port; each answers 200 with body = its name.
export async function startNamedBackends(names: readonly string[]): Promise<NamedBackends> {
  const log: RecordedRequest[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const waiters: { count: number; resolve: () => void }[] = [];
  const entries: Mutable[] = [];

  const notify = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (log.length >= waiters[i]!.count) {
        waiters[i]!.resolve();
        waiters.splice(i, 1);
      }
    }
  };

  for (const name of names) {
    const entry: Mutable = { name, port: 0, requests: [], open: 0, server: undefined as unknown as Server, sockets: new Set() };
    const answer = (res: ServerResponse): void => {
      entry.open--;
      res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': name });
      res.end(name);
    };
    entry.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const rec: RecordedRequest = {
        name,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.rawHeaders,
        remoteAddress: req.socket.remoteAddress ?? '',
        remotePort: req.socket.remotePort ?? 0,
        seq: log.length,
      };
      entry.requests.push(rec);
      log.push(rec);
      entry.open++;
      req.resume();
      req.on('end', () => {
        if (holding) held.push(() => answer(res));
        else answer(res);
      });
      notify();
    });
    entry.server.on('connection', (s: Socket) => {
      entry.sockets.add(s);
      s.on('close', () => entry.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      entry.server.once('error', reject);
      entry.server.listen(0, '127.0.0.1', () => resolve());
    });
    entry.port = (entry.server.address() as AddressInfo).port;
    entries.push(entry);
  }

  const release = (): void => {
    holding = false;
    for (const fn of held.splice(0)) fn();
  };
  let closed = false;

  return {
    servers: entries.map((e) => ({
      name: e.name,
      port: e.port,
      requests: e.requests,
      get open() {
        return e.open;
      },
    })),
    log,
    hold() {
      holding = true;
      return release;
    },
    release,
    waitForRequests(count: number, timeoutMs = 5000) {
      if (log.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`named backends: expected ${count} request(s) within ${timeoutMs} ms, received ${log.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      release();
      await Promise.all(
        entries.map(
          (e) =>
            new Promise<void>((resolve) => {
              for (const s of e.sockets) s.destroy();
              e.server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

export interface AskOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Client source address, e.g. "127.0.0.7" (any 127.x works on Linux). */
  readonly localAddress?: string;
  /** Reuse connections through this agent; default: a fresh connection per request ("Connection: close"). */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

// Sends one HTTP request to 127.0.0.1:port and returns status and body (the answering server's name).
export function ask(port: number, path = '/', opts: AskOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (!opts.agent && !Object.keys(headers).some((h) => h.toLowerCase() === 'connection')) headers['connection'] = 'close';
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers,
        localAddress: opts.localAddress,
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`ask: no answer from 127.0.0.1:${port}${path} within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// Sends the requests one after another and returns who answered each (the body).
export async function askSequence(port: number, paths: readonly string[], opts: AskOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) out.push((await ask(port, p, opts)).body);
  return out;
}
