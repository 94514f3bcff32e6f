import { describe, expect, it } from 'vitest';
import { createBalancer, weightChangeError } from '../../../proxy/balance/algorithms.ts';
import type { Balancer } from '../../../proxy/balance/balancer.ts';
import { makeServers, weighted } from './servers.ts';

const spec = { algorithm: 'static-rr', options: [], hashType: 'map-based' } as const;
const picks = (b: Balancer, n: number) => Array.from({ length: n }, () => b.pick({ src: '127.0.0.1' }).server?.name ?? '-');

describe('static-rr (server map)', () => {
  it('starts with the first declared server and repeats the map every total weight', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [2, 1, 3])), { allBackups: false });
    const got = picks(b, 12);
    expect(got[0]).toBe('s1');
    expect(got.slice(6)).toEqual(got.slice(0, 6));
    expect(got.slice(0, 6).sort()).toEqual(['s1', 's1', 's2', 's3', 's3', 's3']);
  });

  it('divides weights by their greatest common divisor, so 20/10/30 walks like 2/1/3', () => {
    const a = picks(createBalancer(spec, makeServers(weighted('s', [20, 10, 30])), { allBackups: false }), 12);
    const b = picks(createBalancer(spec, makeServers(weighted('s', [2, 1, 3])), { allBackups: false }), 12);
    expect(a).toEqual(b);
  });

  it('has no weightChanged hook: that is what makes it static', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [1, 1])), { allBackups: false });
    expect(b.weightChanged).toBeUndefined();
    expect(b.serverUp).toBeTypeOf('function');
  });

  it('rebuilds the map when a server leaves and comes back', () => {
    const servers = makeServers(weighted('s', [1, 1, 1]));
    const b = createBalancer(spec, servers, { allBackups: false });
    servers[1]!.admin = 'maint';
    b.serverDown!(servers[1]!);
    expect(picks(b, 4)).not.toContain('s2');
    servers[1]!.admin = 'ready';
    b.serverUp!(servers[1]!);
    expect(picks(b, 3)).toContain('s2');
  });

  it('refuses runtime weights other than 0 and the initial weight, with haproxy words', () => {
    const servers = makeServers(weighted('s', [3]));
    expect(weightChangeError(spec, servers[0]!, 5)).toBe("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.");
    expect(weightChangeError(spec, servers[0]!, 0)).toBeNull();
    expect(weightChangeError(spec, servers[0]!, 3)).toBeNull();
    expect(weightChangeError({ ...spec, algorithm: 'roundrobin' }, servers[0]!, 5)).toBeNull();
    expect(weightChangeError(spec, servers[0]!, 300)).toBe('Absolute weight can only be between 0 and 256 inclusive.');
  });

  it('skips full servers and says all-full when none has room', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }]);
    const b = createBalancer(spec, servers, { allBackups: false });
    for (const s of servers) s.served = 1;
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'all-full' });
    servers[1]!.served = 0;
    expect(picks(b, 2)).toEqual(['b', 'b']);
  });

  it('describes its map in the snapshot', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [2, 1])), { allBackups: false });
    expect(b.snapshot().summary).toMatch(/map of 3 slot\(s\)/);
  });
});
