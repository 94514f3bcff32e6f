import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import type { Balancer } from '../../../proxy/balance/balancer.ts';
import type { ServerState } from '../../../proxy/server/server-state.ts';
import { makeServers, weighted } from './servers.ts';

const spec = { algorithm: 'leastconn', options: [], hashType: 'map-based' } as const;

function take(b: Balancer): ServerState {
  const s = b.pick({ src: '127.0.0.1' }).server!;
  s.served++;
  b.taken!(s);
  return s;
}

function drop(b: Balancer, s: ServerState): void {
  s.served--;
  b.dropped!(s);
}

describe('leastconn (fwlc)', () => {
  it('rotates among idle servers in declaration order when requests never overlap', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [5, 1, 2])), { allBackups: false });
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = take(b);
      got.push(s.name);
      drop(b, s);
    }
    expect(got).toEqual(['s1', 's2', 's3', 's1', 's2', 's3']);
  });

  it('sends the next connection to the server with the fewest connections per weight', () => {
    const servers = makeServers(weighted('s', [1, 3]));
    const b = createBalancer(spec, servers, { allBackups: false });
    const held = Array.from({ length: 8 }, () => take(b).name);
    // s1 holds 2 (key 3*4096/16), s2 holds 6 (key 7*4096/48): weight 3 takes three times the load
    expect(held.filter((n) => n === 's2').length).toBe(6);
  });

  it('moves a server back to the front when its connections end', () => {
    const servers = makeServers(weighted('s', [1, 1]));
    const b = createBalancer(spec, servers, { allBackups: false });
    const a = take(b);
    const c = take(b);
    expect([a.name, c.name]).toEqual(['s1', 's2']);
    drop(b, a);
    expect(b.pick({ src: '127.0.0.1' }).server).toBe(servers[0]);
  });

  it('walks past servers at maxconn + maxqueue and reports all-full when none is left', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }]);
    const b = createBalancer(spec, servers, { allBackups: false });
    expect([take(b).name, take(b).name]).toEqual(['a', 'b']);
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'all-full' });
  });

  it('lists servers with their connections in the snapshot', () => {
    const b = createBalancer(spec, makeServers(weighted('s', [1, 1])), { allBackups: false });
    take(b);
    expect(b.snapshot().summary).toBe('fewest connections per weight first: s2(0) s1(1)');
  });
});
