// http-reuse against real HAProxy 2.6, seen from the server: how many connections it accepts when client A sends
// one or two requests and leaves, then client B sends one. never and safe (the default) give B's first request a
// new connection; aggressive lets it take one that already carried two requests; always takes any.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { exchange, serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const MODES = ['never', 'safe', 'aggressive', 'always'] as const;

const CONFIG = (ports: readonly number[]) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-keep-alive 5s
${MODES.map((m, i) => `listen ${m}
    bind 127.0.0.1:{{port${i}}}
    http-reuse ${m}
    server s1 127.0.0.1:${ports[i]}
`).join('')}`;

// A keep-alive server that counts the connections it accepts.
async function counting(): Promise<{ server: TestServer; count: () => number; reset: () => void }> {
  let n = 0;
  const server = await serveOnLoopback((sock: net.Socket) => {
    n++;
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  return { server, count: () => n, reset: () => (n = 0) };
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** Server connections per mode, for A sending `aRequests` then B sending one. */
async function play(ports: readonly number[], servers: { count: () => number; reset: () => void }[], aRequests: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < MODES.length; i++) {
    servers[i]!.reset();
    await exchange(ports[i]!, GET.repeat(aRequests), 300);
    await new Promise((r) => setTimeout(r, 100));
    await exchange(ports[i]!, GET, 300);
    out.push(servers[i]!.count());
  }
  return out;
}

describe.skipIf(!hasHaproxy)('http-reuse decides server connections as real HAProxy 2.6 does', () => {
  const servers: Awaited<ReturnType<typeof counting>>[] = [];
  const expected: number[][] = [];
  const got: number[][] = [];

  beforeAll(async () => {
    for (let i = 0; i < MODES.length; i++) servers.push(await counting());
    const cfg = CONFIG(servers.map((s) => s.server.port));
    const real = await startHaproxy(cfg, { ports: MODES.length });
    try {
      for (const n of [1, 2]) expected.push(await play(real.ports, servers, n));
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { ports: MODES.length });
    try {
      for (const n of [1, 2]) got.push(await play(ours.ports, servers, n));
    } finally {
      await ours.stop();
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) await s.server.close();
  });

  it('after a client that sent one request (never, safe, aggressive, always)', () => {
    expect(expected[0]).toEqual([2, 2, 2, 1]);
    expect(got[0]).toEqual(expected[0]);
  });

  it('after a client that sent two requests on its connection', () => {
    // always: the idle connections left by the first round serve the whole second one
    expect(expected[1]).toEqual([2, 2, 1, 0]);
    expect(got[1]).toEqual(expected[1]);
  });
});
