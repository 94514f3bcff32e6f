// A `nameserver NAME tcp@ADDR:PORT` against real HAProxy 2.6: both ask the DNS server over TCP (each message after
// its 2-byte length) and none over UDP, bring the server up at the first answer and follow its address when the
// answer changes. The DNS server (test/helpers/dns-server.ts) listens on 127.0.0.1.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { startFakeDns } from '../helpers/dns-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CONFIG = (dnsPort: number, appPort: number) => `
resolvers labdns
    nameserver ns1 tcp@127.0.0.1:${dnsPort}
    resolve_retries 2
    timeout resolve 200ms
    timeout retry 200ms
    hold valid 300ms
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 app.lab.test:${appPort} resolvers labdns init-addr none resolve-prefer ipv4
`;

function app(host: string, port: number): Promise<http.Server> {
  const srv = http.createServer((_req, res) => res.end(host));
  return new Promise((resolve) => srv.listen(port, host, () => resolve(srv)));
}

function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      })
      .on('error', (e) => resolve(`error ${e.message}`));
  });
}

async function until(port: number, want: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  let got = await get(port);
  while (got !== want && Date.now() < deadline) {
    await sleep(100);
    got = await get(port);
  }
  return got;
}

interface Run {
  readonly first: string;
  readonly moved: string;
  readonly udp: number;
  readonly tcp: number;
}

async function run(start: (cfg: string) => Promise<{ port: number; stop(): Promise<void> }>): Promise<Run> {
  const appPort = await freePort();
  const a2 = await app('127.0.0.2', appPort);
  const a3 = await app('127.0.0.3', appPort);
  const dns = await startFakeDns({ 'app.lab.test': ['127.0.0.2'] });
  const p = await start(CONFIG(dns.tcpPort, appPort));
  try {
    const first = await until(p.port, '200 127.0.0.2', 5000);
    dns.set('app.lab.test', ['127.0.0.3']);
    const moved = await until(p.port, '200 127.0.0.3', 5000);
    const tcp = dns.queries.filter((q) => q.startsWith('tcp A app.lab.test')).length;
    return { first, moved, udp: dns.queries.filter((q) => !q.startsWith('tcp ')).length, tcp };
  } finally {
    await p.stop();
    await dns.close();
    a2.close();
    a3.close();
  }
}

describe.skipIf(!hasHaproxy)('DNS over TCP for a tcp@ name server, as HAProxy 2.6 asks it', () => {
  it('resolves over TCP only, brings the server up and follows its new address', async () => {
    const want = await run(async (cfg) => {
      const h = await startHaproxy(cfg);
      return { port: h.port, stop: () => h.stop() };
    });
    const got = await run(async (cfg) => {
      const e = await startEngine(cfg);
      return { port: e.port, stop: () => e.stop() };
    });
    expect(want).toMatchObject({ first: '200 127.0.0.2', moved: '200 127.0.0.3', udp: 0 });
    expect(want.tcp).toBeGreaterThan(1);
    expect(got).toMatchObject({ first: want.first, moved: want.moved, udp: 0 });
    expect(got.tcp).toBeGreaterThan(1);
  }, 40_000);
});
