import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import { sdbm } from '../../../proxy/balance/hash-functions.ts';
import { makeServers, weighted } from './servers.ts';
import { requestView } from './parity-harness.ts';

const ctx = (path: string) => ({ src: '127.0.0.1', req: requestView({ path }) });

describe('hashing balancer', () => {
  it('lands a map-based key on map[hash % total weight]', () => {
    const b = createBalancer({ algorithm: 'uri', options: [], hashType: 'map-based' }, makeServers(weighted('s', [1, 1, 1])), { allBackups: false });
    const h = sdbm('/a/b', 0, 4);
    expect(b.explain!(ctx('/a/b?x'))).toBe(`uri "/a/b" -> hash 0x${h.toString(16)} -> slot ${h % 3} of 3`);
  });

  it('says when a request has no key and round robin decides', () => {
    const b = createBalancer({ algorithm: 'url_param', arg: 'id', options: [], hashType: 'map-based' }, makeServers(weighted('s', [1, 1])), { allBackups: false });
    expect(b.explain!(ctx('/nothing'))).toBe('url_param(id): no key in this request, round robin');
  });

  it('explains without moving the round-robin fallback', () => {
    const b = createBalancer({ algorithm: 'url_param', arg: 'id', options: [], hashType: 'map-based' }, makeServers(weighted('s', [1, 1])), { allBackups: false });
    const first = b.pick(ctx('/')).server?.name;
    b.explain!(ctx('/'));
    b.explain!(ctx('/'));
    expect(b.pick(ctx('/')).server?.name).not.toBe(first);
  });

  it('sends the same key to the same server every time', () => {
    const b = createBalancer({ algorithm: 'uri', options: [], hashType: 'consistent' }, makeServers(weighted('s', [1, 2, 3])), { allBackups: false });
    const once = b.pick(ctx('/same')).server;
    for (let i = 0; i < 10; i++) expect(b.pick(ctx('/same')).server).toBe(once);
  });
});
