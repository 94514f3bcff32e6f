// A persistence cookie naming a server at maxconn, against real HAProxy 2.6: the request waits in that server's
// own queue (logged with its queue time and the server's queue count) and is then served by it, never by another
// server and never beyond maxconn. The servers answer 300 ms late and record how many requests they held at once.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { normalizeLog, serveOnLoopback, settle, TRAFFIC_LINE, type TestServer } from '../helpers/raw-http.ts';

interface Slow {
  readonly server: TestServer;
  /** The most requests it held unanswered at once. */
  peak: number;
  seen: string[];
}

async function slow(name: string): Promise<Slow> {
  const self: { server?: TestServer; peak: number; seen: string[] } = { peak: 0, seen: [] };
  let open = 0;
  self.server = await serveOnLoopback((sock) => {
    sock.on('error', () => sock.destroy());
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        const path = buf.slice(0, buf.indexOf('\r\n\r\n')).split(' ')[1]!;
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        self.seen.push(path);
        self.peak = Math.max(self.peak, ++open);
        setTimeout(() => {
          open--;
          const body = `${name}${path}`;
          if (!sock.destroyed) sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        }, 300);
      }
    });
  });
  return self as Slow;
}

const CONFIG = (a: number, b: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 3s
    timeout server 3s
    timeout queue 3s
listen app
    bind 127.0.0.1:{{port0}}
    cookie SRV
    server a 127.0.0.1:${a} cookie a maxconn 1
    server b 127.0.0.1:${b} cookie b
`;

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: SRV=a\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(out.split('\r\n\r\n')[1] ?? ''));
  });
}

interface Seen {
  readonly bodies: string[];
  readonly logs: string[];
  readonly peakA: number;
  readonly seenB: string[];
}

async function play(proxy: { ports: readonly number[]; logs: string[] }, a: Slow, b: Slow): Promise<Seen> {
  a.peak = 0;
  a.seen = [];
  b.seen = [];
  const before = proxy.logs.length;
  // each request is sent 50 ms after the one before, so they reach the server's queue in a fixed order even on a
  // loaded machine (sent together, /2 and /3 could queue either way round and swap their log lines)
  const pause = () => new Promise((r) => setTimeout(r, 50));
  const first = get(proxy.ports[0]!, '/1');
  await pause();
  const second = get(proxy.ports[0]!, '/2');
  await pause();
  const bodies = await Promise.all([first, second, get(proxy.ports[0]!, '/3')]);
  await settle();
  const logs = proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog);
  return { bodies, logs, peakA: a.peak, seenB: b.seen };
}

describe.skipIf(!hasHaproxy)('a cookie whose server is at maxconn queues on that server, as in real HAProxy 2.6', () => {
  let a: Slow;
  let b: Slow;
  let expected: Seen;
  let got: Seen;

  beforeAll(async () => {
    a = await slow('a');
    b = await slow('b');
    const cfg = CONFIG(a.server.port, b.server.port);
    const real = await startHaproxy(cfg);
    try {
      expected = await play(real, a, b);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg);
    try {
      got = await play(ours, a, b);
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await a?.server.close();
    await b?.server.close();
  });

  it('serves every request from the cookie server, one at a time', () => {
    expect(expected.bodies).toEqual(['a/1', 'a/2', 'a/3']);
    expect(expected.peakA).toBe(1);
    expect(expected.seenB).toEqual([]);
    expect(got.bodies).toEqual(expected.bodies);
    expect(got.peakA).toBe(expected.peakA);
    expect(got.seenB).toEqual(expected.seenB);
  });

  it('logs the waiting requests with their queue time and queue counts', () => {
    expect(got.logs).toEqual(expected.logs);
  });
});
