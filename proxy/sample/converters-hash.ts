// Hash and digest converters (src/sample.c, src/ssl_sample.c of HAProxy v2.6.0): crc32, crc32c, djb2, sdbm,
// wt6 and xxh32 give a 32-bit unsigned int (crc32..wt6 through full_hash when their argument is non-zero);
// xxh64 and xxh3 a 64-bit hash read as a signed integer (an Int, int64.ts); sha1, sha2, digest and hmac give the
// raw digest bytes.
import { createHash, createHmac, getHashes } from 'node:crypto';
import type { ConverterDef } from './converters.ts';
import type { ArgValue } from './sample.ts';
import { crc32, djb2, fullHash, sdbm, wt6, type RangeHash } from '../balance/hash-functions.ts';
import { getVar, parseVarName, typeOfValue, type VarName } from './vars.ts';
import { castSample } from './cast.ts';
import { toBigInt, wrap64, type Int } from './int64.ts';
import { xxh64 } from '../http/xxh64.ts';
import { xxh3 } from './xxh3.ts';

// hash_crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), RFC 4960 appendix B.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32c(str: string, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC32C_TABLE[(crc ^ str.charCodeAt(i)) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

// XXH32 (xxHash's reference algorithm), on bytes.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;
const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number): number => Math.imul(a, b) >>> 0;

export function xxh32(b: Buffer, seed: number): number {
  const len = b.length;
  let p = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) >>> 0;
    let v2 = (seed + P2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P1) >>> 0;
    const round = (v: number, i: number): number => mul(rotl((v + mul(b.readUInt32LE(i), P2)) >>> 0, 13), P1);
    for (; p <= len - 16; p += 16) {
      v1 = round(v1, p);
      v2 = round(v2, p + 4);
      v3 = round(v3, p + 8);
      v4 = round(v4, p + 12);
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + P5) >>> 0;
  }
  h = (h + len) >>> 0;
  for (; p + 4 <= len; p += 4) h = mul(rotl((h + mul(b.readUInt32LE(p), P3)) >>> 0, 17), P4);
  for (; p < len; p++) h = mul(rotl((h + mul(b[p]!, P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

// A hash of the sample's bytes, avalanched by full_hash when the argument is non-zero.
function hashConv(name: string, fn: RangeHash): ConverterDef {
  return {
    name, inType: 'bin', outType: 'int', args: ['sint'], minArgs: 0,
    compile: (a) => {
      const avalanche = typeof a[0] === 'number' && a[0] !== 0;
      return (v) => {
        const s = (v as Buffer).toString('latin1');
        const h = fn(s, 0, s.length);
        return avalanche ? fullHash(h) : h;
      };
    },
  };
}

// xxh64/xxh3([seed]): the seed is the integer's 64 bits, unsigned; the unsigned hash is stored in a signed SINT.
function hash64(name: string, fn: (b: Uint8Array, seed: bigint) => bigint): ConverterDef {
  return {
    name, inType: 'bin', outType: 'int', args: ['sint64'], minArgs: 0,
    compile: (a) => {
      const seed = BigInt.asUintN(64, a[0] === undefined ? 0n : toBigInt(a[0] as Int));
      return (v) => wrap64(fn(v as Buffer, seed));
    },
  };
}

// OpenSSL's digest names as EVP_get_digestbyname knows them (node lists the same library's names).
const DIGESTS = new Set(getHashes().map((n) => n.toLowerCase()));
const knownDigest = (name: string): boolean => DIGESTS.has(name.toLowerCase());

// The hmac key: a variable whose value is base64 (decoded each time), or base64 text given in the config.
type HmacKey = { readonly key: Buffer } | { readonly v: VarName };

function hmacKey(a: ArgValue): HmacKey | { error: string } {
  const t = String(a ?? '');
  if (t === '') return { key: Buffer.alloc(0) };
  const v = parseVarName(t);
  if (!('error' in v)) return { v };
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) {
    return { error: 'failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable' };
  }
  return { key: Buffer.from(t, 'base64') };
}

export const HASH_CONVERTERS: readonly ConverterDef[] = [
  hashConv('crc32', crc32),
  hashConv('crc32c', crc32c),
  hashConv('djb2', djb2),
  hashConv('sdbm', sdbm),
  hashConv('wt6', wt6),
  {
    name: 'xxh32', inType: 'bin', outType: 'int', args: ['sint'], minArgs: 0,
    compile: (a) => {
      const seed = typeof a[0] === 'number' ? Number(BigInt.asUintN(32, BigInt(a[0]))) : 0;
      return (v) => xxh32(v as Buffer, seed);
    },
  },
  hash64('xxh64', xxh64),
  hash64('xxh3', xxh3),
  { name: 'sha1', inType: 'bin', outType: 'bin', args: [], minArgs: 0, compile: () => (v) => createHash('sha1').update(v as Buffer).digest() },
  {
    name: 'sha2', inType: 'bin', outType: 'bin', args: ['sint'], minArgs: 0,
    validate: (a) => (a[0] === undefined || [224, 256, 384, 512].includes(a[0] as number) ? null : `Unsupported number of bits: '${String(a[0])}'`),
    compile: (a) => {
      const alg = `sha${typeof a[0] === 'number' ? a[0] : 256}`;
      return (v) => createHash(alg).update(v as Buffer).digest();
    },
  },
  {
    name: 'digest', inType: 'bin', outType: 'bin', args: ['str'], minArgs: 1,
    validate: (a) => (knownDigest(String(a[0] ?? '')) ? null : 'algorithm must be a valid OpenSSL message digest name.'),
    compile: (a) => {
      const alg = String(a[0]);
      return (v) => createHash(alg).update(v as Buffer).digest();
    },
  },
  {
    name: 'hmac', inType: 'bin', outType: 'bin', args: ['str', 'str'], minArgs: 2,
    validate: (a) => {
      if (!knownDigest(String(a[0] ?? ''))) return 'algorithm must be a valid OpenSSL message digest name.';
      const k = hmacKey(a[1]);
      return 'error' in k ? k.error : null;
    },
    compile: (a) => {
      const alg = String(a[0]);
      const k = hmacKey(a[1]) as HmacKey;
      return (v, ctx) => {
        let key: Buffer;
        if ('key' in k) key = k.key;
        else {
          const x = getVar(ctx.vars, k.v);
          const s = x === undefined ? undefined : castSample(x, typeOfValue(x), 'str');
          if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
          key = Buffer.from(s, 'base64');
        }
        return createHmac(alg, key).update(v as Buffer).digest();
      };
    },
  },
];
