// The peers protocol's bytes, against real HAProxy 2.6: a test client says hello as a peer, asks for a resync and
// reads what comes back from haproxy and from the engine on the same config and traffic: the status line, the
// table definitions byte for byte, the lesson's updates (update ids and lifetimes masked, as they depend on each
// process's history and clock), the resync end, and the error messages a malformed message gets.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../proxy/peers/messages.ts';
import { startEngine } from '../helpers/engine.ts';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { exchange } from '../helpers/raw-http.ts';

const CONFIG = (fe: number, me: number, far: number) => `
global
    localpeer hap
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
peers mesh
    peer hap 127.0.0.1:${me}
    peer lab 127.0.0.1:${far}
    table hits type ip size 1k expire 10m store http_req_cnt,gpc0,conn_cnt,gpt(3),bytes_out_cnt,gpc1
    table names type string len 12 size 100 expire 10m store gpc0,http_req_cnt
    table ids type integer size 100 store gpt0
    table rates type ipv6 size 10 expire 1m store http_req_rate(10s),gpc_rate(2,1m)
frontend fe
    bind 127.0.0.1:${fe}
    http-request track-sc0 src table mesh/hits
    http-request track-sc1 req.hdr(x-user) table mesh/names if { req.hdr(x-user) -m found }
    http-request track-sc2 src table mesh/rates
    http-request sc-inc-gpc0(0) if { path /inc }
    http-request sc-inc-gpc1(0) if { path /inc }
    http-request sc-set-gpt(2,0) 9 if { path /inc }
    http-request sc-inc-gpc(1,2) if { path /inc }
    http-request track-sc2 req.hdr(x-id) table mesh/ids if { req.hdr(x-id) -m found }
    http-request sc-set-gpt0(2) 31 if { req.hdr(x-id) -m found }
    http-request return status 200 content-type text/plain string ok
`;

async function traffic(fe: number): Promise<void> {
  const send = (path: string, from: string, headers = ''): Promise<string> =>
    exchange(fe, `GET ${path} HTTP/1.1\r\nHost: h\r\n${headers}Connection: close\r\n\r\n`, 300, false, from);
  await send('/', '127.0.0.1');
  await send('/inc', '127.0.0.1', 'X-User: ann\r\n');
  await send('/inc', '127.0.0.2', 'X-User: a-much-longer-name\r\nX-Id: 4000000000\r\n');
}

/** What the peer port sends after `hello` then `then`, until it is quiet for `quietMs` or closes. */
function converse(port: number, hello: string, then: Buffer, quietMs = 700): Promise<{ status: string; rest: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      s.destroy();
      const nl = got.indexOf(10);
      resolve({ status: nl < 0 ? got.toString('latin1') : got.subarray(0, nl + 1).toString('latin1'), rest: nl < 0 ? Buffer.alloc(0) : got.subarray(nl + 1), closed });
    };
    const quiet = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, quietMs);
    };
    s.on('connect', () => {
      s.write(hello);
      setTimeout(() => s.write(then), 150);
      quiet();
    });
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      quiet();
    });
    s.on('end', () => {
      closed = true;
      finish();
    });
    s.on('error', finish);
  });
}

/** The messages as hex, updates masked: ids (4 bytes) and lifetimes (4 bytes) of the timed ones. */
function messages(bytes: Buffer): string[] {
  const out: string[] = [];
  let buf = bytes;
  while (buf.length > 0) {
    const r = readMessage(buf);
    if (!('message' in r)) {
      out.push(`rest ${buf.toString('hex')}`);
      break;
    }
    const { cls, type, body } = r.message;
    let shown = body.toString('hex');
    if (cls === 10 && type === 0x85) shown = `ID LIFE ${body.subarray(8).toString('hex')}`;
    // the ipv6 table's rates say how long ago their period started: only its keys are compared byte for byte
    if (cls === 10 && type === 0x85 && body.length > 24 && body.subarray(8, 18).equals(Buffer.alloc(10))) shown = `ID LIFE ${body.subarray(8, 24).toString('hex')} RATES`;
    if (cls === 10 && type === 0x80) shown = `ID ${body.subarray(4).toString('hex')}`;
    out.push(`${cls}/${type.toString(16)} ${shown}`.trimEnd());
    buf = buf.subarray(r.used);
  }
  return out;
}

interface Seen {
  readonly lesson: { status: string; messages: string[] };
  readonly errors: { status: string; messages: string[]; closed: boolean }[];
}

const HELLO = 'HAProxyS 2.1\nhap\nlab 4242 1\n';
// after the hello: a resync request; then malformed sequences
const BAD = [Buffer.from([255, 0]), Buffer.from([10, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from([10, 0x80, 0xf0, 0xff, 0x10])];

async function look(port: number): Promise<Seen> {
  const l = await converse(port, HELLO, Buffer.from([0, 0]));
  const errors: Seen['errors'] = [];
  for (const b of BAD) {
    const r = await converse(port, HELLO, b, 500);
    errors.push({ status: r.status, messages: messages(r.rest), closed: r.closed });
  }
  return { lesson: { status: l.status, messages: messages(l.rest) }, errors };
}

// Entries come in each process's own order (HAProxy's update tree, the engine's keys): compared as a set after the
// control messages and definitions, whose order is compared as it is.
const split = (m: string[]): { order: string[]; updates: string[] } => ({
  order: m.filter((x) => !x.startsWith('10/85') && !x.startsWith('10/86') && !x.startsWith('10/80') && !x.startsWith('10/81')),
  updates: m.filter((x) => /^10\/8[0156]/.test(x)).map((x) => x.replace(/^10\/86 /, '10/85 ID LIFE ')).sort(),
});

describe.skipIf(!hasHaproxy)("the peers protocol's messages are HAProxy 2.6's, byte for byte", () => {
  it('answers a resync request with the same table definitions, updates and resync end, and malformed messages with the same errors', async () => {
    const [fe, me, far] = [await freePort(), await freePort(), await freePort()];
    const h = await startHaproxy(CONFIG(fe, me, far), { waitPorts: [fe, me] });
    let want: Seen;
    try {
      await traffic(fe);
      want = await look(me);
    } finally {
      await h.stop();
    }
    const e = await startEngine(CONFIG(fe, me, far));
    let got: Seen;
    try {
      await traffic(fe);
      got = await look(me);
    } finally {
      await e.stop();
    }
    expect(want.lesson.status).toBe('200\n');
    expect(got.lesson.status).toBe(want.lesson.status);
    // haproxy asks for a lesson of its own first, defines its tables, sends the entries, then "partial" (its own
    // resync is not over)
    expect(want.lesson.messages[0]).toBe('0/0');
    const [w, g] = [split(want.lesson.messages), split(got.lesson.messages)];
    expect(w.updates.length).toBe(6);
    expect(g.order).toEqual(w.order);
    expect(g.updates).toEqual(w.updates);
    expect(got.errors).toEqual(want.errors);
  }, 60_000);
});
