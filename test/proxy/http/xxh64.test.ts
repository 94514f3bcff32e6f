// XXH64 against the reference values of the xxHash project (seed 0), short inputs and ones of 32 bytes or more,
// since dynamic server cookies hash a key, an address and a port through it.
import { describe, expect, it } from 'vitest';
import { xxh64 } from '../../../proxy/http/xxh64.ts';
import { dynamicCookie } from '../../../proxy/config/keywords-cookie.ts';

const hex = (s: string) => xxh64(Buffer.from(s, 'latin1')).toString(16).padStart(16, '0');

describe('xxh64', () => {
  it('gives the reference values', () => {
    expect(hex('')).toBe('ef46db3751d8e999');
    expect(hex('a')).toBe('d24ec4f1a98c6e5b');
    expect(hex('abc')).toBe('44bc2cf5ad770999');
    expect(hex('Nobody inspects the spammish repetition')).toBe('fbcea83c8a378bf1');
  });

  it('names a dynamic cookie with 16 hex digits that depend on key, address and port', () => {
    const c = dynamicCookie('k', '127.0.0.1', 80);
    expect(c).toMatch(/^[0-9a-f]{16}$/);
    expect(dynamicCookie('k', '127.0.0.1', 81)).not.toBe(c);
    expect(dynamicCookie('j', '127.0.0.1', 80)).not.toBe(c);
    expect(dynamicCookie('k', 'not-an-address', 80)).toBeNull();
  });
});
