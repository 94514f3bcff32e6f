import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import { makeServers } from './servers.ts';

const spec = { algorithm: 'first', options: [], hashType: 'map-based' } as const;

describe('first (fas)', () => {
  it('fills the lowest id up to maxconn before using the next, ignoring weights', () => {
    const servers = makeServers([
      { name: 'big', weight: 100, maxconn: 2, id: 2 },
      { name: 'small', weight: 1, maxconn: 1, id: 1 },
    ]);
    const b = createBalancer(spec, servers, { allBackups: false });
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = b.pick({ src: '127.0.0.1' }).server!;
      s.served++;
      b.taken!(s);
      got.push(s.name);
    }
    expect(got).toEqual(['small', 'big', 'big']);
    expect(b.pick({ src: '127.0.0.1' })).toEqual({ server: null, reason: 'all-full' });
  });

  it('never picks weight 0 or disabled servers', () => {
    const servers = makeServers([{ name: 'zero', weight: 0 }, { name: 'off', disabled: true }, { name: 'on' }]);
    const b = createBalancer(spec, servers, { allBackups: false });
    expect(b.pick({ src: '127.0.0.1' }).server?.name).toBe('on');
  });
});
