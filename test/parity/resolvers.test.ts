// resolvers sections against real HAProxy 2.6: a DNS server on 127.0.0.1 (test/helpers/dns-server.ts) answers for
// app.lab.test and the test changes its answers while both proxies watch. The server starts in maintenance
// (init-addr none), comes up at the first answer, follows the address when it moves (traffic reaches the new
// address), goes to MAINT (resolution) on NXDOMAIN once `hold nx` passed, and resolves again. Both log the same
// sentences in the same order and show the same `show servers state` and stats status at each phase.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { startFakeDns, type FakeDns } from '../helpers/dns-server.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CONFIG = (dnsPort: number, appPort: number) => `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
resolvers labdns
    nameserver ns1 127.0.0.1:${dnsPort}
    accepted_payload_size 1232
    resolve_retries 2
    timeout resolve 200ms
    timeout retry 100ms
    hold valid 300ms
    hold nx 500ms
    hold other 500ms
defaults
    mode http
    log global
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 app.lab.test:${appPort} resolvers labdns init-addr none resolve-prefer ipv4
    server s2 127.0.0.9:${appPort}
`;

// An HTTP server on one loopback address that names it.
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

interface Phase {
  readonly state: string;
  readonly status: string;
  readonly answer: string;
}

async function observe(sock: string, port: number): Promise<Phase> {
  const state = (await socat(sock, 'show servers state be\n')).split('\n').find((l) => / s1 /.test(l)) ?? '';
  const stat = (await socat(sock, 'show stat\n')).split('\n').find((l) => l.startsWith('be,s1,')) ?? '';
  // srv_time_since_last_change (10th field) is timing
  const masked = state.split(' ').map((f, i) => (i === 9 ? 'T' : f)).join(' ');
  return { state: masked, status: stat.split(',')[17] ?? '', answer: await get(port) };
}

describe.skipIf(!hasHaproxy)('resolvers follow a DNS server as HAProxy 2.6 does', () => {
  let dns: FakeDns;
  const apps: http.Server[] = [];
  const phases: Record<'haproxy' | 'engine', Record<string, Phase>> = { haproxy: {}, engine: {} };
  const logs: Record<'haproxy' | 'engine', string[]> = { haproxy: [], engine: [] };

  beforeAll(async () => {
    const appPort = await freePort();
    for (const h of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.9']) apps.push(await app(h, appPort));
    dns = await startFakeDns({ 'app.lab.test': ['127.0.0.2'] });
    const cfg = CONFIG(dns.port, appPort);
    const dir = mkdtempSync(join(tmpdir(), 'lab-resolvers-'));
    const sock = join(dir, 'admin.sock');
    const real = await startHaproxy(cfg);
    const ours = await startEngine(cfg.replace('{{sock}}', sock));
    const both = async (name: string) => {
      phases.haproxy[name] = await observe(real.socketPath, real.port);
      phases.engine[name] = await observe(sock, ours.port);
    };
    try {
      await sleep(800);
      await both('first answer');
      dns.set('app.lab.test', ['127.0.0.3']);
      await sleep(800);
      await both('moved');
      dns.set('app.lab.test', 'NXDOMAIN');
      await sleep(2500);
      await both('nxdomain');
      dns.set('app.lab.test', ['127.0.0.4']);
      await sleep(1000);
      await both('back');
    } finally {
      await ours.stop();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const mine = (l: string) => l.includes('be/s1');
    logs.haproxy = real.logs.filter((l) => !l.startsWith('[') && mine(l));
    logs.engine = ours.logs.filter(mine);
  }, 40_000);
  afterAll(async () => {
    await dns?.close();
    await Promise.all(apps.map((a) => new Promise((r) => a.close(r))));
  });

  it('asks only the test DNS server, for A records once resolve-prefer ipv4 is set', () => {
    expect(dns.queries.length).toBeGreaterThan(4);
    expect(new Set(dns.queries.map((q) => q.split(' ')[1]))).toEqual(new Set(['app.lab.test']));
  });

  for (const phase of ['first answer', 'moved', 'nxdomain', 'back']) {
    it(`shows the same server state, status and traffic after "${phase}"`, () => {
      expect(phases.haproxy[phase]).toBeDefined();
      expect(phases.engine[phase]).toEqual(phases.haproxy[phase]);
    });
  }

  it('logs the same address changes and maintenance sentences in the same order', () => {
    expect(logs.haproxy.some((l) => l.includes('changed its IP from 127.0.0.2 to 127.0.0.3 by labdns/ns1'))).toBe(true);
    expect(logs.haproxy.some((l) => l.includes('(DNS NX status)'))).toBe(true);
    expect(logs.engine).toEqual(logs.haproxy);
  });
});

const TEMPLATE = (dnsPort: number, appPort: number) => `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
resolvers labdns
    nameserver ns1 127.0.0.1:${dnsPort}
    timeout resolve 200ms
    timeout retry 100ms
    hold valid 300ms
