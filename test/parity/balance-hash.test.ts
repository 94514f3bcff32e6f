// source, uri, url_param and hdr hashing against real haproxy, map-based and consistent: same keys, same servers,
// and the same round-robin fallback when the key is missing.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { runHaproxy, runOurs, type ParityRequest, type Scenario } from '../proxy/balance/parity-harness.ts';
import { weighted } from '../proxy/balance/servers.ts';

async function same(sc: Scenario): Promise<string[]> {
  const real = await runHaproxy(sc);
  expect(runOurs(sc).names).toEqual(real);
  return real;
}

const five = weighted('s', [1, 2, 1, 3, 1]);

const paths: ParityRequest[] = [
  '/',
  '/index.html',
  '/a/b/c/d.png',
  '/a/b/x?user=1',
  '/a/b/x?user=2',
  '/a/z',
  '/static/css/site.css?v=42',
  '/api/v1/users/17',
  '/api/v1/users/18',
  '/api/v2/orders',
  '/images/logo.svg',
  '/%7Euser/home',
  '/very/long/path/that/goes/on/and/on/for/a/while/to/test/len/limits',
  '/a/b/x?user=1',
].map((path) => ({ path }));

const sources: ParityRequest[] = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.7', '127.1.2.3', '127.10.20.30', '127.200.0.9', '127.0.0.2', '127.255.255.254']
  .map((src) => ({ src }));

const params: ParityRequest[] = [
  '/?id=1',
  '/?id=2',
  '/x?a=1&id=alice&b=2',
  '/no-query',
  '/?other=3',
  '/?id=',
  '/?idx=5',
  '/?id=bob&id=carol',
  '/y?ID=5',
  '/?a=1&id=2',
  '/no-query-again',
  '/?id=1',
].map((path) => ({ path }));

const users: ParityRequest[] = [
  { headers: { 'X-User': 'alice' } },
  { headers: { 'X-User': 'bob' } },
  {},
  { headers: { 'X-User': 'carol, dave' } },
  { headers: { 'x-user': '  alice  ' } },
  { headers: { 'X-User': '' } },
  { headers: { 'X-User': 'eve' } },
  {},
  { headers: { 'X-User': '"quoted, comma", x' } },
  { headers: { 'X-Other': 'alice' } },
  { headers: { 'X-User': 'bob' } },
];

describe.skipIf(!hasHaproxy)('balance source matches haproxy', () => {
  it('maps each client address to the same server (map-based)', async () => {
    await same({ balance: 'source', servers: five, requests: sources });
  });

  it('maps each client address to the same server (consistent)', async () => {
    await same({ balance: 'source', hashType: 'consistent', servers: five, requests: sources });
  });

  it('uses the hash function and avalanche given to hash-type', async () => {
    await same({ balance: 'source', hashType: 'map-based sdbm avalanche', servers: five, requests: sources });
  });
});

describe.skipIf(!hasHaproxy)('balance uri matches haproxy', () => {
  it('hashes the path up to the query string', async () => {
    await same({ balance: 'uri', servers: five, requests: paths });
  });

  it('hashes the whole target with "whole"', async () => {
    await same({ balance: 'uri whole', servers: five, requests: paths });
  });

  it('stops at "len" characters and at "depth" levels', async () => {
    await same({ balance: 'uri len 6', servers: five, requests: paths });
    await same({ balance: 'uri depth 2', servers: five, requests: paths });
    await same({ balance: 'uri depth 1 whole', servers: five, requests: paths });
  });

  it('places keys on the consistent ring like haproxy, with djb2, wt6 and crc32 too', async () => {
    await same({ balance: 'uri', hashType: 'consistent', servers: five, requests: paths });
    await same({ balance: 'uri', hashType: 'consistent djb2', servers: five, requests: paths });
    await same({ balance: 'uri whole', hashType: 'map-based wt6', servers: five, requests: paths });
    await same({ balance: 'uri', hashType: 'map-based crc32 avalanche', servers: five, requests: paths });
  });
});

describe.skipIf(!hasHaproxy)('balance url_param matches haproxy', () => {
  it('hashes the parameter and falls back to round robin without it (map-based)', async () => {
    await same({ balance: 'url_param id', servers: five, requests: params });
  });

  it('hashes the parameter and walks the ring without it (consistent)', async () => {
    await same({ balance: 'url_param id', hashType: 'consistent', servers: five, requests: params });
  });
});

describe.skipIf(!hasHaproxy)('balance hdr matches haproxy', () => {
  it('hashes the first value of the header and falls back to round robin when missing or empty', async () => {
    await same({ balance: 'hdr(X-User)', servers: five, requests: users });
  });

  it('does the same on the consistent ring', async () => {
    await same({ balance: 'hdr(x-user)', hashType: 'consistent', servers: five, requests: users });
  });

  it('hashes only the domain with use_domain_only', async () => {
    const hosts = ['www.example.com', 'api.example.com', 'example.org', 'localhost', 'a.b.c.d.example.net', 'shop.example.com:8080']
      .map((h) => ({ headers: { Host: h } }));
    await same({ balance: 'hdr(host) use_domain_only', servers: five, requests: hosts });
  });
});
