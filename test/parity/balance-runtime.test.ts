// Runtime changes against real haproxy: `set weight`, `disable server`, `enable server` and drain in the middle
// of a request sequence move our balancers exactly as they move haproxy's.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { plain, runHaproxy, runOurs, type Scenario } from '../proxy/balance/parity-harness.ts';
import { weighted } from '../proxy/balance/servers.ts';

async function same(sc: Scenario): Promise<string[]> {
  const real = await runHaproxy(sc);
  expect(runOurs(sc).names).toEqual(real);
  return real;
}

const paths = Array.from({ length: 40 }, (_, i) => ({ path: `/item/${i % 13}` }));

describe.skipIf(!hasHaproxy)('runtime changes match haproxy', () => {
  it('roundrobin follows weight changes mid-rotation', async () => {
    await same({
      balance: 'roundrobin',
      servers: weighted('s', [2, 1, 3]),
      requests: plain(40),
      events: [
        { at: 5, command: 'set weight be/s1 7' },
        { at: 13, command: 'set weight be/s3 1' },
        { at: 20, command: 'set weight be/s2 0' },
        { at: 27, command: 'set weight be/s2 4' },
        { at: 33, command: 'set weight be/s1 50%' },
      ],
    });
  });

  it('roundrobin takes a server out and back in where haproxy does', async () => {
    await same({
      balance: 'roundrobin',
      servers: weighted('s', [2, 1, 3, 1]),
      requests: plain(40),
      events: [
        { at: 4, command: 'disable server be/s3' },
        { at: 11, command: 'enable server be/s3' },
        { at: 18, command: 'set server be/s1 state drain' },
        { at: 25, command: 'set server be/s1 state ready' },
        { at: 30, command: 'disable server be/s4' },
      ],
    });
  });

  it('static-rr accepts 0% and 100% and rebuilds its map', async () => {
    await same({
      balance: 'static-rr',
      servers: weighted('s', [2, 1, 3]),
      requests: plain(30),
      events: [
        { at: 4, command: 'set weight be/s3 0' },
        { at: 12, command: 'set weight be/s3 100%' },
        { at: 20, command: 'disable server be/s1' },
      ],
    });
  });

  it('leastconn and first follow servers leaving and coming back', async () => {
    const events = [
      { at: 3, command: 'disable server be/s1' },
      { at: 8, command: 'set weight be/s2 5' },
      { at: 12, command: 'enable server be/s1' },
    ];
    await same({ balance: 'leastconn', servers: weighted('s', [1, 1, 1]), requests: plain(20), events });
    await same({ balance: 'first', servers: weighted('s', [1, 1, 1]), requests: plain(20), events });
  });

  it('consistent hashing moves only the keys of the changed server', async () => {
    await same({
      balance: 'uri',
      hashType: 'consistent',
      servers: weighted('s', [1, 2, 3, 1]),
      requests: paths,
      events: [
        { at: 10, command: 'set weight be/s3 1' },
        { at: 20, command: 'disable server be/s2' },
        { at: 30, command: 'enable server be/s2' },
      ],
    });
  });

  it('map-based hashing rebuilds the map when a server goes', async () => {
    await same({
      balance: 'uri',
      servers: weighted('s', [1, 2, 3, 1]),
      requests: paths,
      events: [
        { at: 10, command: 'disable server be/s3' },
        { at: 25, command: 'enable server be/s3' },
      ],
    });
  });

  it('allbackups rotation survives backups leaving and returning', async () => {
    await same({
      balance: 'roundrobin',
      allBackups: true,
      servers: [
        { name: 'a1', disabled: true },
        { name: 'b1', weight: 2, backup: true },
        { name: 'b2', weight: 1, backup: true },
        { name: 'b3', weight: 3, backup: true },
      ],
      requests: plain(30),
      events: [
        { at: 6, command: 'disable server be/b3' },
        { at: 14, command: 'enable server be/b3' },
        { at: 22, command: 'enable server be/a1' },
      ],
    });
  });

  it('without allbackups the next backup takes over when the first one leaves', async () => {
    const real = await same({
      balance: 'leastconn',
      servers: [
        { name: 'a1', disabled: true },
        { name: 'b1', backup: true },
        { name: 'b2', backup: true },
      ],
      requests: plain(12),
      events: [
        { at: 4, command: 'disable server be/b1' },
        { at: 8, command: 'enable server be/b1' },
      ],
    });
    expect(real.slice(4, 8)).toEqual(['b2', 'b2', 'b2', 'b2']);
  });
});

describe.skipIf(!hasHaproxy)('no usable server', () => {
  it('answers no-usable-server exactly while haproxy answers 503, and recovers at the same request', async () => {
    const real = await same({
      balance: 'roundrobin',
      servers: weighted('s', [1, 2]),
      requests: plain(8),
      events: [
        { at: 2, command: 'set weight be/s1 0' },
        { at: 3, command: 'set weight be/s2 0' },
        { at: 5, command: 'set weight be/s2 1' },
      ],
    });
    expect(real.slice(3, 5)).toEqual(['<no-usable-server>', '<no-usable-server>']);
  });
});
