// The peers protocol against real HAProxy 2.6: the engine and haproxy as two peers of one section on loopback
// ports, traffic tracked on one side and the entry read on the other through "show table" (both directions),
// the lesson a peer gives on connecting (a resync) with the entries' remaining lifetimes, and two engines as peers.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../proxy/runtime-api/index.ts';
import { startEngine, type EngineHandle } from '../helpers/engine.ts';
import { freePort, hasHaproxy, startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { exchange } from '../helpers/raw-http.ts';

// {{me}} is this side's peer name; {{fe}} its frontend port; {{hap}} / {{lab}} the two peer ports.
const CONFIG = `
global
    stats socket {{sock}} level admin
    localpeer {{me}}
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
peers mesh
    peer hap 127.0.0.1:{{hap}}
    peer lab 127.0.0.1:{{lab}}
    table hits type ip size 1k expire 10m store http_req_cnt,http_req_rate(10s),gpc0,conn_cur,conn_cnt,gpt(2),gpc_rate(2,1m),bytes_out_cnt
    table names type string len 16 size 100 expire 10m store gpc0
    table ids type integer size 100 expire 10m store gpt0
backend shared
    stick-table type ipv6 size 10 expire 10m store http_req_cnt peers mesh
frontend fe
    bind 127.0.0.1:{{fe}}
    http-request track-sc0 src table mesh/hits
    http-request track-sc1 req.hdr(x-user) table mesh/names if { req.hdr(x-user) -m found }
    http-request track-sc2 src table shared
    http-request sc-inc-gpc0(0) if { path /inc }
    http-request sc-inc-gpc0(1) if { path /inc }
    http-request sc-inc-gpc(1,0) if { path /inc }
    http-request sc-set-gpt(1,0) 7 if { path /inc }
    http-request track-sc2 req.hdr(x-id) table mesh/ids if { req.hdr(x-id) -m found }
    http-request sc-set-gpt0(2) 42 if { req.hdr(x-id) -m found }
    http-request return status 200 content-type text/plain lf-string "cnt=%[sc0_http_req_cnt] gpc0=%[sc0_get_gpc0]\\n"
`;

interface Ports {
  readonly hap: number;
  readonly lab: number;
}

const fill = (me: string, fe: number, p: Ports): string =>
  CONFIG.replace('{{me}}', me).replace('{{fe}}', String(fe)).replace('{{hap}}', String(p.hap)).replace('{{lab}}', String(p.lab));

interface Side {
  readonly fe: number;
  cli(command: string): Promise<string>;
  stop(): Promise<void>;
}

function askSocket(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path);
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(`${command}\n`);
  });
}

async function real(me: string, p: Ports): Promise<Side & { h: HaproxyHandle }> {
  const fe = await freePort();
  const h = await startHaproxy(fill(me, fe, p), { waitPorts: [fe, me === 'hap' ? p.hap : p.lab] });
  return { h, fe, cli: (c) => askSocket(h.socketPath, c), stop: () => h.stop() };
}

async function ours(me: string, p: Ports): Promise<Side & { e: EngineHandle }> {
  const fe = await freePort();
  const e = await startEngine(fill(me, fe, p).replace(/^ {4}stats socket.*\n/m, ''));
  const cli = createCommandProcessor(e.engine, { level: 'admin' });
  return { e, fe, cli: async (c) => `${cli.run(c).output}\n`, stop: () => e.stop() };
}

async function traffic(side: Side): Promise<void> {
  const send = (path: string, from: string, headers = ''): Promise<string> =>
    exchange(side.fe, `GET ${path} HTTP/1.1\r\nHost: h\r\n${headers}Connection: close\r\n\r\n`, 300, false, from);
  await send('/', '127.0.0.1');
  await send('/inc', '127.0.0.1', 'X-User: ann\r\n');
  await send('/', '127.0.0.2', 'X-User: bob\r\nX-Id: 1234\r\n');
  await send('/inc', '127.0.0.3', 'X-User: ann\r\n');
}

// The entry address, the expiry countdown and a rate's fading differ between two processes and two moments.
const mask = (t: string): string => t.replace(/^0x[0-9a-f]+:/gm, 'ADDR:').replace(/exp=\d+/g, 'exp=EXP');

const TABLES = ['show table mesh/hits', 'show table mesh/names', 'show table mesh/ids', 'show table shared'];

async function tables(side: Side): Promise<string[]> {
  const out: string[] = [];
  for (const t of TABLES) out.push(mask(await side.cli(t)));
  return out;
}

