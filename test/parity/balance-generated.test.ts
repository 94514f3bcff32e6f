// Generated scenarios against real haproxy (seeded, so every run checks the same ones): random weight sets,
// server flags and runtime weight changes, for the algorithms whose order is fully deterministic.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { runHaproxy, runOurs, type ParityRequest, type Scenario } from '../proxy/balance/parity-harness.ts';
import type { ServerDesc } from '../proxy/balance/servers.ts';

const serverArb = fc.record({
  weight: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 256 })),
  backup: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  disabled: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const scenarioArb = fc
  .record({
    balance: fc.constantFrom('roundrobin', 'static-rr', 'leastconn', 'uri', 'url_param id', 'hdr(X-K)', 'source'),
    consistent: fc.boolean(),
    allBackups: fc.boolean(),
    servers: fc.array(serverArb, { minLength: 2, maxLength: 9 }),
    keys: fc.array(fc.option(fc.string({ minLength: 0, maxLength: 6, unit: fc.constantFrom('a', 'b', 'c', '1', '2', '/', '-') }), { nil: undefined }), {
      minLength: 40,
      maxLength: 40,
    }),
    changes: fc.array(fc.record({ at: fc.integer({ min: 1, max: 39 }), server: fc.nat(), weight: fc.integer({ min: 0, max: 20 }) }), { maxLength: 4 }),
  })
  .map(({ balance, consistent, allBackups, servers, keys, changes }): Scenario => {
    const descs: ServerDesc[] = servers.map((s, i) => ({ name: `s${i + 1}`, weight: s.weight, disabled: s.disabled, backup: s.backup }));
    const dynamic = balance === 'roundrobin' || balance === 'leastconn' || (consistent && !['roundrobin', 'static-rr', 'leastconn'].includes(balance));
    const requests = keys.map((k, i): ParityRequest =>
      balance === 'uri'
        ? { path: `/${k ?? ''}` }
        : balance === 'url_param id'
          ? { path: k === undefined ? '/' : `/?id=${k}` }
          : balance === 'source'
            ? { src: `127.0.${i % 7}.${(k ?? '').length + 1}` }
            : { headers: k === undefined ? {} : ({ 'X-K': k } as Record<string, string>) },
    );
    return {
      balance,
      hashType: consistent && !['roundrobin', 'static-rr', 'leastconn'].includes(balance) ? 'consistent' : undefined,
      servers: descs,
      allBackups,
      requests,
      events: dynamic
        ? changes.map((c) => ({ at: c.at, command: `set weight be/${descs[c.server % descs.length]!.name} ${c.weight}` }))
        : [],
    };
  })
  .filter((sc) => sc.servers.some((s) => !s.disabled && (s.weight ?? 1) > 0));

const RUNS = Number(process.env['BALANCE_PARITY_RUNS'] ?? 25);
const SEED = Number(process.env['BALANCE_PARITY_SEED'] ?? 20240911);

describe.skipIf(!hasHaproxy)('generated scenarios match haproxy', () => {
  it(`picks the same servers for ${RUNS} generated backends, request sequences and weight changes`, async () => {
    const samples = fc.sample(scenarioArb, { seed: SEED, numRuns: RUNS });
    for (const sc of samples) {
      const real = await runHaproxy(sc);
      expect({ sc, ours: runOurs(sc).names }).toEqual({ sc, ours: real });
    }
  }, 120_000);
});

const heldArb = fc
  .record({
    balance: fc.constantFrom('roundrobin', 'static-rr', 'leastconn', 'first'),
    servers: fc.array(fc.record({ weight: fc.integer({ min: 0, max: 6 }), maxconn: fc.integer({ min: 0, max: 3 }) }), { minLength: 2, maxLength: 6 }),
    n: fc.integer({ min: 2, max: 12 }),
  })
  .map(({ balance, servers, n }): Scenario => {
    const descs: ServerDesc[] = servers.map((s, i) => ({ name: `s${i + 1}`, weight: s.weight, maxconn: s.maxconn }));
    const usable = descs.filter((d) => (d.weight ?? 1) > 0);
    // Never more requests than the servers can hold at once: a queued request would never reach a backend.
    const capacity = usable.some((d) => !d.maxconn) ? n : usable.reduce((a, d) => a + (d.maxconn ?? 0), 0);
    return { balance, servers: descs, requests: Array.from({ length: Math.min(n, capacity) }, () => ({})), mode: 'held' };
  })
  .filter((sc) => sc.requests.length > 0);

describe.skipIf(!hasHaproxy)('generated concurrent scenarios match haproxy', () => {
  it(`fills servers up to maxconn in haproxy's order for ${RUNS} generated backends`, async () => {
    const samples = fc.sample(heldArb, { seed: SEED, numRuns: RUNS });
    for (const sc of samples) {
      const real = await runHaproxy(sc);
      expect({ sc, ours: runOurs(sc).names }).toEqual({ sc, ours: real });
    }
  }, 120_000);
});
