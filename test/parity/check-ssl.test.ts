// Health checks over TLS against real HAProxy 2.6: `check ssl verify none`, `check-ssl` with a check port,
// `no-check-ssl`, a check `port` that stops the inheritance, `check-sni`, `check-alpn`, `verify required` with a
// CA, and `option httpchk` over TLS. Node TLS servers with openssl-made certificates on 127.0.0.1 accept or
// refuse the handshake (by SNI or ALPN); both proxies must show the same status, check_status and last_chk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

type Rule = { sni?: string; alpn?: string; http?: boolean };

// Every connection the fake servers accept, so the test can close them all at the end.
const open = new Set<net.Socket>();
function track(s: net.Socket): void {
  open.add(s);
  s.on('close', () => open.delete(s));
}

// A TLS server that refuses handshakes not naming `sni` or not offering `alpn`; with `http` it answers 200.
function tlsServer(certs: TestCerts, rule: Rule, port: number): Promise<net.Server> {
  const cert = readFileSync(certs.crt['srv.test']!);
  const key = readFileSync(certs.key['srv.test']!);
  const srv = tls.createServer({
    cert,
    key,
    ...(rule.sni ? { SNICallback: (name, cb) => (name === rule.sni ? cb(null, tls.createSecureContext({ cert, key })) : cb(new Error('wrong name'))) } : {}),
    ...(rule.alpn ? { ALPNCallback: ({ protocols }: { protocols: string[] }) => (protocols.includes(rule.alpn!) ? rule.alpn : undefined) } : {}),
  } as tls.TlsOptions);
  srv.on('connection', track);
  srv.on('tlsClientError', () => {});
  srv.on('secureConnection', (s) => {
    s.on('error', () => {});
    if (!rule.http) return;
    s.on('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

// A clear-text server that closes on the first bytes (a TLS ClientHello gets no answer but the close).
function plainServer(port: number, http = false): Promise<net.Server> {
  const srv = net.createServer((s) => {
    track(s);
    s.on('error', () => {});
    s.on('data', () => (http ? s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n') : s.destroy()));
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

const COLUMNS = ['pxname', 'svname', 'status', 'check_status', 'check_code', 'last_chk'];

function rows(csv: string): string[] {
  const lines = csv.split('\n').filter(Boolean);
  const cols = lines[0]!.replace(/^# /, '').split(',');
  const idx = COLUMNS.map((p) => cols.indexOf(p));
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[1] !== 'FRONTEND' && f[1] !== 'BACKEND')
    .map((f) => idx.map((i) => f[i]).join(','));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settledRows(sock: string): Promise<string[]> {
  const settled = new Map<string, string>();
  let order: string[] = [];
  for (let i = 0; i < 60; i++) {
    const rs = rows(await socat(sock, 'show stat\n'));
    order = rs.map((r) => r.split(',').slice(0, 2).join(','));
    rs.forEach((r, k) => {
      if (!r.includes(',* ') && !settled.has(order[k]!)) settled.set(order[k]!, r);
    });
    if (order.every((k) => settled.has(k))) break;
    await sleep(20);
  }
  return order.map((k) => settled.get(k) ?? `${k},(never settled)`);
}

describe.skipIf(!hasHaproxy || !hasOpenssl)('health checks over TLS judge servers as HAProxy 2.6 does', () => {
  let certs: TestCerts;
  const servers: net.Server[] = [];
  let theirs: string[] = [];
  let ours: string[] = [];

  beforeAll(async () => {
    certs = makeCerts({ 'srv.test': {} });
    const ports: Record<string, number> = {};
    const used = new Set<number>();
    const take = async (name: string): Promise<number> => {
      let p = await freePort();
      while (used.has(p)) p = await freePort();
      used.add(p);
      return (ports[name] = p);
    };
    servers.push(await tlsServer(certs, {}, await take('tls')));
    servers.push(await tlsServer(certs, { http: true }, await take('tlshttp')));
    servers.push(await tlsServer(certs, { sni: 'good.test' }, await take('sni')));
    servers.push(await tlsServer(certs, { alpn: 'h2' }, await take('alpn')));
    servers.push(await plainServer(await take('plain')));
    servers.push(await plainServer(await take('plainhttp'), true));
    const cfg = `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    mode tcp
    log global
    # TLS handshakes against Node servers on a loaded machine: one check per server every 2 s, 2 s to connect
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    timeout check 2s
    default-server check inter 2s rise 1 fall 1
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend l4
backend l4
    server ok 127.0.0.1:${ports.tls} ssl verify none
    server plain 127.0.0.1:${ports.plain} ssl verify none
    server forced 127.0.0.1:${ports.plainhttp} check-ssl verify none port ${ports.tls}
    server forcedplain 127.0.0.1:${ports.plainhttp} check-ssl verify none
    server moved 127.0.0.1:${ports.tls} ssl verify none port ${ports.plainhttp}
    server nocheckssl 127.0.0.1:${ports.plain} ssl verify none no-check-ssl
backend sni
    server good 127.0.0.1:${ports.sni} ssl verify none check-sni good.test
    server bad 127.0.0.1:${ports.sni} ssl verify none check-sni bad.test
    server none 127.0.0.1:${ports.sni} ssl verify none
    server fromsni 127.0.0.1:${ports.sni} ssl verify none sni str(good.test)
backend verify
    server ok 127.0.0.1:${ports.tls} ssl verify required ca-file ${certs.caFile} check-sni srv.test
    server wrongname 127.0.0.1:${ports.tls} ssl verify required ca-file ${certs.caFile} check-sni other.test
    server noname 127.0.0.1:${ports.tls} ssl verify required ca-file ${certs.caFile}
backend alpn
    server h2 127.0.0.1:${ports.alpn} ssl verify none check-alpn h2
    server h1 127.0.0.1:${ports.alpn} ssl verify none check-alpn http/1.1
    server srvalpn 127.0.0.1:${ports.alpn} ssl verify none alpn h2
backend http
    option httpchk GET /
    server ok 127.0.0.1:${ports.tlshttp} ssl verify none
    server plain 127.0.0.1:${ports.plain} ssl verify none
backend redis
    option tcp-check
    tcp-check send PING\\r\\n
    server tls 127.0.0.1:${ports.tls} ssl verify none
    server plain 127.0.0.1:${ports.plain} ssl verify none
`;
    // one proxy at a time, so the fake servers' handshakes are not shared between two checkers
    const real = await startHaproxy(cfg);
    try {
      await sleep(2600);
      theirs = await settledRows(real.socketPath);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-checkssl-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { healthChecks: true });
    try {
      await sleep(2600);
      ours = await settledRows(sock);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
  afterAll(async () => {
    for (const s of open) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    certs?.cleanup();
  });

  for (const backend of ['l4', 'sni', 'verify', 'alpn', 'http', 'redis']) {
    it(`shows the same check results for backend ${backend}`, () => {
      const real = theirs.filter((r) => r.startsWith(`${backend},`));
      expect(real.length).toBeGreaterThan(0);
      expect(ours.filter((r) => r.startsWith(`${backend},`))).toEqual(real);
    });
  }
});
