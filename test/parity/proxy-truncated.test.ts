// A PROXY header split across packets, against real HAProxy 2.6: conn_recv_proxy() judges the header from one
// peek of what has arrived, so a header whose first packet is not all of it is "Truncated" (logged, the connection
// closed, nothing served), on an accept-proxy bind and after a `tcp-request connection expect-proxy` rule alike,
// in mode http and tcp. A whole header in the first packet is taken, whatever follows later.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { normalize, normalizeLog, serveOnLoopback, settle, TRAFFIC_LINE, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend accept
    bind 127.0.0.1:{{port0}} accept-proxy
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port]"
frontend expect
    bind 127.0.0.1:{{port1}}
    tcp-request connection reject if { src 127.0.0.66 }
    tcp-request connection expect-proxy layer4 if { src 127.0.0.2 }
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port]"
listen tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:{{port2}} accept-proxy
    server s1 127.0.0.1:${port}
`;

// a mode tcp server that says what it received first, then closes
function firstBytes(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    sock.once('data', (d: Buffer) => sock.end(`got=[${d.toString('latin1').split('\r\n')[0]}]`));
  });
}

const V1 = 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 80\r\n';
const V2 = Buffer.concat([
  Buffer.from('0d0a0d0a000d0a515549540a', 'hex'), Buffer.from([0x21, 0x11, 0, 12]),
  Buffer.from([127, 9, 8, 7, 127, 0, 0, 1]), Buffer.from([0x15, 0xb3, 0, 80]),
]).toString('latin1');
const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

interface SplitCase {
  readonly name: string;
  /** Written one after the other, 150 ms apart (each its own packet). */
  readonly parts: readonly string[];
  readonly port: number;
  readonly from?: string;
}

const CASES: SplitCase[] = [
  { name: 'a v1 header cut after its source address is truncated', parts: [V1.slice(0, 21), V1.slice(21) + GET], port: 0 },
  { name: 'a v1 header without its CRLF in the first packet is truncated', parts: [V1.slice(0, -2), '\r\n' + GET], port: 0 },
  { name: 'four bytes of a v1 header are truncated', parts: ['PROX', V1.slice(4) + GET], port: 0 },
  { name: 'a v2 header cut inside its addresses is truncated', parts: [V2.slice(0, 20), V2.slice(20) + GET], port: 0 },
  { name: 'a v2 signature cut short is truncated', parts: [V2.slice(0, 10), V2.slice(10) + GET], port: 0 },
  { name: 'a whole header first, the request later: served', parts: [V1, GET], port: 0 },
  { name: 'expect-proxy: a split header is truncated too', parts: [V1.slice(0, 30), V1.slice(30) + GET], port: 1, from: '127.0.0.2' },
  { name: 'expect-proxy: a whole header first is taken', parts: [V1, GET], port: 1, from: '127.0.0.2' },
  { name: 'a connection rule refuses before any header is read', parts: [V1.slice(0, 30), V1.slice(30) + GET], port: 1, from: '127.0.0.66' },
  { name: 'mode tcp: a split header is truncated', parts: [V1.slice(0, 25), V1.slice(25) + 'hello'], port: 2 },
  { name: 'mode tcp: a whole header first, then the data', parts: [V1, 'hello'], port: 2 },
];

// Writes the parts apart, then collects what comes back until the proxy closes or goes quiet.
function sendSplit(port: number, c: SplitCase): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, ...(c.from ? { localAddress: c.from } : {}) });
    let out = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(quiet);
      sock.destroy();
      resolve(out);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(done, 400);
    });
    sock.on('close', done);
    sock.on('error', done);
    sock.on('connect', async () => {
      for (const [i, p] of c.parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 150));
        if (sock.destroyed) return;
        sock.write(Buffer.from(p, 'latin1'));
      }
      quiet = setTimeout(done, 600);
    });
  });
}

interface Seen { bytes: string; logs: string[] }

async function play(proxy: { ports: readonly number[]; logs: string[] }): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  for (const c of CASES) {
    const before = proxy.logs.length;
    const bytes = normalize(await sendSplit(proxy.ports[c.port]!, c));
    await settle();
    seen.set(c.name, { bytes, logs: proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog) });
  }
  return seen;
}

describe.skipIf(!hasHaproxy)('a PROXY header split across packets is truncated as in real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await firstBytes();
    const cfg = CONFIG(srv.port);
    const real = await startHaproxy(cfg, { ports: 3 });
    try {
      expected = await play(real);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { ports: 3 });
    try {
      got = await play(ours);
    } finally {
      await ours.stop();
    }
  }, 90_000);

  afterAll(async () => {
    await srv?.close();
  });

  for (const c of CASES) {
    it(c.name, () => {
      expect(got.get(c.name)?.bytes).toBe(expected.get(c.name)?.bytes);
      expect(got.get(c.name)?.logs).toEqual(expected.get(c.name)?.logs);
    });
  }

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    for (const i of [0, 1, 2, 3, 4, 6, 9]) {
      expect(seen(i).bytes).toBe('');
      expect(seen(i).logs.join('\n')).toContain('Truncated PROXY protocol header received');
    }
    expect(seen(5).bytes).toContain('src=127.1.2.3:5555');
    expect(seen(7).bytes).toContain('src=127.1.2.3:5555');
    expect(seen(8).bytes).toBe('');
    expect(seen(10).bytes).toBe('got=[hello]');
  });
});
