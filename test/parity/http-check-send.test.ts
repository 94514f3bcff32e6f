// "http-check send" against real HAProxy 2.6: the bytes a health check sends (method, URI, version, the headers
// in the order written and lower-cased, a body with its content-length, connection: close on HTTP/1.1), captured
// by a raw server on 127.0.0.1 from each proxy in turn.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';

const CONFIG = (ports: number[]) => `
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    default-server check inter 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend posted
backend posted
    option httpchk
    http-check send meth POST uri /health ver HTTP/1.1 hdr Host example.test hdr X-Probe yes body "hello=1"
    server s 127.0.0.1:${ports[0]}
backend headers
    option httpchk GET /x HTTP/1.1
    http-check send hdr X-Two "a b" hdr Host h2.test
    server s 127.0.0.1:${ports[1]}
backend plain10
    option httpchk HEAD /ping
    http-check send hdr User-Agent lab-check
    server s 127.0.0.1:${ports[2]}
`;

// The first request each of the raw servers receives.
async function capture(ports: number[], start: () => Promise<{ stop(): Promise<void> }>): Promise<string[]> {
  const got: (string | undefined)[] = ports.map(() => undefined);
  const servers = await Promise.all(
    ports.map(
      (port, i) =>
        new Promise<net.Server>((resolve) => {
          const srv = net.createServer((s) => {
            s.on('error', () => {});
            s.on('data', (d) => {
              got[i] ??= d.toString('latin1');
              s.end('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n');
            });
          });
          srv.listen(port, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const proxy = await start();
  try {
    for (let i = 0; i < 40 && got.some((g) => g === undefined); i++) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await proxy.stop();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
  return got.map((g) => g ?? '(nothing)');
}

describe.skipIf(!hasHaproxy)('http-check send builds the request HAProxy 2.6 sends', () => {
  it('sends the same bytes for meth/uri/ver/hdr/body', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const cfg = CONFIG(ports);
    const theirs = await capture(ports, () => startHaproxy(cfg));
    const ours = await capture(ports, () => startEngine(cfg, { healthChecks: true }));
    expect(theirs[0]).toContain('hello=1');
    expect(ours).toEqual(theirs);
  }, 30_000);
});
