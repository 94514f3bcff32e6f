// Backup servers against real haproxy: unused while an active server is usable; then the first usable backup
// alone, or all backups in turn with `option allbackups` — for every algorithm family.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { plain, runHaproxy, runOurs, type Scenario } from '../proxy/balance/parity-harness.ts';
import type { ServerDesc } from '../proxy/balance/servers.ts';

async function same(sc: Scenario): Promise<string[]> {
  const real = await runHaproxy(sc);
  expect(runOurs(sc).names).toEqual(real);
  return real;
}

const activesDown: ServerDesc[] = [
  { name: 'a1', weight: 2, disabled: true },
  { name: 'b1', weight: 2, backup: true, disabled: true },
  { name: 'a2', weight: 1, disabled: true },
  { name: 'b2', weight: 2, backup: true },
  { name: 'b3', weight: 3, backup: true },
  { name: 'b4', weight: 1, backup: true },
];

const paths = ['/x', '/y', '/z', '/w', '/v', '/u'].map((path) => ({ path }));

describe.skipIf(!hasHaproxy)('backup servers match haproxy', () => {
  it('take no traffic while an active server is up', async () => {
    const real = await same({
      balance: 'roundrobin',
      servers: [{ name: 'a1' }, { name: 'b1', backup: true }, { name: 'a2', weight: 2 }],
      requests: plain(6),
    });
    expect(real).not.toContain('b1');
  });

  for (const balance of ['roundrobin', 'leastconn', 'first', 'uri']) {
    it(`${balance}: all actives down sends everything to the first usable backup`, async () => {
      const real = await same({ balance, servers: activesDown, requests: balance === 'uri' ? paths : plain(6) });
      expect(new Set(real)).toEqual(new Set(['b2']));
    });
  }

  // HAProxy quirk kept on purpose: map-based algorithms size the map by the first backup's weight (2 here)
  // but fill it by the scores of every usable backup, so the heavier b3 wins one of the two slots.
  for (const balance of ['static-rr', 'url_param id']) {
    it(`${balance}: all actives down fills a map the size of the first backup's weight, as haproxy does`, async () => {
      const real = await same({ balance, servers: activesDown, requests: plain(6) });
      expect(new Set(real)).toEqual(new Set(['b2', 'b3']));
    });
  }

  for (const balance of ['roundrobin', 'static-rr', 'leastconn', 'first', 'uri', 'url_param id']) {
    it(`${balance}: with option allbackups the backups share the traffic as haproxy shares it`, async () => {
      await same({ balance, servers: activesDown, allBackups: true, requests: balance === 'uri' ? paths : plain(12) });
    });
  }

  it('consistent hashing uses the first backup alone, or the backup ring with allbackups', async () => {
    await same({ balance: 'uri', hashType: 'consistent', servers: activesDown, requests: paths });
    await same({ balance: 'uri', hashType: 'consistent', servers: activesDown, allBackups: true, requests: paths });
  });
});
