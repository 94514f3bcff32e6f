// "http-check expect" forms against real HAProxy 2.6: [!] status, rstatus, string, rstring, hdr and fhdr, each on
// servers that answer right and wrong; both proxies' stats CSV show the same status, check_status, check_code
// and last_chk (the reason phrase, or HAProxy's body-check sentences).
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

const REPLIES: Record<string, Reply> = {
  ok200: { status: 200, body: 'all healthy here' },
  err500: { status: 500, body: 'oops' },
  no204: { status: 204 },
  unavail503: { status: 503, body: 'busy' },
  sick: { status: 200, body: 'feeling sick' },
  error: { status: 200, body: 'ERROR: disk full' },
  hdr_ok: { status: 200, body: 'x', headers: { 'X-Status': 'warm, ok' } },
  hdr_bad: { status: 200, body: 'x', headers: { 'X-Status': 'degraded' } },
  ver_ok: { status: 200, body: 'x', headers: { 'X-Version-Info': 'haproxy 2.6.12' } },
  ver_old: { status: 200, body: 'x', headers: { 'X-Version-Info': 'haproxy 1.8' } },
};

const CONFIG = (p: Record<string, number>) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout check 1s
    default-server check inter 300ms rise 1 fall 1
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend not_status
backend not_status
    option httpchk GET /health
    http-check expect ! status 500
    server ok 127.0.0.1:${p.ok200}
    server bad 127.0.0.1:${p.err500}
backend rstatus
    option httpchk GET /health
    http-check expect rstatus ^2[0-9][0-9]$
    server ok 127.0.0.1:${p.no204}
    server bad 127.0.0.1:${p.unavail503}
backend string
    option httpchk GET /health
    http-check expect string healthy
    server ok 127.0.0.1:${p.ok200}
    server sick 127.0.0.1:${p.sick}
    server empty 127.0.0.1:${p.no204}
backend not_rstring
    option httpchk GET /health
    http-check expect ! rstring ^ERR
    server ok 127.0.0.1:${p.sick}
    server error 127.0.0.1:${p.error}
backend hdr
    option httpchk GET /health
    http-check expect hdr name x-status value ok
    server ok 127.0.0.1:${p.hdr_ok}
    server bad 127.0.0.1:${p.hdr_bad}
    server none 127.0.0.1:${p.ok200}
backend fhdr
    option httpchk GET /health
    http-check expect fhdr name -m beg x-version value -m sub 2.6
    server ok 127.0.0.1:${p.ver_ok}
    server old 127.0.0.1:${p.ver_old}
`;

function checkRows(csv: string): string[] {
  const lines = csv.split('\n').filter(Boolean);
  const cols = lines[0]!.replace(/^# /, '').split(',');
  const idx = ['pxname', 'svname', 'status', 'check_status', 'check_code', 'last_chk', 'chkfail'].map((p) => cols.indexOf(p));
  return lines.slice(1).map((l) => l.split(',')).filter((f) => f[1] !== 'FRONTEND' && f[1] !== 'BACKEND').map((f) => idx.map((i) => f[i]).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each row from the first read where its check is not running ("* STATUS" with an empty last_chk).
async function settledRows(sock: string): Promise<string[]> {
  const settled = new Map<string, string>();
  let order: string[] = [];
  for (let i = 0; i < 60; i++) {
    const rows = checkRows(await socat(sock, 'show stat\n'));
    order = rows.map((r) => r.split(',').slice(0, 2).join(','));
    rows.forEach((r, k) => {
      if (!r.includes(',* ') && !settled.has(order[k]!)) settled.set(order[k]!, r);
    });
    if (order.every((k) => settled.has(k))) break;
    await sleep(20);
  }
  return order.map((k) => settled.get(k) ?? `${k},(never settled)`);
}

describe.skipIf(!hasHaproxy)('http-check expect forms judge servers as HAProxy 2.6 does', () => {
  const servers: http.Server[] = [];
  let theirs: string[] = [];
  let ours: string[] = [];

  beforeAll(async () => {
    const ports: Record<string, number> = {};
    for (const [name, reply] of Object.entries(REPLIES)) {
      const port = await freePort();
      const srv = http.createServer((_req, res) => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body);
      });
      await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
      servers.push(srv);
      ports[name] = port;
    }
    const cfg = CONFIG(ports);
    const dir = mkdtempSync(join(tmpdir(), 'lab-httpchk-'));
    const sock = join(dir, 'admin.sock');
    const real = await startHaproxy(cfg);
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(1500);
      [theirs, ours] = await Promise.all([settledRows(real.socketPath), settledRows(sock)]);
    } finally {
      await engine.stop();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  for (const backend of ['not_status', 'rstatus', 'string', 'not_rstring', 'hdr', 'fhdr']) {
    it(`shows the same check results for backend ${backend}`, () => {
      const real = theirs.filter((r) => r.startsWith(`${backend},`));
      expect(real.length).toBeGreaterThan(1);
      expect(ours.filter((r) => r.startsWith(`${backend},`))).toEqual(real);
    });
  }
});