defaults
    mode http
    log global
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    balance roundrobin
    server-template web 3 pool.lab.test:${appPort} resolvers labdns init-addr none resolve-prefer ipv4
`;

describe.skipIf(!hasHaproxy)('server-template shares the answers of one name among its servers as HAProxy 2.6 does', () => {
  let dns: FakeDns;
  const apps: http.Server[] = [];
  const seen: Record<'haproxy' | 'engine', Record<string, string[]>> = { haproxy: {}, engine: {} };
  const logs: Record<'haproxy' | 'engine', string[]> = { haproxy: [], engine: [] };

  const states = async (sock: string): Promise<string[]> =>
    (await socat(sock, 'show servers state be\n'))
      .split('\n')
      .filter((l) => / web\d /.test(l))
      .map((l) => l.split(' ').map((f, i) => (i === 9 ? 'T' : f)).join(' '));

  beforeAll(async () => {
    const appPort = await freePort();
    for (const h of ['127.0.0.5', '127.0.0.6', '127.0.0.7']) apps.push(await app(h, appPort));
    dns = await startFakeDns({ 'pool.lab.test': ['127.0.0.5', '127.0.0.6'] });
    const cfg = TEMPLATE(dns.port, appPort);
    const dir = mkdtempSync(join(tmpdir(), 'lab-template-'));
    const sock = join(dir, 'admin.sock');
    const real = await startHaproxy(cfg);
    const ours = await startEngine(cfg.replace('{{sock}}', sock));
    const both = async (name: string) => {
      seen.haproxy[name] = await states(real.socketPath);
      seen.engine[name] = await states(sock);
    };
    try {
      await sleep(900);
      await both('two addresses');
      dns.set('pool.lab.test', ['127.0.0.5', '127.0.0.6', '127.0.0.7']);
      await sleep(900);
      await both('three addresses');
      dns.set('pool.lab.test', ['127.0.0.7']);
      await sleep(900);
      await both('one address');
    } finally {
      await ours.stop();
      await real.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const mine = (l: string) => /be\/web\d/.test(l);
    logs.haproxy = real.logs.filter((l) => !l.startsWith('[') && mine(l));
    logs.engine = ours.logs.filter(mine);
  }, 40_000);
  afterAll(async () => {
    await dns?.close();
    await Promise.all(apps.map((a) => new Promise((r) => a.close(r))));
  });

  for (const phase of ['two addresses', 'three addresses', 'one address']) {
    it(`gives the servers the same addresses and states with ${phase}`, () => {
      expect(seen.haproxy[phase]?.length).toBe(3);
      expect(seen.engine[phase]).toEqual(seen.haproxy[phase]);
    });
  }

  it('logs the same sentences in the same order', () => {
    expect(logs.haproxy.length).toBeGreaterThan(2);
    expect(logs.engine).toEqual(logs.haproxy);
  });
});
