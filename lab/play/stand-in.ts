// A builtin stand-in for a server the playground cannot reach: an HTTP server on 127.0.0.1 that names itself and
// echoes what it received (method, path, query, headers, the client address it saw), so any config answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The response header a stand-in names itself in (who answered, even for a body the learner does not read). */
export const STAND_IN_HEADER = 'x-lab-stand-in';

export interface StandInSpec {
  readonly backend: string;
  readonly server: string;
  /** The address as the config wrote it, e.g. "10.1.2.3:80" or "db1.example:5432". */
  readonly written: string;
  /** Listen here (0: any free port). */
  readonly port?: number;
}

export interface StandIn {
  readonly spec: StandInSpec;
  readonly port: number;
  /** Requests answered so far. */
  served(): number;
  /** Stops answering (the server goes DOWN for health checks); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  close(): Promise<void>;
}

// The body a stand-in answers with: its name first, then the request as it arrived.
export function standInBody(spec: StandInSpec, req: { method: string; url: string; version: string; headers: readonly string[]; client: string }): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const lines = [
    `${spec.server} answered (lab stand-in for ${spec.backend}/${spec.server} ${spec.written})`,
    `${req.method} ${path} HTTP/${req.version}`,
    `query: ${query === '' ? '(none)' : query}`,
    `client: ${req.client}`,
    'headers received:',
  ];
  for (let i = 0; i + 1 < req.headers.length; i += 2) lines.push(`  ${req.headers[i]!.toLowerCase()}: ${req.headers[i + 1]}`);
  return lines.join('\n') + '\n';
}

// Starts a stand-in on 127.0.0.1 (a free port unless spec.port is set).
export async function startStandIn(spec: StandInSpec): Promise<StandIn> {
  let count = 0;
  let server: http.Server | null = null;
  let port = spec.port ?? 0;
  const listen = async (): Promise<void> => {
    const s = http.createServer((req, res) => {
      count++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = standInBody(spec, {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          version: req.httpVersion,
          headers: req.rawHeaders,
          client: `${req.socket.remoteAddress ?? '?'} port ${req.socket.remotePort ?? 0}`,
        }) + (chunks.length > 0 ? `body: ${Buffer.concat(chunks).toString('utf8')}\n` : '');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', [STAND_IN_HEADER]: spec.server });
        res.end(body);
      });
    });
    s.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        s.off('error', reject);
        resolve();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = null;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  };
  await listen();
  return {
    spec,
    get port() {
      return port;
    },
    served: () => count,
    stop,
    start: async () => {
      if (!server) await listen();
    },
    running: () => server !== null,
    close: stop,
  };
}
