// An agent's maxconn:N against real HAProxy 2.6: agents answer a new limit, one with a weight, and malformed ones
// ("maxconn:abc", "maxconn:7x", "maxconn:"). The stats' slim (the server's maxconn), weight, agent status and
// last_agt (the warning an invalid limit leaves) must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { fillChecks, startScripted, type ScriptedServers, type ServerScript } from '../helpers/check-servers.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const REPLIES: Record<string, string> = {
  plain: 'up maxconn:5\n',
  weighted: '50% maxconn:3\n',
  garbage: 'maxconn:abc\n',
  trailing: 'up maxconn:7x\n',
  empty: 'maxconn:\n',
  unlimited: 'maxconn:0\n',
};

const SCRIPTS: Record<string, ServerScript | null> = {
  ...Object.fromEntries(Object.entries(REPLIES).map(([k, v]) => [k, { greet: v }])),
  web: {},
};

const CONFIG = `
global
    stats socket {{sock}} level admin
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
${Object.keys(REPLIES).map((n) => `    server ${n} 127.0.0.1:{{chk:web}} maxconn 20 weight 20 agent-check agent-port {{chk:${n}}} agent-inter 300ms`).join('\n')}
`;

const COLUMNS = ['svname', 'slim', 'weight', 'agent_status', 'last_agt'];

function rows(csv: string): string[] {
  const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
  const idx = COLUMNS.map((c) => header.indexOf(c));
  // server rows only: the backend's slim is the default fullconn, which HAProxy derives from the process's fd limit
  return csv.split('\n').filter((l) => l.startsWith('be,') && !l.startsWith('be,BACKEND,')).map((l) => l.split(',')).map((f) => idx.map((i) => f[i]).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// each row from a read where its agent was not running
async function settled(sock: string): Promise<string[]> {
  const done = new Map<string, string>();
  let order: string[] = [];
  for (let i = 0; i < 60 && (order.length === 0 || order.some((k) => !done.has(k))); i++) {
    const rs = rows(await socat(sock, 'show stat\n'));
    order = rs.map((r) => r.split(',')[0]!);
    rs.forEach((r, k) => {
      if (!r.includes(',* ') && !done.has(order[k]!)) done.set(order[k]!, r);
    });
    await sleep(15);
  }
  return order.map((k) => done.get(k) ?? `${k},(never settled)`);
}

describe.skipIf(!hasHaproxy)("an agent's maxconn:N sets the server's limit as HAProxy 2.6 does", () => {
  let servers: ScriptedServers;
  const got: { haproxy: string[]; engine: string[] } = { haproxy: [], engine: [] };

  beforeAll(async () => {
    servers = await startScripted(SCRIPTS);
    const cfg = fillChecks(CONFIG, servers);
    const real = await startHaproxy(cfg);
    try {
      await sleep(1000);
      got.haproxy = await settled(real.socketPath);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-agentmc-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(1000);
      got.engine = await settled(sock);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await servers?.close();
  });

  it('shows the same limit, weight and agent text for every answer', () => {
    expect(got.haproxy.find((r) => r.startsWith('plain,'))).toMatch(/^plain,5,/);
    expect(got.engine).toEqual(got.haproxy);
  });
});
