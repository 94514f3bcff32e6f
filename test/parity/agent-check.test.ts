// agent-check against real HAProxy 2.6: scripted agents on 127.0.0.1 answer health words (up, down, stopped,
// fail), admin words (ready, drain, maint), weights ("50%"), text after '#', an unknown word, nothing, or
// refuse. Both proxies check them; the stats CSV (status, weight, the agent_* columns, last_agt), `show servers
// state` and the option log-health-checks lines must be the same, and so must the traffic each server gets.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { fillChecks, startScripted, type ScriptedServers, type ServerScript } from '../helpers/check-servers.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

// Each agent answers one line as soon as it is connected.
const REPLIES: Record<string, string | null> = {
  up: 'up\n',
  down: 'down # gone fishing\n',
  drain: 'drain\n',
  maint: 'maint\n',
  half: '50%\n',
  stopped: 'STOPPED\r\n',
  fail: 'fail\n',
  junk: 'banana 75%\n',
  upw: 'up 25% # fine\n',
  ready: 'ready,up\n',
  garbage: '50%x\n',
  refused: null,
};

const SCRIPTS: Record<string, ServerScript | null> = {
  ...Object.fromEntries(Object.entries(REPLIES).map(([k, v]) => [k, v === null ? null : { greet: v }])),
  empty: { closeAfterGreet: true },
  // agent-send: the agent answers "down" unless it was greeted first
  sendable: { reply: (b) => (b.toString().includes('hello\n') ? 'up 40%\n' : undefined) },
  web: {},
};

const CONFIG = `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    mode tcp
    log global
    option log-health-checks
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout check 2500ms
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    balance roundrobin
${[...Object.keys(REPLIES), 'empty'].map((n) => `    server ${n} 127.0.0.1:{{chk:web}} weight 20 agent-check agent-port {{chk:${n}}} agent-inter 300ms`).join('\n')}
    server sent 127.0.0.1:{{chk:web}} weight 10 agent-check agent-port {{chk:sendable}} agent-inter 300ms agent-send "hello\\n"
    server both 127.0.0.1:{{chk:web}} check inter 300ms agent-check agent-port {{chk:down}} agent-inter 300ms
    server elsewhere 127.0.0.1:{{chk:web}} agent-check agent-port {{chk:up}} agent-inter 300ms addr 127.0.0.2
backend static
    balance static-rr
    server half 127.0.0.1:{{chk:web}} weight 20 agent-check agent-port {{chk:half}} agent-inter 300ms
    server zero 127.0.0.1:{{chk:web}} weight 20 agent-check agent-port {{chk:up}} agent-inter 300ms
`;

const COLUMNS = ['pxname', 'svname', 'status', 'weight', 'uweight', 'chkfail', 'chkdown', 'check_status', 'last_agt', 'agent_status', 'agent_code', 'agent_desc', 'agent_rise', 'agent_fall', 'agent_health'];

// CSV records, a quoted field may hold a newline (HAProxy's weight warnings end with one).
function records(csv: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i]!;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n') {
      rec.push(field);
      if (rec.some((f) => f !== '')) out.push(rec);
      rec = [];
      field = '';
    } else field += ch;
  }
  return out;
}

