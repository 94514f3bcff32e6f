// slowstart against real HAProxy 2.6: a server leaving maintenance is STARTING, its weight climbing in sixteenths
// of its user weight once a clock second, its maxconn with it, until the delay is over. Each proxy is walked
// through the same steps, each step half a second after a clock second (HAProxy counts whole seconds): the stats
// (status, weight, throttle, backend weight), `show servers state`'s operational state, and who answers a burst
// of requests must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { askSequence, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const CONFIG = (web: NamedBackends) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:${web.servers[0]!.port} weight 32 maxconn 50 check inter 20s slowstart 4s
    server s2 127.0.0.1:${web.servers[1]!.port} weight 8
backend st
    balance static-rr
    server t1 127.0.0.1:${web.servers[0]!.port} weight 32 check inter 20s slowstart 3s
    server t2 127.0.0.1:${web.servers[1]!.port} weight 8
`;

const COLUMNS = ['pxname', 'svname', 'status', 'weight', 'uweight', 'throttle'];

function statRows(csv: string): string[] {
  const lines = csv.split('\n').filter((l) => l && !l.startsWith('#'));
  const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
  const idx = COLUMNS.map((c) => header.indexOf(c));
  return lines.map((l) => l.split(',')).filter((f) => f[1] !== 'FRONTEND').map((f) => idx.map((i) => f[i]).join(','));
}

// srv_op_state (field 5) of each server in `show servers state`
async function opStates(sock: string): Promise<string> {
  const lines = (await socat(sock, 'show servers state\n')).split('\n').filter((l) => /^\d+ \S+ \d+ /.test(l));
  return lines.map((l) => l.split(' ')).map((f) => `${f[1]}/${f[3]}=${f[5]}`).join(' ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const untilSecondPlus = (ms: number) => sleep(((1000 + ms - (Date.now() % 1000)) % 1000) || 1000);

interface Step {
  readonly stats: string[];
  readonly state: string;
  readonly answers: string;
}

async function walk(sock: string, port: number): Promise<Step[]> {
  const steps: Step[] = [];
  await socat(sock, 'disable server be/s1\n');
  await socat(sock, 'disable server st/t1\n');
  // enabled just after a clock second, read half a second later, then once a second
  await untilSecondPlus(50);
  await socat(sock, 'enable server be/s1\n');
  await socat(sock, 'enable server st/t1\n');
  for (let k = 0; k < 6; k++) {
    await untilSecondPlus(450);
    const stats = statRows(await socat(sock, 'show stat\n'));
    const state = await opStates(sock);
    const answers = (await askSequence(port, Array.from({ length: 12 }, () => '/'))).join('');
    steps.push({ stats, state, answers });
  }
  return steps;
}

describe.skipIf(!hasHaproxy)('slowstart ramps weight and state as HAProxy 2.6 does', () => {
  let web: NamedBackends;
  const got: { haproxy: Step[]; engine: Step[] } = { haproxy: [], engine: [] };

  beforeAll(async () => {
    web = await startNamedBackends(['a', 'b']);
    const cfg = CONFIG(web);
    const real = await startHaproxy(cfg);
    try {
      await sleep(300);
      got.haproxy = await walk(real.socketPath, real.port);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-slowstart-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(300);
      got.engine = await walk(sock, engine.port);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
  afterAll(async () => {
    await web?.close();
  });

  it('shows the same weight, throttle and status each second of the ramp', () => {
    const s1 = got.haproxy.map((s) => s.stats.find((r) => r.startsWith('be,s1'))!);
    // the real one ramps: weight below 32 with a throttle at first, full and no throttle at the end
    expect(s1[0]).toMatch(/^be,s1,UP 1\/3,\d+,32,\d+$/);
    expect(s1[5]).toMatch(/^be,s1,UP( 1\/3)?,32,32,$/);
    expect(got.engine.map((s) => s.stats)).toEqual(got.haproxy.map((s) => s.stats));
  });

  it('is STARTING (op state 1) in show servers state until the delay is over', () => {
    expect(got.haproxy[0]!.state).toContain('be/s1=1');
    expect(got.engine.map((s) => s.state)).toEqual(got.haproxy.map((s) => s.state));
  });

  it('sends the warming server the same share of the traffic each second', () => {
    expect(got.haproxy[0]!.answers).toMatch(/b/);
    expect(got.engine.map((s) => s.answers)).toEqual(got.haproxy.map((s) => s.answers));
  });
});
