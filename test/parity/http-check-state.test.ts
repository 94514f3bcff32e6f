// http-check disable-on-404 and http-check send-state against real HAProxy 2.6: a server answering its checks
// 404 goes NOLB ("is stopping", checks "conditionally succeeded") and comes back UP on a 200; every check request
// carries the X-Haproxy-Server-State header, byte for byte. The check requests each server received (consecutive
// repeats folded), the stats status column at each phase and the option log-health-checks lines must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { fillChecks, startScripted, type ScriptedServers } from '../helpers/check-servers.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

let flipStatus = '200 OK';
const seen: Record<string, string[]> = { flip: [], ok: [] };

const recorder = (name: string, status: () => string) => (b: Buffer) => {
  if (!b.includes('\r\n\r\n')) return undefined;
  const text = b.toString('latin1');
  const list = seen[name]!;
  if (list[list.length - 1] !== text) list.push(text);
  return `HTTP/1.1 ${status()}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`;
};

const CONFIG = `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    mode http
    log global
    option log-health-checks
    timeout connect 500ms
    timeout client 5s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    option httpchk GET /chk
    http-check send-state
    http-check disable-on-404
    server s1 127.0.0.1:{{chk:flip}} check inter 250ms rise 1 fall 2 weight 10
    server s2 127.0.0.1:{{chk:ok}} check inter 250ms weight 20
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  requests: Record<string, string[]>;
  status: string[];
  logs: string[];
}

async function statusOf(sock: string): Promise<string> {
  const csv = await socat(sock, 'show stat\n');
  const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
  const i = header.indexOf('status');
  return csv.split('\n').filter((l) => l.startsWith('be,')).map((l) => `${l.split(',')[1]}=${l.split(',')[i]}`).join(' ');
}

// before each proxy starts: its first checks come at once
function reset(): void {
  seen.flip = [];
  seen.ok = [];
  flipStatus = '200 OK';
}

async function drive(sock: string, logs: readonly string[]): Promise<Seen> {
  const status: string[] = [];
  await sleep(900);
  status.push(await statusOf(sock));
  flipStatus = '404 Not Found';
  await sleep(900);
  status.push(await statusOf(sock));
  flipStatus = '200 OK';
  await sleep(900);
  status.push(await statusOf(sock));
  const lines = logs.filter((l) => !l.startsWith('[') && /be\/s\d/.test(l)).map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms'));
  const key = (l: string): string => /be\/s\d/.exec(l)?.[0] ?? '';
  return {
    requests: { flip: [...seen.flip], ok: [...seen.ok] },
    status,
    logs: lines.map((l, i) => ({ l, i })).sort((a, b) => key(a.l).localeCompare(key(b.l)) || a.i - b.i).map((x) => x.l),
  };
}

describe.skipIf(!hasHaproxy)('http-check disable-on-404 and send-state act as HAProxy 2.6 does', () => {
  let servers: ScriptedServers;
  const got: { haproxy?: Seen; engine?: Seen } = {};

  beforeAll(async () => {
    servers = await startScripted({ flip: { reply: recorder('flip', () => flipStatus) }, ok: { reply: recorder('ok', () => '200 OK') } });
    const cfg = fillChecks(CONFIG, servers);
    reset();
    const real = await startHaproxy(cfg);
    try {
      got.haproxy = await drive(real.socketPath, real.logs);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-chkstate-'));
    const sock = join(dir, 'admin.sock');
    reset();
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      got.engine = await drive(sock, engine.logs);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await servers?.close();
  });

  it('sends the same check requests, the server state header included', () => {
    expect(got.haproxy!.requests['ok']!.join('')).toMatch(/x-haproxy-server-state: UP; address=127\.0\.0\.1; port=\d+; name=be\/s2; node=/i);
    expect(got.engine!.requests).toEqual(got.haproxy!.requests);
  });

  it('takes the server NOLB on a 404 and back UP on a 200', () => {
    expect(got.haproxy!.status[1]).toContain('s1=NOLB');
    expect(got.engine!.status).toEqual(got.haproxy!.status);
  });

  it('logs the conditional successes and the state changes word for word', () => {
    expect(got.haproxy!.logs.some((l) => l.includes('conditionally succeeded'))).toBe(true);
    expect(got.engine!.logs).toEqual(got.haproxy!.logs);
  });
});
