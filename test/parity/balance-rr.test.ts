// roundrobin, static-rr, leastconn and first against real haproxy: same servers, same requests, same order.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { plain, runHaproxy, runOurs, type Scenario } from '../proxy/balance/parity-harness.ts';
import { weighted } from '../proxy/balance/servers.ts';

async function same(sc: Scenario): Promise<string[]> {
  const real = await runHaproxy(sc);
  expect(runOurs(sc).names).toEqual(real);
  return real;
}

describe.skipIf(!hasHaproxy)('roundrobin matches haproxy request for request', () => {
  it('follows the EP 9 weights 2/1/3 in haproxy order', async () => {
    const real = await same({ balance: 'roundrobin', servers: weighted('server', [2, 1, 3]), requests: plain(24) });
    expect(real.filter((n) => n === 'server3').length).toBe(12);
  });

  it('never picks a weight 0 server and treats weight 1 and 256 as haproxy does', async () => {
    await same({ balance: 'roundrobin', servers: weighted('s', [5, 0, 1, 256]), requests: plain(300) });
  });

  it('interleaves many servers of different weights identically', async () => {
    await same({ balance: 'roundrobin', servers: weighted('s', [1, 2, 3, 4, 5, 6, 7, 10, 13, 40]), requests: plain(200) });
  });

  it('rotates equal weights in declaration order, also over a keep-alive connection', async () => {
    await same({ balance: 'roundrobin', servers: weighted('s', [1, 1, 1, 1]), requests: plain(9), keepAlive: true });
  });

  it('skips disabled servers', async () => {
    await same({
      balance: 'roundrobin',
      servers: [{ name: 'a', weight: 3 }, { name: 'b', weight: 2, disabled: true }, { name: 'c', weight: 1 }],
      requests: plain(12),
    });
  });

  it('skips a server at maxconn and puts it back where haproxy does', async () => {
    await same({
      balance: 'roundrobin',
      servers: [{ name: 'a', weight: 3, maxconn: 1 }, { name: 'b', weight: 2 }, { name: 'c', weight: 1, maxconn: 2 }],
      requests: plain(8),
      mode: 'held',
    });
  });
});

describe.skipIf(!hasHaproxy)('static-rr matches haproxy request for request', () => {
  it('walks the weighted map 2/1/3', async () => {
    await same({ balance: 'static-rr', servers: weighted('s', [2, 1, 3]), requests: plain(18) });
  });

  it('divides weights by their common divisor and ignores weight 0', async () => {
    await same({ balance: 'static-rr', servers: weighted('s', [4, 0, 6, 10, 2]), requests: plain(30) });
  });

  it('handles many servers and weight 256', async () => {
    await same({ balance: 'static-rr', servers: weighted('s', [256, 1, 7, 3, 3, 9]), requests: plain(300) });
  });

  it('skips a full server in the map', async () => {
    await same({
      balance: 'static-rr',
      servers: [{ name: 'a', weight: 2, maxconn: 1 }, { name: 'b', weight: 1 }, { name: 'c', weight: 3 }],
      requests: plain(7),
      mode: 'held',
    });
  });
});

describe.skipIf(!hasHaproxy)('leastconn matches haproxy request for request', () => {
  it('rotates between idle servers when requests are sequential (ties go to the longest idle)', async () => {
    await same({ balance: 'leastconn', servers: weighted('s', [1, 1, 1]), requests: plain(9) });
  });

  it('rotates the same way with different weights when every server is idle', async () => {
    await same({ balance: 'leastconn', servers: weighted('s', [3, 1, 2]), requests: plain(9) });
  });

  it('fills concurrent connections by connections per weight', async () => {
    await same({ balance: 'leastconn', servers: weighted('s', [1, 2, 3]), requests: plain(12), mode: 'held' });
  });

  it('skips a server whose connections reached maxconn', async () => {
    await same({
      balance: 'leastconn',
      servers: [{ name: 'a', weight: 10, maxconn: 2 }, { name: 'b', weight: 1 }, { name: 'c', weight: 1 }],
      requests: plain(7),
      mode: 'held',
    });
  });
});

describe.skipIf(!hasHaproxy)('first matches haproxy request for request', () => {
  it('sends sequential requests to the first server', async () => {
    const real = await same({ balance: 'first', servers: weighted('s', [1, 1, 1]), requests: plain(5) });
    expect(new Set(real)).toEqual(new Set(['s1']));
  });

  it('fills servers up to maxconn in id order', async () => {
    await same({
      balance: 'first',
      servers: [
        { name: 'a', maxconn: 2, id: 3 },
        { name: 'b', maxconn: 1, id: 1 },
        { name: 'c', maxconn: 3, id: 2 },
      ],
      requests: plain(6),
      mode: 'held',
    });
  });
});

describe.skipIf(!hasHaproxy)('random draws like haproxy in distribution', () => {
  it('gives each server a share close to its weight, in haproxy and in ours', async () => {
    const sc: Scenario = { balance: 'random(1)', servers: weighted('s', [1, 3]), requests: plain(400) };
    const real = await runHaproxy(sc);
    let seed = 11;
    const ours = runOurs(sc, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)).names;
    for (const seq of [real, ours]) {
      const share = seq.filter((n) => n === 's2').length / seq.length;
      expect(share).toBeGreaterThan(0.62);
      expect(share).toBeLessThan(0.87);
    }
  });
});
