import { describe, expect, it } from 'vitest';
import { crc32, djb2, fullHash, sdbm, wt6 } from '../../../proxy/balance/hash-functions.ts';

const all = (f: (s: string, a: number, b: number) => number, s: string) => f(s, 0, s.length);

describe('hash functions', () => {
  it('crc32 gives the standard check value for "123456789"', () => {
    expect(all(crc32, '123456789')).toBe(0xcbf43926);
  });

  it('djb2 and sdbm follow their recurrences in 32-bit arithmetic', () => {
    expect(all(djb2, '')).toBe(5381);
    expect(all(djb2, 'a')).toBe(5381 * 33 + 97);
    expect(all(sdbm, '')).toBe(0);
    expect(all(sdbm, 'a')).toBe(97);
    expect(all(sdbm, 'ab')).toBe((98 + 97 * 65599) >>> 0);
    // long input wraps instead of losing precision
    const long = 'x'.repeat(1000);
    let h = 0;
    for (let i = 0; i < long.length; i++) h = Number((BigInt(h) * 65599n + 120n) % 2n ** 32n);
    expect(all(sdbm, long)).toBe(h);
  });

  it('hashes only the given range of the string', () => {
    expect(sdbm('xxabyy', 2, 4)).toBe(all(sdbm, 'ab'));
    expect(wt6('--key--', 2, 5)).toBe(all(wt6, 'key'));
  });

  it('full_hash is a bijection on sampled inputs and spreads neighbours apart', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20000; i++) seen.add(fullHash(i));
    expect(seen.size).toBe(20000);
    expect(Math.abs(fullHash(1) - fullHash(2))).toBeGreaterThan(1 << 20);
    for (const v of seen) expect(v).toBeGreaterThanOrEqual(0);
  });
});
