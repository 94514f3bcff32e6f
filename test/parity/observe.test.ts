// observe / error-limit / on-error against real HAProxy 2.6: real traffic errors count against a checked server.
// Scripted servers answer 500, 501, garbage, nothing, or hang up; each backend observes one of them with its own
// layer, limit and on-error mode. The same requests go through both proxies; the statuses the client gets, the
// stats (status, chkfail, chkdown, check_status, last_chk, check_health, hanafail) and the option
// log-health-checks lines (the HANA "Health analyze" result, word for word) must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { fillChecks, startScripted, type ScriptedServers, type ServerScript } from '../helpers/check-servers.ts';
import { ask } from '../helpers/named-backends.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const answer = (status: string) => (b: Buffer) => (b.includes('\r\n\r\n') ? `HTTP/1.1 ${status}\r\ncontent-length: 2\r\n\r\nok` : undefined);

const SCRIPTS: Record<string, ServerScript | null> = {
  ok: { reply: answer('200 OK') },
  err: { reply: answer('500 Internal Server Error') },
  nimp: { reply: answer('501 Not Implemented') },
  garbage: { reply: (b) => (b.includes('\r\n\r\n') ? 'HELLO WORLD\r\n\r\n' : undefined) },
  hangup: { reply: (b) => (b.includes('\r\n\r\n') ? 'close' : undefined) },
  mute: {},
  closed: null,
};

// backend name -> [server line options, requests to send]
const CASES: Record<string, [string, number]> = {
  md: ['{{chk:err}} check inter 30s observe layer7 error-limit 3 on-error mark-down', 3],
  fc: ['{{chk:garbage}} check inter 30s observe layer7 error-limit 2 on-error fail-check', 4],
  sd: ['{{chk:hangup}} check inter 30s observe layer7 error-limit 2 on-error sudden-death', 2],
  l4: ['{{chk:closed}} check port {{chk:ok}} inter 30s observe layer4 error-limit 2 on-error mark-down', 2],
  l4ok: ['{{chk:err}} check inter 30s observe layer4 error-limit 1 on-error mark-down', 3],
  tmo: ['{{chk:mute}} check inter 30s observe layer7 error-limit 1', 1],
  nimp: ['{{chk:nimp}} check inter 30s observe layer7 error-limit 1 on-error mark-down', 2],
  fi: ['{{chk:err}} check inter 30s fastinter 30s observe layer7 error-limit 1 on-error fastinter', 2],
  dflt: ['{{chk:err}} check inter 30s observe layer7', 11],
  nochk: ['{{chk:err}} observe layer7 error-limit 1 on-error mark-down', 2],
};

const CONFIG = `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    mode http
    log global
    option log-health-checks
    retries 0
    timeout connect 500ms
    timeout client 5s
    timeout server 400ms
frontend fe
    bind 127.0.0.1:{{port}}
    use_backend %[path,field(2,/)]
${Object.entries(CASES).map(([be, [opts]]) => `backend ${be}\n    server s1 127.0.0.1:${opts}`).join('\n')}
`;

const COLUMNS = ['pxname', 'svname', 'status', 'chkfail', 'chkdown', 'check_status', 'last_chk', 'check_health', 'hanafail'];

function statRows(csv: string): string[] {
  const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
  const idx = COLUMNS.map((c) => header.indexOf(c));
  return csv
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((f) => f[1] === 's1')
    .map((f) => idx.map((i) => f[i]).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  statuses: Record<string, number[]>;
  stats: string[];
  logs: string[];
}

async function drive(sock: string, port: number, logs: readonly string[]): Promise<Seen> {
  // every first check done, then health made full so on-error's effect on it shows
  await sleep(400);
  for (const be of Object.keys(CASES)) await socat(sock, `set server ${be}/s1 health up\n`);
  const statuses: Record<string, number[]> = {};
  for (const [be, [, n]] of Object.entries(CASES)) {
    statuses[be] = [];
    for (let i = 0; i < n; i++) statuses[be].push((await ask(port, `/${be}/`)).status);
  }
  await sleep(300);
  const stats = statRows(await socat(sock, 'show stat\n'));
  const lines = logs.filter((l) => !l.startsWith('[') && /(?: check for |^Server )/.test(l)).map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms'));
  // each server's lines in order; the scheduling makes the order across servers differ
  const key = (l: string): string => /\w+\/s1/.exec(l)?.[0] ?? '';
  return { statuses, stats, logs: lines.map((l, i) => ({ l, i })).sort((a, b) => key(a.l).localeCompare(key(b.l)) || a.i - b.i).map((x) => x.l) };
}

describe.skipIf(!hasHaproxy)('observe counts traffic errors against a server as HAProxy 2.6 does', () => {
  let servers: ScriptedServers;
  const got: { haproxy?: Seen; engine?: Seen } = {};

  beforeAll(async () => {
    servers = await startScripted(SCRIPTS);
    const cfg = fillChecks(CONFIG, servers);
    const real = await startHaproxy(cfg);
    try {
      got.haproxy = await drive(real.socketPath, real.port, real.logs);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-observe-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      got.engine = await drive(sock, engine.port, engine.logs);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
  afterAll(async () => {
    await servers?.close();
  });

  it('answers the client the same way while the errors pile up', () => {
    expect(got.haproxy!.statuses['md']).toEqual([500, 500, 500]);
    expect(got.engine!.statuses).toEqual(got.haproxy!.statuses);
  });

  it('shows the same health, HANA status and hanafail count in the stats', () => {
    expect(got.haproxy!.stats.find((r) => r.startsWith('md,'))).toContain('HANA');
    expect(got.engine!.stats).toEqual(got.haproxy!.stats);
  });

  it('logs the Health analyze results and state changes word for word', () => {
    expect(got.haproxy!.logs.some((l) => l.includes('reason: Health analyze'))).toBe(true);
    expect(got.engine!.logs).toEqual(got.haproxy!.logs);
  });
});
