// The runtime API against real haproxy 2.6: the same config, the same commands sent with socat, the same
// answers except for fields that depend on time, pid or the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatsSockets, type StatsSockets } from '../../../proxy/runtime-api/server.ts';
import { createHealthScheduler } from '../../../proxy/server/health/scheduler.ts';
import { configModel, FakeEngine } from '../../helpers/fake-engine.ts';
import { freePort, hasHaproxy, startHaproxy, type HaproxyHandle } from '../../helpers/haproxy.ts';
import { socat } from './socat.ts';

type Csv = Map<string, Record<string, string>>;

// Parses `show stat` into rows keyed "pxname/svname".
function parseCsv(text: string): { header: string; rows: Csv } {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines[0] ?? '';
  const cols = header.replace(/^# /, '').split(',');
  const rows: Csv = new Map();
  for (const l of lines.slice(1)) {
    const vals = l.split(',');
    rows.set(`${vals[0]}/${vals[1]}`, Object.fromEntries(cols.map((c, i) => [c, vals[i] ?? ''])));
  }
  return { header, rows };
}

/** Columns that depend on time, or on HAProxy's mux counters which also count its HTTP checks' connections. */
const VOLATILE = new Set([
  'lastchg', 'downtime', 'check_duration',
  'h1_open_connections', 'h1_open_streams', 'h1_total_connections', 'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out',
]);

function expectSameCsv(ours: string, theirs: string): void {
  const a = parseCsv(ours);
  const b = parseCsv(theirs);
  expect(a.header).toBe(b.header);
  expect([...a.rows.keys()]).toEqual([...b.rows.keys()]);
  for (const [key, row] of b.rows) {
    const mine = a.rows.get(key)!;
    for (const [col, v] of Object.entries(row)) {
      if (VOLATILE.has(col)) continue;
      expect({ row: key, col, value: mine[col] }).toEqual({ row: key, col, value: v });
    }
  }
}

const sinceField = (text: string): string =>
  text.replace(/^(\d+ \S+ \d+ \S+ \S+ \d+ \d+ \d+ \d+) \d+ /gm, '$1 T ');

describe.skipIf(!hasHaproxy)('runtime API answers as haproxy 2.6 does (socat)', () => {
  let haproxy: HaproxyHandle;
  let fake: FakeEngine;
  let sockets: StatsSockets;
  let dir: string;
  let ourSock: string;
  const listeners: Server[] = [];

  beforeAll(async () => {
    const ports = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    // server2 is checked against a port that accepts, so both sides see L4OK.
    const up = createServer((s) => s.on('error', () => {}).end());
    await new Promise<void>((r) => up.listen(ports[1], '127.0.0.1', () => r()));
    listeners.push(up);
    const [p1, p2, p3, p4, p5] = ports as [number, number, number, number, number];
    haproxy = await startHaproxy(
      `global
  stats socket {{sock}} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:{{port}}
  default_backend servers
backend servers
  balance roundrobin
  server server1 127.0.0.1:${p1} weight 2
  server server2 127.0.0.1:${p2} check inter 30000
  server server3 127.0.0.1:${p3} backup
backend st
  balance static-rr
  server a 127.0.0.1:${p4}
listen tl
  mode tcp
  bind 127.0.0.1:{{port1}}
  balance leastconn
  server t1 127.0.0.1:${p5} id 7
`,
      { ports: 2 },
    );
    const info = await socat(haproxy.socketPath, 'show info\n');
    const maxconn = Number(/^Maxconn: (\d+)$/m.exec(info)?.[1]);
    dir = mkdtempSync(join(tmpdir(), 'lab-rtapi-'));
    ourSock = join(dir, 'lab.sock');
    const model = configModel({
      statsSockets: [ourSock],
      maxconn,
      proxies: [
        { kind: 'frontend', name: 'web', binds: [`127.0.0.1:${haproxy.ports[0]}`], defaultBackend: 'servers' },
        {
          kind: 'backend',
          name: 'servers',
          servers: [
            { name: 'server1', port: p1, weight: 2 },
            { name: 'server2', port: p2, check: true, inter: 30000 },
            { name: 'server3', port: p3, backup: true },
          ],
        },
        { kind: 'backend', name: 'st', algorithm: 'static-rr', servers: [{ name: 'a', port: p4 }] },
        { kind: 'listen', name: 'tl', mode: 'tcp', algorithm: 'leastconn', binds: [`127.0.0.1:${haproxy.ports[1]}`], servers: [{ name: 't1', port: p5, id: 7 }] },
      ],
    });
    fake = new FakeEngine(model);
    const backends = [...model.backends.values()].map((spec) => ({ spec, servers: fake.servers.get(spec.name)! }));
    const health = createHealthScheduler(backends, { transition: (s, to) => void (s.op = to), log: () => {} });
    await health.checkNow(fake.server('servers', 'server2'));
    sockets = await startStatsSockets(model.global.statsSockets, fake);
    // Wait until haproxy's check of server2 has passed too.
    for (let i = 0; i < 100; i++) {
      const st = await socat(haproxy.socketPath, 'show stat\n');
      if (/^servers,server2,.*,L4OK,/m.test(st)) break;
      await new Promise((r) => setTimeout(r, 30));
    }
  });

  afterAll(async () => {
    await sockets?.close();
    await haproxy?.stop();
    for (const l of listeners) await new Promise<void>((r) => l.close(() => r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (input: string): Promise<[string, string]> => [await socat(ourSock, input), await socat(haproxy.socketPath, input)];

  it('lists backends and reports weights with the same words', async () => {
    for (const cmd of ['show backend', 'get weight servers/server1', 'get weight servers/nope', 'get weight nope/server1', 'get weight servers', 'get weight tl/#7']) {
      const [ours, theirs] = await both(cmd + '\n');
      expect({ cmd, out: ours }).toEqual({ cmd, out: theirs });
    }
  });

  it('changes weights and refuses bad ones exactly as HAProxy does', async () => {
    const cmds = [
      'set weight servers/server1 5',
      'get weight servers/server1',
      'set weight servers/server1 50%',
      'get weight servers/server1',
      'set weight st/a 5',
      'set weight st/a 0',
      'get weight st/a',
      'set weight st/a 100%',
      'set weight servers/server1 300',
      'set weight servers/server1 abc',
      'set weight servers/server1 5x',
      'set weight servers/server1 -5%',
      'set weight servers/server1',
      'set server servers/server1 weight 3',
      'get weight servers/server1',
      'set server servers/server1 weight',
    ];
    for (const cmd of cmds) {
      const [ours, theirs] = await both(cmd + '\n');
      expect({ cmd, out: ours }).toEqual({ cmd, out: theirs });
    }
  });

  it('answers several commands separated by ";" in one line', async () => {
    const [ours, theirs] = await both('get weight servers/server1;get weight st/a;show backend\n');
    expect(ours).toBe(theirs);
  });

  it('shows the same stats and server states after drain, maint, disable, enable and health changes', async () => {
    const steps: string[][] = [
      ['set server servers/server2 state drain', 'set server servers/server3 state maint'],
      ['disable server servers/server1'],
      ['enable server servers/server1', 'set server servers/server1 health down'],
      ['set server servers/server1 health up', 'set server servers/server2 state ready', 'set server servers/server3 state ready'],
    ];
    for (const step of steps) {
      for (const cmd of step) {
        const [ours, theirs] = await both(cmd + '\n');
        expect({ cmd, out: ours }).toEqual({ cmd, out: theirs });
      }
      const [oursStat, theirsStat] = await both('show stat\n');
      expectSameCsv(oursStat, theirsStat);
      const [oursState, theirsState] = await both('show servers state\n');
      expect({ after: step, state: sinceField(oursState) }).toEqual({ after: step, state: sinceField(theirsState) });
    }
  });

  it('words the errors of set server and show servers state as HAProxy does', async () => {
    for (const cmd of [
      'set server servers/server1 state foo',
      'set server servers/server1 health foo',
      'set server servers/server1',
      'set server servers/server1 bogus',
      'set server servers',
      'disable server servers',
      'enable server nope/x',
      'show servers state nope',
      'show servers state st',
    ]) {
      const [ours, theirs] = await both(cmd + '\n');
      expect({ cmd, out: sinceField(ours) }).toEqual({ cmd, out: sinceField(theirs) });
    }
  });

  it('prints show info with the same fields in the same order, and the same static values', async () => {
    const [ours, theirs] = await both('show info\n');
    const fields = (t: string) => t.split('\n').filter(Boolean).map((l) => l.split(': ')[0]);
    expect(fields(ours)).toEqual(fields(theirs));
    const value = (t: string, k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(t)?.[1];
    for (const k of ['Name', 'Nbproc', 'Process_num', 'Maxconn', 'Hard_maxconn', 'CurrConns', 'MaxSslConns', 'Stopping', 'Tainted', 'PoolFailed']) {
      expect({ k, v: value(ours, k) }).toEqual({ k, v: value(theirs, k) });
    }
    expect(value(ours, 'Pid')).toBe(String(process.pid));
  });

  it('keeps the conversation open in prompt mode and closes on quit, byte for byte', async () => {
    const [ours, theirs] = await both('prompt\nget weight servers/server1\nshow backend\nquit\n');
    expect(ours).toBe(theirs);
    expect(ours.startsWith('\n> ')).toBe(true);
  });

  it('answers help and unknown commands with HAProxy\'s sentences and usage lines', async () => {
    const [ours, theirs] = await both('help\n');
    const theirLines = new Set(theirs.split('\n'));
    for (const l of ours.split('\n')) expect({ line: l, inHaproxyHelp: theirLines.has(l) }).toEqual({ line: l, inHaproxyHelp: true });
    for (const cmd of ['foo', 'show', '', 'get weigth servers/server1']) {
      const [o, t] = await both(cmd + '\n');
      expect({ cmd, first: o.split('\n')[0] }).toEqual({ cmd, first: t.split('\n')[0] });
      expect(o.split('\n').slice(-5)).toEqual(t.split('\n').slice(-5));
    }
  });
});

describe.skipIf(!hasHaproxy)('stats of failed health checks match haproxy 2.6 (socat)', () => {
  let haproxy: HaproxyHandle;
  let sockets: StatsSockets;
  let dir: string;
  let ourSock: string;
  const listeners: Server[] = [];

  beforeAll(async () => {
    const [closed1, closed2, p503] = await Promise.all([freePort(), freePort(), freePort()]);
    const web503 = createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
    });
    await new Promise<void>((r) => web503.listen(p503, '127.0.0.1', () => r()));
    listeners.push(web503);
    // downinter keeps the next check a minute away once DOWN, so nothing is in flight while we compare.
    haproxy = await startHaproxy(`global
  stats socket {{sock}} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
backend refused
  server r1 127.0.0.1:${closed1} check inter 200 downinter 60000
backend web503
  option httpchk GET /health
  server h1 127.0.0.1:${p503} check inter 200 downinter 60000 rise 3 fall 2
listen tcpl
  mode tcp
  bind 127.0.0.1:{{port}}
  server t1 127.0.0.1:${closed2} check inter 200 downinter 60000 backup
`);
    const info = await socat(haproxy.socketPath, 'show info\n');
    const maxconn = Number(/^Maxconn: (\d+)$/m.exec(info)?.[1]);
    dir = mkdtempSync(join(tmpdir(), 'lab-rtapi-'));
    ourSock = join(dir, 'lab.sock');
    const chk = { check: true, inter: 200, downinter: 60000 };
    const model = configModel({
      statsSockets: [ourSock],
      maxconn,
      proxies: [
        { kind: 'backend', name: 'refused', servers: [{ name: 'r1', port: closed1, ...chk }] },
        { kind: 'backend', name: 'web503', httpchk: { method: 'GET', uri: '/health', version: 'HTTP/1.0' }, servers: [{ name: 'h1', port: p503, ...chk, rise: 3, fall: 2 }] },
        { kind: 'listen', name: 'tcpl', mode: 'tcp', binds: [`127.0.0.1:${haproxy.port}`], servers: [{ name: 't1', port: closed2, ...chk, backup: true }] },
      ],
    });
    const fake = new FakeEngine(model);
    const backends = [...model.backends.values()].map((spec) => ({ spec, servers: fake.servers.get(spec.name)! }));
    const health = createHealthScheduler(backends, fake.healthHost());
    for (const b of backends) for (const s of b.servers) await health.checkNow(s);
    sockets = await startStatsSockets(model.global.statsSockets, fake);
    for (let i = 0; i < 200; i++) {
      const st = await socat(haproxy.socketPath, 'show stat\n');
      if ((st.match(/,DOWN,/g) ?? []).length >= 3 + 3) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  afterAll(async () => {
    await sockets?.close();
    await haproxy?.stop();
    for (const l of listeners) await new Promise<void>((r) => l.close(() => r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows L4CON and L7STS results, codes, descriptions and counters as HAProxy does', async () => {
    const ours = await socat(ourSock, 'show stat\n');
    const theirs = await socat(haproxy.socketPath, 'show stat\n');
    expect(theirs).toMatch(/^web503,h1,.*,DOWN,.*,L7STS,503,/m);
    expectSameCsv(ours, theirs);
  });

  it('prints the same server states (check status, result, health)', async () => {
    const ours = await socat(ourSock, 'show servers state\n');
    const theirs = await socat(haproxy.socketPath, 'show servers state\n');
    expect(sinceField(ours)).toBe(sinceField(theirs));
  });
});
