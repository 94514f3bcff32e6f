// Redispatch against real haproxy: when a server refuses the connection, `option redispatch` picks again while
// avoiding it — our balancers must choose the same replacement and keep the same rotation afterwards.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { plain, runHaproxy, runOurs, type Scenario } from '../proxy/balance/parity-harness.ts';
import type { ServerDesc } from '../proxy/balance/servers.ts';

async function same(sc: Scenario): Promise<string[]> {
  const real = await runHaproxy(sc);
  expect(runOurs(sc).names).toEqual(real);
  return real;
}

const servers: ServerDesc[] = [
  { name: 's1', weight: 2 },
  { name: 's2', weight: 1, dead: true },
  { name: 's3', weight: 3 },
  { name: 's4', weight: 1 },
];
const paths = Array.from({ length: 10 }, (_, i) => ({ path: `/k/${i}` }));

describe.skipIf(!hasHaproxy)('redispatch avoids the failed server as haproxy does', () => {
  for (const balance of ['roundrobin', 'static-rr', 'leastconn']) {
    it(`${balance} picks the same replacement and keeps its rotation`, async () => {
      const real = await same({ balance, servers, redispatch: true, requests: plain(14) });
      expect(real).not.toContain('s2');
    });
  }

  it('consistent hashing moves to the next server on the ring', async () => {
    const real = await same({ balance: 'uri', hashType: 'consistent', servers, redispatch: true, requests: paths });
    expect(real).not.toContain('s2');
  });
});
