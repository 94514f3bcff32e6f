import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import { makeServers, weighted } from './servers.ts';

// A small seeded generator so the test is repeatable.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('random', () => {
  it('draws servers in proportion to their weights with one draw', () => {
    const b = createBalancer({ algorithm: 'random', options: ['random(1)'], hashType: 'map-based' }, makeServers(weighted('s', [1, 2, 5])), {
      allBackups: false,
      random: mulberry32(7),
    });
    const n = 8000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = b.pick({ src: '127.0.0.1' }).server!.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect((counts.get('s3') ?? 0) / n).toBeGreaterThan(0.5);
    expect((counts.get('s3') ?? 0) / n).toBeLessThan(0.75);
    expect((counts.get('s1') ?? 0) / n).toBeGreaterThan(0.06);
    expect((counts.get('s1') ?? 0) / n).toBeLessThan(0.2);
  });

  it('with two draws prefers the less loaded of the two servers drawn', () => {
    const servers = makeServers(weighted('s', [1, 1]));
    const b = createBalancer({ algorithm: 'random', options: [], hashType: 'map-based' }, servers, { allBackups: false, random: mulberry32(3) });
    servers[0]!.served = 50;
    let s2 = 0;
    for (let i = 0; i < 1000; i++) if (b.pick({ src: '127.0.0.1' }).server?.name === 's2') s2++;
    // s2 loses only when both draws land on s1 (about a quarter of the time)
    expect(s2).toBeGreaterThan(650);
    expect(s2).toBeLessThan(850);
  });

  it('reports all-full when the winner is at maxconn, so the request queues', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1 }]);
    const b = createBalancer({ algorithm: 'random', options: [], hashType: 'map-based' }, servers, { allBackups: false, random: mulberry32(1) });
    servers[0]!.served = 1;
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'all-full' });
  });
});
