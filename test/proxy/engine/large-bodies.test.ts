// Large bodies arrive intact: the engine reads server sockets into a reused buffer, so a slow client (writes
// that queue) and many concurrent downloads are the cases that would corrupt them if the buffer were reused early.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type EngineHandle } from '../../helpers/engine.ts';

const BODY = randomBytes(3 * 1024 * 1024 + 17);
const SHA = createHash('sha256').update(BODY).digest('hex');

/** Downloads path through the proxy; with slowMs the client reads in small sips, pausing between them. */
function download(port: number, path: string, slowMs = 0): Promise<{ status: number; sha: string; length: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const hash = createHash('sha256');
      let length = 0;
      res.on('data', (d: Buffer) => {
        hash.update(d);
        length += d.length;
        if (slowMs > 0) {
          res.pause();
          setTimeout(() => res.resume(), slowMs);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha: hash.digest('hex'), length }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('large bodies through the engine', () => {
  let server: http.Server;
  let proxy: EngineHandle;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < BODY.length; i += 50_000) res.write(BODY.subarray(i, i + 50_000));
        res.end();
      } else {
        res.writeHead(200, { 'content-length': BODY.length });
        res.end(BODY);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    proxy = await startEngine(`
defaults
    timeout connect 1s
    timeout client 20s
    timeout server 20s
frontend web
    mode http
    bind 127.0.0.1:{{port}}
    default_backend be
frontend tcp_in
    mode tcp
    bind 127.0.0.1:{{port1}}
    default_backend tcp_be
backend be
    mode http
    server s1 127.0.0.1:${port}
backend tcp_be
    mode tcp
    server s1 127.0.0.1:${port}
`, { ports: 2 });
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it.each([
    ['a length-framed body, eight at once', '/length', 0, 'http'],
    ['a chunked body, eight at once', '/chunked', 0, 'http'],
    ['a body read slowly by the client', '/length', 2, 'http'],
    ['a chunked body read slowly', '/chunked', 2, 'http'],
    ['a body through mode tcp, eight at once', '/length', 0, 'tcp'],
    ['a body through mode tcp read slowly', '/chunked', 2, 'tcp'],
  ] as const)('delivers %s byte for byte', async (_name, path, slowMs, mode) => {
    const port = mode === 'http' ? proxy.ports[0]! : proxy.ports[1]!;
    const n = slowMs > 0 ? 2 : 8;
    const results = await Promise.all(Array.from({ length: n }, () => download(port, path, slowMs)));
    for (const r of results) expect(r).toEqual({ status: 200, sha: SHA, length: BODY.length });
  });
});
