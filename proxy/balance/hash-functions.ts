// HAProxy's hash functions (src/hash.c, full_hash in include/haproxy/intops.h), on a range of a string
// whose characters are bytes (latin1), so the hot path hashes without building a Buffer. All return uint32.

export type HashFunction = 'sdbm' | 'djb2' | 'wt6' | 'crc32';

// hash_sdbm(): HAProxy's default hash function.
export function sdbm(str: string, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) {
    const c = str.charCodeAt(i) & 0xff;
    // c + (hash << 6) + (hash << 16) - hash, in uint32 arithmetic
    hash = (c + (hash << 6) + (hash << 16) - hash) >>> 0;
  }
  return hash;
}

// hash_djb2().
export function djb2(str: string, start: number, end: number): number {
  let hash = 5381;
  for (let i = start; i < end; i++) {
    hash = ((hash << 5) + hash + (str.charCodeAt(i) & 0xff)) >>> 0;
  }
  return hash;
}

// hash_wt6().
export function wt6(str: string, start: number, end: number): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = start; i < end; i++) {
    let t = str.charCodeAt(i) & 0xff;
    h0 = ~(h0 ^ t) >>> 0;
    h1 = ~(h1 + t) >>> 0;
    t = ((h1 << step0) | (h1 >>> (32 - step0))) >>> 0;
    h1 = ((h0 << step1) | (h0 >>> (32 - step1))) >>> 0;
    h0 = t;
    t = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = t & 0x1f;
    step1 = t >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

// hash_crc32() (the bitwise CRC32 HAProxy uses for "hash-type ... crc32").
export function crc32(str: string, start: number, end: number): number {
  let hash = 0xffffffff;
  for (let i = start; i < end; i++) {
    hash = (hash ^ (str.charCodeAt(i) & 0xff)) >>> 0;
    for (let bit = 0; bit < 8; bit++) hash = ((hash >>> 1) ^ (hash & 1 ? 0xedb88320 : 0)) >>> 0;
  }
  return ~hash >>> 0;
}

// full_hash(): Bob Jenkins' avalanche on 32 bits, then a multiply by a large prime, as HAProxy does.
export function fullHash(a: number): number {
  a = a >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473 | 0) >>> 0;
}

export type RangeHash = (str: string, start: number, end: number) => number;

// gen_hash(): the function chosen by `hash-type <type> <function>`.
export function hashFunction(name: HashFunction): RangeHash {
  switch (name) {
    case 'djb2':
      return djb2;
    case 'wt6':
      return wt6;
    case 'crc32':
      return crc32;
    case 'sdbm':
      return sdbm;
  }
}
