import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import type { Balancer } from '../../../proxy/balance/balancer.ts';
import { makeServers, weighted, type ServerDesc } from './servers.ts';

const rr = { algorithm: 'roundrobin', options: [], hashType: 'map-based' } as const;

function picks(b: Balancer, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = b.pick({ src: '127.0.0.1' });
    out.push(r.server ? r.server.name : `<${r.reason}>`);
  }
  return out;
}

function build(descs: readonly ServerDesc[], allBackups = false) {
  const servers = makeServers(descs);
  return { servers, b: createBalancer(rr, servers, { allBackups }) };
}

describe('roundrobin (fwrr)', () => {
  it('gives EP 9 weights 2/1/3 the order real haproxy 2.6 produced for 12 requests', () => {
    // Recorded from haproxy 2.6.12 with `server server1 weight 2`, `server2 weight 1`, `server3 weight 3`.
    const { b } = build(weighted('server', [2, 1, 3]));
    expect(picks(b, 12)).toEqual([
      'server3', 'server1', 'server3', 'server2', 'server3', 'server1',
      'server3', 'server1', 'server3', 'server2', 'server3', 'server1',
    ]);
  });

  it('serves each server in proportion to its weight over a full window', () => {
    const ws = [1, 4, 7, 0, 16];
    const { b } = build(weighted('s', ws));
    const total = ws.reduce((a, c) => a + c, 0);
    const got = picks(b, total * 5);
    ws.forEach((w, i) => expect(got.filter((n) => n === `s${i + 1}`).length).toBe(w * 5));
  });

  it('reports no-usable-server when every server is disabled or weight 0', () => {
    const { b } = build([{ name: 'a', disabled: true }, { name: 'b', weight: 0 }]);
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'no-usable-server' });
  });

  it('reports all-full when every usable server is at maxconn, then resumes when one frees', () => {
    const { servers, b } = build([{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }]);
    const first = b.pick({ src: '127.0.0.1' }).server!;
    first.served++;
    const second = b.pick({ src: '127.0.0.1' }).server!;
    second.served++;
    expect(second).not.toBe(first);
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'all-full' });
    servers[0]!.served--;
    expect(b.pick({ src: '127.0.0.1' }).server?.name).toBe('a');
  });

  it('avoids the server that just failed on a redispatch unless it is the only one', () => {
    const { servers, b } = build(weighted('s', [1, 1]));
    const next = b.pick({ src: '127.0.0.1', avoid: servers[0] });
    expect(next.server?.name).toBe('s2');
    const { servers: one, b: single } = build([{ name: 'only' }]);
    expect(single.pick({ src: '127.0.0.1', avoid: one[0] }).server?.name).toBe('only');
  });

  it('uses only the first backup when all actives are down, and every backup with allbackups', () => {
    const descs: ServerDesc[] = [
      { name: 'a', disabled: true },
      { name: 'b1', backup: true },
      { name: 'b2', backup: true },
    ];
    expect(new Set(picks(build(descs).b, 6))).toEqual(new Set(['b1']));
    expect(new Set(picks(build(descs, true).b, 6))).toEqual(new Set(['b1', 'b2']));
  });

  it('returns to the actives as soon as one comes back up', () => {
    const { servers, b } = build([{ name: 'a', disabled: true }, { name: 'b1', backup: true }]);
    expect(picks(b, 2)).toEqual(['b1', 'b1']);
    servers[0]!.admin = 'ready';
    b.serverUp!(servers[0]!);
    expect(picks(b, 2)).toEqual(['a', 'a']);
  });

  it('hands back the same result object for a server, so a pick allocates nothing', () => {
    const { b } = build(weighted('s', [1]));
    expect(b.pick({ src: '127.0.0.1' })).toBe(b.pick({ src: '127.0.0.1' }));
  });

  it('shows weights, position and each server in its snapshot', () => {
    const { b } = build(weighted('s', [2, 1, 3]));
    picks(b, 2);
    const snap = b.snapshot();
    expect(snap.algorithm).toBe('roundrobin');
    expect(snap.summary).toContain('weights 2/1/3');
    expect(snap.servers.map((s) => [s.name, s.weight, s.usable])).toEqual([
      ['s1', 2, true],
      ['s2', 1, true],
      ['s3', 3, true],
    ]);
  });
});