/** Polls until every table has as many entries as on the side that tracked (or the time is up). */
async function until(side: Side, want: string[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let got = await tables(side);
  while (Date.now() < deadline && got.join() !== want.join()) {
    await new Promise((r) => setTimeout(r, 200));
    got = await tables(side);
  }
  return got;
}

/** Seconds left in each entry's exp=, in table order. */
async function expiries(side: Side): Promise<number[]> {
  const out: number[] = [];
  for (const t of TABLES) for (const m of (await side.cli(t)).matchAll(/exp=(\d+)/g)) out.push(Number(m[1]));
  return out;
}

// conn_cur is local to each process (is_local): the tracked side's 0 (connections closed) is the receiver's 0 too.
describe.skipIf(!hasHaproxy)('the peers protocol between the engine and HAProxy 2.6', () => {
  it('pushes what haproxy tracks to the engine, with every data type, as haproxy shows it', async () => {
    const ports = { hap: await freePort(), lab: await freePort() };
    const e = await ours('lab', ports);
    const h = await real('hap', ports);
    try {
      await traffic(h);
      const want = await tables(h);
      expect(want[0]).toContain('http_req_cnt=2');
      const got = await until(e, want, 12_000);
      expect(got).toEqual(want);
    } finally {
      await h.stop();
      await e.stop();
    }
  }, 40_000);

  it('pushes what the engine tracks to haproxy, which shows the same entries', async () => {
    const ports = { hap: await freePort(), lab: await freePort() };
    const h = await real('hap', ports);
    const e = await ours('lab', ports);
    try {
      await traffic(e);
      const want = await tables(e);
      expect(want[1]).toContain('key=ann');
      const got = await until(h, want, 12_000);
      expect(got).toEqual(want);
    } finally {
      await e.stop();
      await h.stop();
    }
  }, 40_000);

  it('keeps an idle session alive with heartbeats both ways, so a later update arrives at once', async () => {
    const ports = { hap: await freePort(), lab: await freePort() };
    const e = await ours('lab', ports);
    const h = await real('hap', ports);
    try {
      await traffic(h);
      const first = await tables(h);
      expect(await until(e, first, 12_000)).toEqual(first);
      // longer than two reconnect periods (5 s): a side that heard nothing would close the session
      await new Promise((r) => setTimeout(r, 11_000));
      const peers = await h.cli('show peers');
      expect(peers).toMatch(/id=lab\(remote,active\).*last_status=ESTA/);
      expect(Number(/id=lab\(remote[^\n]*\n[^\n]*rx_hbt=(\d+)/.exec(peers)?.[1])).toBeGreaterThanOrEqual(2);
      expect(Number(/id=lab\(remote[^\n]*\n[^\n]*no_hbt=(\d+)/.exec(peers)?.[1])).toBe(0);
      await exchange(h.fe, 'GET /inc HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 300, false, '127.0.0.9');
      const want = await tables(h);
      expect(await until(e, want, 1000)).toEqual(want);
    } finally {
      await h.stop();
      await e.stop();
    }
  }, 40_000);

  // A peer that starts late gets a lesson (timed updates: the lifetimes left), then, once the two resyncs end,
  // the other side's own pushes of the same entries (untimed: the receiver's full table expiry). Which one it ends
  // with is what a second haproxy shows in the same place.
  async function lateStart(first: (p: Ports) => Promise<Side>, second: (p: Ports) => Promise<Side>): Promise<{ want: string[]; got: string[]; exp: number[] }> {
    const ports = { hap: await freePort(), lab: await freePort() };
    const a = await first(ports);
    try {
      await traffic(a);
      // the entries age, so that lifetimes left and full ones differ
      await new Promise((r) => setTimeout(r, 3000));
      const want = await tables(a);
      const b = await second(ports);
      try {
        const got = await until(b, want, 12_000);
        // the resyncs end within a second (both sides answer "partial"): what b holds then is what it keeps
        await new Promise((r) => setTimeout(r, 1000));
        return { want, got, exp: await expiries(b) };
      } finally {
        await b.stop();
      }
    } finally {
      await a.stop();
    }
  }

  it('learns what haproxy held before the engine started, with the lifetimes a second haproxy ends with', async () => {
    const pair = await lateStart((p) => real('hap', p), (p) => real('lab', p));
    const mixed = await lateStart((p) => real('hap', p), (p) => ours('lab', p));
    expect(mixed.got).toEqual(mixed.want);
    expect(mixed.exp.length).toBe(pair.exp.length);
    mixed.exp.forEach((ms, i) => expect(Math.abs(ms - pair.exp[i]!)).toBeLessThan(1500));
  }, 60_000);

  it('teaches haproxy what the engine held before haproxy started, as a haproxy peer would', async () => {
    const pair = await lateStart((p) => real('lab', p), (p) => real('hap', p));
    const mixed = await lateStart((p) => ours('lab', p), (p) => real('hap', p));
    expect(mixed.got).toEqual(mixed.want);
    expect(mixed.exp.length).toBe(pair.exp.length);
    mixed.exp.forEach((ms, i) => expect(Math.abs(ms - pair.exp[i]!)).toBeLessThan(1500));
  }, 60_000);
});

describe('the peers protocol between two engines', () => {
  it('pushes each side’s updates to the other and counts on from what the peer sent', async () => {
    const ports = { hap: await freePort(), lab: await freePort() };
    const a = await ours('hap', ports);
    const b = await ours('lab', ports);
    try {
      await traffic(a);
      const want = await tables(a);
      expect(await until(b, want, 12_000)).toEqual(want);
      // b counts on from the pushed entry, and a gets b's counts back
      await exchange(b.fe, 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', 300, false, '127.0.0.1');
      const after = await tables(b);
      expect(after[0]).toMatch(/key=127\.0\.0\.1 .*http_req_cnt=3/);
      expect(await until(a, after, 12_000)).toEqual(after);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 40_000);
});
