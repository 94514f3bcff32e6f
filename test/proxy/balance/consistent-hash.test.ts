import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import type { Balancer } from '../../../proxy/balance/balancer.ts';
import { makeServers, weighted } from './servers.ts';
import { requestView } from './parity-harness.ts';

const spec = { algorithm: 'uri', options: [], hashType: 'consistent' } as const;
const keys = Array.from({ length: 400 }, (_, i) => `/obj/${i}`);
const owners = (b: Balancer) => keys.map((path) => b.pick({ src: '127.0.0.1', req: requestView({ path }) }).server?.name);

describe('consistent hashing (chash)', () => {
  it('moves only the keys of a server that goes down, and moves them back when it returns', () => {
    const servers = makeServers(weighted('s', [1, 1, 1, 1]));
    const b = createBalancer(spec, servers, { allBackups: false });
    const before = owners(b);
    servers[2]!.admin = 'maint';
    b.serverDown!(servers[2]!);
    const during = owners(b);
    keys.forEach((_, i) => {
      if (before[i] !== 's3') expect(during[i]).toBe(before[i]);
      else expect(during[i]).not.toBe('s3');
    });
    servers[2]!.admin = 'ready';
    b.serverUp!(servers[2]!);
    expect(owners(b)).toEqual(before);
  });

  it('follows weight changes, unlike the map: more weight draws more keys', () => {
    const servers = makeServers(weighted('s', [1, 1]));
    const b = createBalancer(spec, servers, { allBackups: false });
    const count = () => owners(b).filter((n) => n === 's1').length;
    const base = count();
    servers[0]!.effectiveWeight = 8;
    b.weightChanged!(servers[0]!);
    expect(count()).toBeGreaterThan(base);
  });

  it('is spread roughly by weight', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [1, 3])), { allBackups: false });
    const share = owners(b).filter((n) => n === 's2').length / keys.length;
    expect(share).toBeGreaterThan(0.6);
    expect(share).toBeLessThan(0.9);
  });

  it('walks the ring point by point when the key is missing', () => {
    const b = createBalancer({ algorithm: 'hdr', arg: 'X-Key', options: [], hashType: 'consistent' }, makeServers(weighted('s', [1, 1, 1])), { allBackups: false });
    const got = Array.from({ length: 48 }, () => b.pick({ src: '127.0.0.1', req: requestView({}) }).server?.name);
    for (const n of ['s1', 's2', 's3']) expect(got).toContain(n);
  });
});