function rows(csv: string): string[] {
  const recs = records(csv);
  const cols = recs[0]!.map((c) => c.replace(/^# /, ''));
  const idx = COLUMNS.map((p) => cols.indexOf(p));
  return recs
    .slice(1)
    .filter((f) => f[1] !== 'FRONTEND')
    .map((f) => idx.map((i) => JSON.stringify(f[i])).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each row from the first read where no agent runs ("* " prefix), as in tcp-check.test.ts.
async function settledRows(sock: string): Promise<string[]> {
  const settled = new Map<string, string>();
  let order: string[] = [];
  for (let i = 0; i < 80; i++) {
    const rs = rows(await socat(sock, 'show stat\n'));
    order = rs.map((r) => r.split(',').slice(0, 2).join(','));
    rs.forEach((r, k) => {
      if (!r.includes(',"* ') && !settled.has(order[k]!)) settled.set(order[k]!, r);
    });
    if (order.every((k) => settled.has(k))) break;
    await sleep(15);
  }
  return order.map((k) => settled.get(k) ?? `${k},(never settled)`);
}

// `show servers state` without the time since the last change; each line from the first read where its agent
// was not running (the CHK_ST_INPROGRESS bit of srv_agent_state).
async function serversState(sock: string): Promise<string[]> {
  const settled = new Map<string, string>();
  let order: string[] = [];
  for (let i = 0; i < 80; i++) {
    const lines = (await socat(sock, 'show servers state\n')).split('\n').filter((l) => /^\d+ \S+ \d+ /.test(l));
    const f = lines.map((l) => l.split(' '));
    order = f.map((x) => `${x[1]}/${x[3]}`);
    f.forEach((x, k) => {
      if ((Number(x[14]) & 1) !== 0 || settled.has(order[k]!)) return;
      x[9] = 'T';
      settled.set(order[k]!, x.join(' '));
    });
    if (order.every((k) => settled.has(k))) break;
    await sleep(15);
  }
  return order.map((k) => settled.get(k) ?? `${k} (never idle)`);
}

describe.skipIf(!hasHaproxy)('agent-check changes state and weight as HAProxy 2.6 does', () => {
  let servers: ScriptedServers;
  const got: Record<'haproxy' | 'engine', { stats: string[]; state: string[]; logs: string[] }> = {
    haproxy: { stats: [], state: [], logs: [] },
    engine: { stats: [], state: [], logs: [] },
  };
  // each server's log lines in order, durations masked; the scheduling makes the order across servers differ
  const perServer = (lines: readonly string[]): string[] => {
    const out = lines
      .filter((l) => !l.startsWith('[') && / be\/| static\//.test(l))
      .map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms').replace(/\d+ active and \d+ backup servers (left|online)/, 'N active and N backup servers $1'));
    const key = (l: string): string => /(?:be|static)\/[\w.-]+/.exec(l)?.[0] ?? '';
    return out.map((l, i) => ({ l, i })).sort((a, b) => key(a.l).localeCompare(key(b.l)) || a.i - b.i).map((x) => x.l);
  };

  beforeAll(async () => {
    servers = await startScripted(SCRIPTS);
    const cfg = fillChecks(CONFIG, servers);
    const real = await startHaproxy(cfg);
    const dir = mkdtempSync(join(tmpdir(), 'lab-agent-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(2000);
      const [hs, es] = await Promise.all([settledRows(real.socketPath), settledRows(sock)]);
      const [hst, est] = await Promise.all([serversState(real.socketPath), serversState(sock)]);
      got.haproxy = { stats: hs, state: hst, logs: perServer(real.logs) };
      got.engine = { stats: es, state: est, logs: perServer(engine.logs) };
    } finally {
      await engine.stop();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await servers?.close();
  });

  it('shows the same state, weight and agent columns for every server in the stats', () => {
    expect(got.haproxy.stats.length).toBeGreaterThan(15);
    expect(got.engine.stats).toEqual(got.haproxy.stats);
  });

  it('prints the same show servers state (agent state, address and port included)', () => {
    expect(got.engine.state).toEqual(got.haproxy.state);
  });

  it('logs the same agent and state lines for each server (option log-health-checks)', () => {
    expect(got.haproxy.logs.some((l) => l.startsWith('Agent check for server be/down failed'))).toBe(true);
    expect(got.engine.logs).toEqual(got.haproxy.logs);
  });
});

// An agent whose answer the test changes between steps.
function mutableAgent(): Promise<{ port: number; say(line: string): void; close(): Promise<void> }> {
  let line = 'up\n';
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => {});
    s.end(line);
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        say: (l) => (line = l),
        close: () => new Promise<void>((r) => {
          for (const s of socks) s.destroy();
          srv.close(() => r());
        }),
      }),
    ),
  );
}

// A TCP server that counts the connections it accepts.
function countingServer(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const srv = net.createServer((s) => {
    hits++;
    s.on('error', () => {});
    s.end();
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({ port: (srv.address() as net.AddressInfo).port, hits: () => hits, close: () => new Promise<void>((r) => srv.close(() => r())) }),
    ),
  );
}

// One connection through the proxy, closed as soon as it is open.
function oneConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => resolve());
    c.on('close', () => resolve());
    c.on('data', () => {});
    c.on('end', () => c.end());
  });
}

// one agent changes its answer per step, so both proxies log the changes in one order
const STEPS: readonly { a: string; b: string }[] = [
  { a: 'up 100%\n', b: 'up 50%\n' },
  { a: 'drain\n', b: 'up 50%\n' },
  { a: 'ready\n', b: 'up 50%\n' },
  { a: 'ready\n', b: 'down # deploying\n' },
  { a: 'maint\n', b: 'down # deploying\n' },
  { a: 'maint\n', b: 'up 100%\n' },
  { a: 'ready 25%\n', b: 'up 100%\n' },
];

const DYNAMIC = (agentA: number, agentB: number, webA: number, webB: number): string => `
global
    log stdout format raw local0
defaults
    mode tcp
    log global
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    balance roundrobin
    server a 127.0.0.1:${webA} weight 20 agent-check agent-port ${agentA} agent-inter 200ms
    server b 127.0.0.1:${webB} weight 20 agent-check agent-port ${agentB} agent-inter 200ms
`;

// Plays the steps on one proxy: after each change of the agents' answers, 24 connections, counted per server.
async function play(start: (cfg: string) => Promise<{ port: number; logs: string[]; stop(): Promise<void> }>): Promise<{ shares: string[]; logs: string[] }> {
  const [agentA, agentB, webA, webB] = await Promise.all([mutableAgent(), mutableAgent(), countingServer(), countingServer()]);
  const shares: string[] = [];
  const proxy = await start(DYNAMIC(agentA.port, agentB.port, webA.port, webB.port));
  try {
    for (const step of STEPS) {
      agentA.say(step.a);
      agentB.say(step.b);
      await sleep(700);
      const before = [webA.hits(), webB.hits()];
      for (let i = 0; i < 24; i++) await oneConnection(proxy.port);
      await sleep(50);
      shares.push(`${JSON.stringify(step)} -> a:${webA.hits() - before[0]!} b:${webB.hits() - before[1]!}`);
    }
  } finally {
    await proxy.stop();
    await Promise.all([agentA.close(), agentB.close(), webA.close(), webB.close()]);
  }
  const logs = proxy.logs
    .filter((l) => !l.startsWith('[') && (l.includes('be/') || l.includes('backend be')))
    .map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms'));
  return { shares, logs };
}

describe.skipIf(!hasHaproxy)('an agent that changes its answer moves the traffic as on HAProxy 2.6', () => {
  it('sends the same share of connections to each server after every answer, and logs the same changes', async () => {
    const real = await play((cfg) => startHaproxy(cfg));
    const ours = await play((cfg) => startEngine(cfg, { healthChecks: true }));
    expect(real.shares[0]).toContain('a:16 b:8');
    expect(real.logs.some((l) => l.includes('has no server available'))).toBe(true);
    expect(ours.shares).toEqual(real.shares);
    expect(ours.logs).toEqual(real.logs);
  }, 40_000);
});
