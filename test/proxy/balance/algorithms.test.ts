import { describe, expect, it } from 'vitest';
import { createBalancer, isDynamic } from '../../../proxy/balance/algorithms.ts';
import { followsWeightChanges } from '../../../proxy/balance/balancer.ts';
import { LiveBackend } from '../../../proxy/live/live-backend.ts';
import { model, backend, proxyConfig } from '../config/config-helpers.ts';
import type { BalanceSpec } from '../../../proxy/config/model.ts';
import { makeServers, weighted } from './servers.ts';

const base = { options: [], hashType: 'map-based' } as const;
const servers = () => makeServers(weighted('s', [1, 2]));

describe('createBalancer', () => {
  it('builds the balancer named by the balance line', () => {
    const algos: BalanceSpec['algorithm'][] = ['roundrobin', 'static-rr', 'leastconn', 'first', 'random', 'source', 'uri'];
    for (const algorithm of algos) expect(createBalancer({ ...base, algorithm }, servers(), { allBackups: false }).algorithm).toBe(algorithm);
    expect(createBalancer({ ...base, algorithm: 'hdr', arg: 'Host' }, servers(), { allBackups: false }).algorithm).toBe('hdr');
    expect(createBalancer({ ...base, algorithm: 'url_param', arg: 'id' }, servers(), { allBackups: false }).algorithm).toBe('url_param');
  });

  it('rejects bad uri options and missing names with haproxy wording and the location', () => {
    const loc = { file: 'haproxy.cfg', line: 12, col: 3 };
    expect(() => createBalancer({ ...base, algorithm: 'uri', options: ['depth', '0'], loc }, servers(), { allBackups: false })).toThrow(
      "balance uri at haproxy.cfg:12: 'depth' expects a positive integer (got '0').",
    );
    expect(() => createBalancer({ ...base, algorithm: 'uri', options: ['deep'] }, servers(), { allBackups: false })).toThrow(
      "uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'deep').",
    );
    expect(() => createBalancer({ ...base, algorithm: 'url_param' }, servers(), { allBackups: false })).toThrow('url_param requires an URL parameter name.');
    expect(() => createBalancer({ ...base, algorithm: 'random', options: ['random(0)'] }, servers(), { allBackups: false })).toThrow(
      'number of draws must be at least 1',
    );
  });

  it('accepts uri options as one word each or as "len 5" strings', () => {
    const a = createBalancer({ ...base, algorithm: 'uri', options: ['len 5', 'whole'] }, servers(), { allBackups: false });
    const b = createBalancer({ ...base, algorithm: 'uri', options: ['len', '5', 'whole'] }, servers(), { allBackups: false });
    expect(a.snapshot().summary).toContain('uri whole len 5');
    expect(b.snapshot().summary).toContain('uri whole len 5');
  });

  it('says which algorithms follow weight changes at run time', () => {
    expect(isDynamic({ ...base, algorithm: 'roundrobin' })).toBe(true);
    expect(isDynamic({ ...base, algorithm: 'static-rr' })).toBe(false);
    expect(isDynamic({ ...base, algorithm: 'source' })).toBe(false);
    expect(isDynamic({ ...base, algorithm: 'source', hashType: 'consistent' })).toBe(true);
  });

  it('decides static or dynamic in one place: a balancer without a weightChanged hook is static', () => {
    const want: [string, boolean][] = [
      ['roundrobin', true], ['static-rr', false], ['leastconn', true], ['first', true], ['random', true],
      ['source', false], ['uri', false], ['url_param id', false], ['hdr(host)', false],
      ['source\n    hash-type consistent', true], ['uri\n    hash-type consistent', true],
    ];
    for (const [line, dynamic] of want) {
      const be = new LiveBackend(backend(model(proxyConfig([], [`balance ${line}`, 'server s1 127.0.0.1:8001'])), 'b'));
      expect([line, followsWeightChanges(be.balancer), isDynamic(be.spec.balance), be.isStatic]).toEqual([line, dynamic, dynamic, !dynamic]);
    }
  });

  it('applies avalanche by default only to a bare "hash-type consistent"', () => {
    const snap = (spec: Partial<BalanceSpec>) => createBalancer({ ...base, algorithm: 'source', ...spec }, servers(), { allBackups: false }).snapshot().summary;
    expect(snap({ hashType: 'consistent' })).toContain('consistent sdbm avalanche');
    expect(snap({ hashType: 'consistent', hashFunction: 'djb2' })).toContain('consistent djb2;');
    expect(snap({})).toContain('map-based sdbm;');
  });
});
