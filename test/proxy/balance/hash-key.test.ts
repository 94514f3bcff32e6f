import { describe, expect, it } from 'vitest';
import { ABSENT, hdrKey, sourceHash, sourceKey, uriKey, urlParamKey } from '../../../proxy/balance/hash-key.ts';
import { sdbm } from '../../../proxy/balance/hash-functions.ts';
import { requestView } from './parity-harness.ts';

const ctxOf = (path: string, headers?: Record<string, string>) => ({ src: '127.0.0.1', req: requestView({ path, headers }) });
const uri = (path: string, o: Partial<{ whole: boolean; pathOnly: boolean; len: number; depth: number }> = {}) =>
  uriKey({ whole: false, pathOnly: false, len: 0, depth: 0, ...o }).describe(ctxOf(path));

describe('source key', () => {
  it('is the IPv4 address as a number', () => {
    expect(sourceHash('127.0.0.1')).toBe(0x7f000001);
    expect(sourceHash('10.1.2.3')).toBe(0x0a010203);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 client haproxy sees', () => {
    expect(sourceHash('::ffff:127.0.0.5')).toBe(0x7f000005);
  });

  it('XORs the four 32-bit words of an IPv6 address', () => {
    expect(sourceHash('::1')).toBe(1);
    expect(sourceHash('2001:db8::1')).toBe((0x20010db8 ^ 1) >>> 0);
    expect(sourceHash('1:2:3:4:5:6:7:8')).toBe((0x00010002 ^ 0x00030004 ^ 0x00050006 ^ 0x00070008) >>> 0);
    expect(sourceHash('::ffff:0:1.2.3.4')).toBe((0xffff0000 ^ 0x01020304) >>> 0);
  });

  it('is absent for something that is not an address (haproxy then uses round robin)', () => {
    expect(sourceHash('not-an-ip')).toBe(ABSENT);
    expect(sourceHash('1.2.3')).toBe(ABSENT);
    expect(sourceHash('1:2:3')).toBe(ABSENT);
    expect(sourceKey.hash({ src: 'unix@/tmp/x' }, sdbm)).toBe(ABSENT);
  });
});

describe('uri key', () => {
  it('stops at the query string unless "whole"', () => {
    expect(uri('/a/b?x=1')).toBe('/a/b');
    expect(uri('/a/b?x=1', { whole: true })).toBe('/a/b?x=1');
  });

  it('keeps "len" characters and stops before the slash that ends "depth" levels', () => {
    expect(uri('/abcdef/ghi', { len: 4 })).toBe('/abc');
    expect(uri('/a/b/c/d', { depth: 2 })).toBe('/a/b');
    expect(uri('/a/b/c/d', { depth: 1 })).toBe('/a');
    expect(uri('/a?q=/x/y', { depth: 2, whole: true })).toBe('/a?q=/x');
  });

  it('drops scheme and authority of an absolute target with "path-only"', () => {
    expect(uri('http://example.com/p/q?x', { pathOnly: true, whole: true })).toBe('/p/q?x');
    expect(uri('http://example.com', { pathOnly: true })).toBe('');
    expect(uri('http://example.com/p?x')).toBe('http://example.com/p');
  });
});

describe('url_param key', () => {
  const value = (path: string, name = 'id') => urlParamKey(name).describe(ctxOf(path));

  it('finds the first name=value pair of the query string', () => {
    expect(value('/x?id=42')).toBe('42');
    expect(value('/x?a=1&id=alice&b=2')).toBe('alice');
    expect(value('/x?id=bob&id=carol')).toBe('bob');
    expect(value('/x?id=')).toBe('');
  });

  it('is absent without a query, without the name, or with another case or prefix', () => {
    expect(value('/x')).toBeNull();
    expect(value('/x?other=1')).toBeNull();
    expect(value('/x?ID=1')).toBeNull();
    expect(value('/x?idx=1')).toBeNull();
    expect(value('/x?id')).toBeNull();
    expect(urlParamKey('id').hash(ctxOf('/x?idx=1'), sdbm)).toBe(ABSENT);
  });
});

describe('hdr key', () => {
  const value = (headers: Record<string, string>, name = 'X-User', domain = false) => hdrKey(name, domain).describe(ctxOf('/', headers));

  it('takes the first comma-separated value of the first matching header, blanks trimmed', () => {
    expect(value({ 'x-user': '  alice  ' })).toBe('alice');
    expect(value({ 'X-User': 'carol, dave' })).toBe('carol');
    expect(value({ 'X-User': '"a, b", c' })).toBe('"a, b"');
  });

  it('is absent when the header is missing or its first value is empty', () => {
    expect(value({ 'X-Other': 'x' })).toBeNull();
    expect(value({ 'X-User': '' })).toBeNull();
    expect(value({ 'X-User': ' , b' })).toBeNull();
  });

  it('keeps only the domain label with use_domain_only', () => {
    expect(value({ Host: 'www.example.com' }, 'host', true)).toBe('example');
    expect(value({ Host: 'example.com' }, 'host', true)).toBe('example');
    expect(value({ Host: 'localhost' }, 'host', true)).toBe('localhost');
    expect(value({ Host: 'a.b.example.net' }, 'host', true)).toBe('example');
  });
});
