// tcp-check rulesets and the protocol checks (redis, smtp, postgres, mysql, ldap) against real HAProxy 2.6:
// scripted servers on 127.0.0.1 answer right, wrong, not at all, or refuse; both proxies check them and the
// stats CSV shows the same status, check_status, check_code and last_chk (HAProxy's info text) for each, and
// option log-health-checks logs the same first line for each server, word for word.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { fillChecks, startScripted, type ScriptedServers, type ServerScript } from '../helpers/check-servers.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

// A MySQL packet: 3-byte length, sequence id, payload.
function mysqlPacket(seq: number, payload: Buffer): Buffer {
  const h = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, seq]);
  return Buffer.concat([h, payload]);
}
const MYSQL_GREETING = mysqlPacket(0, Buffer.concat([Buffer.from([10]), Buffer.from('5.7.0-fake\0', 'latin1'), Buffer.alloc(30)]));
const MYSQL_OK = mysqlPacket(2, Buffer.from([0, 0, 0, 2, 0, 0, 0]));
const MYSQL_DENIED = mysqlPacket(2, Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'haproxy'", 'latin1')]));

const SCRIPTS: Record<string, ServerScript | null> = {
  redis_ok: { reply: (b) => (b.toString().includes('PING') ? '+PONG\r\n' : undefined) },
  redis_err: { reply: (b) => (b.toString().includes('PING') ? '-ERR unknown command\r\n' : undefined) },
  redis_close: { reply: () => 'close' },
  redis_refused: null,
  smtp_ok: { greet: '220 mail.test ESMTP\r\n', reply: (b) => (b.toString().includes('\r\n') ? '250 mail.test hello\r\n' : undefined) },
  smtp_busy: { greet: '554 5.3.2 no service here\r\n' },
  smtp_helo: { greet: '220 mail.test ESMTP\r\n', reply: (b) => (b.toString().includes('\r\n') ? '502 5.5.1 HELO not accepted\r\n' : undefined) },
  smtp_junk: { greet: 'hello there\r\n' },
  t_ok: { reply: (b) => (b.toString().includes('PING') ? 'PONG\r\n' : b.toString().includes('QUIT') ? 'BYE now\r\n' : undefined) },
  t_nomatch: { reply: (b) => (b.toString().includes('PING') ? 'NOPE\r\n' : undefined) },
  t_second: { reply: (b) => (b.toString().includes('PING') ? 'PONG\r\n' : b.toString().includes('QUIT') ? 'what?\r\n' : undefined) },
  t_empty: { reply: () => 'close' },
  t_refused: null,
  i_ok: { greet: 'OK ready\r\n' },
  i_err: { greet: 'ERR busy\r\n' },
  i_refused: null,
  p_port: { greet: 'hello\r\n' },
  pg_ok: { reply: (b) => (b.length >= 8 ? Buffer.from('520000000800000000', 'hex') : undefined) },
  pg_err: {
    reply: (b) => (b.length >= 8 ? Buffer.concat([Buffer.from('E\0\0\0\x2fSFATAL\0', 'latin1'), Buffer.from('C28000\0Mno pg_hba.conf entry\0\0', 'latin1')]) : undefined),
  },
  my_ok: { greet: MYSQL_GREETING, reply: (b) => (b.length > 20 ? MYSQL_OK : undefined) },
  my_denied: { greet: MYSQL_GREETING, reply: (b) => (b.length > 20 ? MYSQL_DENIED : undefined) },
  my_plain: { greet: MYSQL_GREETING },
  ldap_ok: { reply: (b) => (b.length >= 14 ? Buffer.from('300c02010161070a010004000400', 'hex') : undefined) },
  ldap_denied: { reply: (b) => (b.length >= 14 ? Buffer.from('300c02010161070a013104000400', 'hex') : undefined) },
  ldap_junk: { reply: (b) => (b.length >= 14 ? Buffer.from('hello, not ldap at all\r\n', 'latin1') : undefined) },
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
    # generous: under load HAProxy's own first checks of the slower fake servers timed out at 1 s (seen in CI runs side by side)
    timeout check 2500ms
    default-server check inter 300ms rise 1 fall 1
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend redis
backend redis
    option redis-check
    server ok 127.0.0.1:{{chk:redis_ok}}
    server err 127.0.0.1:{{chk:redis_err}}
    server close 127.0.0.1:{{chk:redis_close}}
    server refused 127.0.0.1:{{chk:redis_refused}}
backend smtp
    option smtpchk EHLO lab.test
    server ok 127.0.0.1:{{chk:smtp_ok}}
    server busy 127.0.0.1:{{chk:smtp_busy}}
    server helo 127.0.0.1:{{chk:smtp_helo}}
    server junk 127.0.0.1:{{chk:smtp_junk}}
backend script
    option tcp-check
    tcp-check connect
    tcp-check send "PING\\r\\n"
    tcp-check expect string PONG
    tcp-check comment "the goodbye"
    tcp-check send-binary 515549540d0a
    tcp-check expect rstring ^BYE
    server ok 127.0.0.1:{{chk:t_ok}}
    server nomatch 127.0.0.1:{{chk:t_nomatch}}
    server second 127.0.0.1:{{chk:t_second}}
    server empty 127.0.0.1:{{chk:t_empty}}
    server refused 127.0.0.1:{{chk:t_refused}}
backend implicit
    option tcp-check
    tcp-check expect ! string ERR
    tcp-check expect string OK comment ready-line
    server ok 127.0.0.1:{{chk:i_ok}}
    server err 127.0.0.1:{{chk:i_err}}
    server refused 127.0.0.1:{{chk:i_refused}}
backend ported
    option tcp-check
    tcp-check connect port {{chk:p_port}}
    tcp-check expect binary 68656c6c6f
    tcp-check connect port {{chk:t_refused}}
    server p 127.0.0.1:1
backend pgsql
    option pgsql-check user haproxy
    server ok 127.0.0.1:{{chk:pg_ok}}
    server err 127.0.0.1:{{chk:pg_err}}
backend mysql
    option mysql-check user haproxy
    server ok 127.0.0.1:{{chk:my_ok}}
    server denied 127.0.0.1:{{chk:my_denied}}
backend mysql_nouser
    option mysql-check
    server plain 127.0.0.1:{{chk:my_plain}}
backend ldap
    option ldap-check
    server ok 127.0.0.1:{{chk:ldap_ok}}
    server denied 127.0.0.1:{{chk:ldap_denied}}
    server junk 127.0.0.1:{{chk:ldap_junk}}
`;

/** Each server row's name, status and check columns (not the duration, which is timing). */
function checkRows(csv: string): string[] {
  const lines = csv.split('\n').filter(Boolean);
  const cols = lines[0]!.replace(/^# /, '').split(',');
  const pick = ['pxname', 'svname', 'status', 'check_status', 'check_code', 'check_desc', 'last_chk', 'chkfail'];
  const idx = pick.map((p) => cols.indexOf(p));
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[1] !== 'FRONTEND' && f[1] !== 'BACKEND')
    .map((f) => idx.map((i) => f[i]).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each server's row as read while its check is not running: a running check shows "* STATUS" and an empty
// last_chk on both proxies, so reads are repeated and each row is taken from the first read that shows it settled.
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

describe.skipIf(!hasHaproxy)('tcp-check and protocol checks judge servers as HAProxy 2.6 does', () => {
  let servers: ScriptedServers;
  let theirs: string[] = [];
  let ours: string[] = [];
  const firstLines: Record<'haproxy' | 'engine', string[]> = { haproxy: [], engine: [] };
  // each server's first "Health check for server ..." line, durations masked
  const firsts = (lines: readonly string[]): string[] => {
    const seen = new Map<string, string>();
    for (const l of lines) {
      const m = /^Health check for server (\S+) /.exec(l);
      if (m && !seen.has(m[1]!)) seen.set(m[1]!, l.replace(/check duration: \d+ms/, 'check duration: Nms'));
    }
    return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, l]) => l);
  };

  beforeAll(async () => {
    servers = await startScripted(SCRIPTS);
    const cfg = fillChecks(CONFIG, servers);
    const real = await startHaproxy(cfg);
    const dir = mkdtempSync(join(tmpdir(), 'lab-tcpcheck-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(2000);
      [theirs, ours] = await Promise.all([settledRows(real.socketPath), settledRows(sock)]);
      firstLines.haproxy = firsts(real.logs.filter((l) => !l.startsWith('[')));
      firstLines.engine = firsts(engine.logs);
    } finally {
      await engine.stop();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await servers?.close();
  });

  it('logs the same first health-check line for every server (option log-health-checks)', () => {
    expect(firstLines.haproxy.length).toBeGreaterThan(15);
    expect(firstLines.engine).toEqual(firstLines.haproxy);
  });

  for (const backend of ['redis', 'smtp', 'script', 'implicit', 'ported', 'pgsql', 'mysql', 'mysql_nouser', 'ldap']) {
    it(`shows the same check results for backend ${backend}`, () => {
      const mine = ours.filter((r) => r.startsWith(`${backend},`));
      const real = theirs.filter((r) => r.startsWith(`${backend},`));
      expect(real.length).toBeGreaterThan(0);
      expect(mine).toEqual(real);
    });
  }
});
