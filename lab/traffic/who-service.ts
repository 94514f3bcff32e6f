// A tiny loopback service through which `lab curl` (another process) asks the lab that runs the engine who
// answered its connection: GET /who?port=CLIENTPORT → {"backend":"servers","server":"app2","status":404,...}.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnsweredBy, Answered } from './answered-by.ts';

export interface WhoService {
  readonly port: number;
  close(): Promise<void>;
}

// Serves the answers `by` has seen on 127.0.0.1 (a free port).
export async function startWhoService(by: AnsweredBy): Promise<WhoService> {
  const server = http.createServer((req, res) => {
    const m = /^\/who\?port=(\d+)$/.exec(req.url ?? '');
    const a = m ? by.byClientPort(Number(m[1])) : undefined;
    res.writeHead(a ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a ?? null));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// Asks the service who answered the connection from clientPort; null when it does not know (or is gone).
export function askWho(whoPort: number, clientPort: number, timeoutMs = 500): Promise<Answered | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: whoPort, path: `/who?port=${clientPort}`, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answered) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
