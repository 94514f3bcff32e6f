// Limits: a flood of connections beyond maxconn waits its turn instead of being refused, and the stats page
// answers on `stats uri`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { startEngine } from '../../helpers/engine.ts';

describe('engine limits and the stats page', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('serves a flood of 60 connections through a frontend maxconn of 5, never more than 5 at once', async () => {
    const proxy = await startEngine(`
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:{{port}}
    maxconn 5
    default_backend be
backend be
    server a 127.0.0.1:${backends.servers[0]!.port}
    server b 127.0.0.1:${backends.servers[1]!.port}
`);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, proxy.engine.snapshot().frontends[0]!.current);
    }, 2);
    try {
      const release = backends.hold();
      const answers = Promise.all(Array.from({ length: 60 }, () => ask(proxy.port, '/', { timeoutMs: 10_000 })));
      await new Promise((r) => setTimeout(r, 300));
      expect(proxy.engine.snapshot().frontends[0]!.current).toBe(5);
      release();
      backends.release();
      const all = await answers;
      expect(all.map((a) => a.status)).toEqual(Array(60).fill(200));
      expect(peak).toBeLessThanOrEqual(5);
    } finally {
      clearInterval(sampler);
      backends.release();
      await proxy.stop();
    }
  });

  it('answers the stats page and its CSV on stats uri, listing servers with weights', async () => {
    const proxy = await startEngine(`
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen stats
    bind 127.0.0.1:{{port}}
    stats enable
    stats uri /stats
    stats refresh 5s
frontend fe
    bind 127.0.0.1:{{port1}}
    default_backend servers
backend servers
    server server1 127.0.0.1:${backends.servers[0]!.port} weight 2
    server server2 127.0.0.1:${backends.servers[1]!.port} weight 1
`, { ports: 2 });
    try {
      await ask(proxy.ports[1]!, '/');
      const html = await ask(proxy.port, '/stats');
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.body).toContain('server1');
      const csv = await ask(proxy.port, '/stats;csv');
      expect(csv.status).toBe(200);
      const rows = csv.body.trim().split('\n');
      expect(rows[0]).toMatch(/^# pxname,svname,qcur,qmax,scur,smax,slim,stot,/);
      const cols = rows[0]!.slice(2).split(',');
      const server1 = rows.find((r) => r.startsWith('servers,server1,'))!.split(',');
      expect(server1[cols.indexOf('weight')]).toBe('2');
      expect(server1[cols.indexOf('status')]).toBe('no check'); // what HAProxy shows for a server without checks
      expect(Number(server1[cols.indexOf('stot')]) + Number(rows.find((r) => r.startsWith('servers,server2,'))!.split(',')[cols.indexOf('stot')])).toBe(1);
    } finally {
      await proxy.stop();
    }
  });
});
