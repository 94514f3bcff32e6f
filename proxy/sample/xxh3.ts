// XXH3_64bits_withSeed, the 64-bit XXH3 of xxHash 0.8 (the xxh3 converter), written from the xxHash specification.
// BigInt keeps the 64-bit and 128-bit products exact; it is slower than native code but a converter hashes
// at most one buffer per call.
const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
const P32_1 = 0x9e3779b1n;
const P32_2 = 0x85ebca77n;
const P32_3 = 0xc2b2ae3dn;
const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;
const MX1 = 0x165667919e3779f9n;
const MX2 = 0x9fb21c651e98df25n;

// The default 192-byte secret (XXH3_kSecret).
const K_SECRET = Buffer.from(
  'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c' +
  '3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364' +
  'eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e',
  'hex',
);
const SECRET_SIZE = 192;
const STRIPE = 64;

const r64 = (b: Uint8Array, i: number): bigint => new DataView(b.buffer, b.byteOffset + i, 8).getBigUint64(0, true);
const r32 = (b: Uint8Array, i: number): bigint => BigInt(new DataView(b.buffer, b.byteOffset + i, 4).getUint32(0, true));
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const swap32 = (x: bigint): bigint => ((x & 0xffn) << 24n) | ((x & 0xff00n) << 8n) | ((x >> 8n) & 0xff00n) | ((x >> 24n) & 0xffn);
const swap64 = (x: bigint): bigint => (swap32(x & M32) << 32n) | swap32(x >> 32n);

function mulFold64(a: bigint, b: bigint): bigint {
  const p = a * b;
  return (p & M64) ^ (p >> 64n);
}

function xxh64Avalanche(h0: bigint): bigint {
  let h = h0 ^ (h0 >> 33n);
  h = (h * P64_2) & M64;
  h ^= h >> 29n;
  h = (h * P64_3) & M64;
  return h ^ (h >> 32n);
}

function avalanche(h0: bigint): bigint {
  let h = h0 ^ (h0 >> 37n);
  h = (h * MX1) & M64;
  return h ^ (h >> 32n);
}

function rrmxmx(h0: bigint, len: bigint): bigint {
  let h = h0 ^ rotl64(h0, 49n) ^ rotl64(h0, 24n);
  h = (h * MX2) & M64;
  h ^= (h >> 35n) + len;
  h = (h * MX2) & M64;
  return h ^ (h >> 28n);
}

function mix16(input: Uint8Array, i: number, secret: Uint8Array, s: number, seed: bigint): bigint {
  const lo = r64(input, i);
  const hi = r64(input, i + 8);
  return mulFold64(lo ^ ((r64(secret, s) + seed) & M64), hi ^ ((r64(secret, s + 8) - seed) & M64));
}

function len0to16(input: Uint8Array, len: number, seed: bigint): bigint {
  const s = K_SECRET;
  if (len > 8) {
    const flip1 = ((r64(s, 24) ^ r64(s, 32)) + seed) & M64;
    const flip2 = ((r64(s, 40) ^ r64(s, 48)) - seed) & M64;
    const lo = r64(input, 0) ^ flip1;
    const hi = r64(input, len - 8) ^ flip2;
    const acc = (BigInt(len) + swap64(lo) + hi + mulFold64(lo, hi)) & M64;
    return avalanche(acc);
  }
  if (len >= 4) {
    const sd = seed ^ (swap32(seed & M32) << 32n);
    const in1 = r32(input, 0);
    const in2 = r32(input, len - 4);
    const flip = ((r64(s, 8) ^ r64(s, 16)) - sd) & M64;
    return rrmxmx((in2 + (in1 << 32n)) ^ flip, BigInt(len));
  }
  if (len > 0) {
    const c1 = BigInt(input[0]!);
    const c2 = BigInt(input[len >> 1]!);
    const c3 = BigInt(input[len - 1]!);
    const combined = (c1 << 16n) | (c2 << 24n) | c3 | (BigInt(len) << 8n);
    const flip = ((r32(s, 0) ^ r32(s, 4)) + seed) & M64;
    return xxh64Avalanche(combined ^ flip);
  }
  return xxh64Avalanche(seed ^ r64(s, 56) ^ r64(s, 64));
}

function len17to128(input: Uint8Array, len: number, seed: bigint): bigint {
  const s = K_SECRET;
  let acc = (BigInt(len) * P64_1) & M64;
  if (len > 32) {
    if (len > 64) {
      if (len > 96) {
        acc += mix16(input, 48, s, 96, seed);
        acc += mix16(input, len - 64, s, 112, seed);
      }
      acc += mix16(input, 32, s, 64, seed);
      acc += mix16(input, len - 48, s, 80, seed);
    }
    acc += mix16(input, 16, s, 32, seed);
    acc += mix16(input, len - 32, s, 48, seed);
  }
  acc += mix16(input, 0, s, 0, seed);
  acc += mix16(input, len - 16, s, 16, seed);
  return avalanche(acc & M64);
}

function len129to240(input: Uint8Array, len: number, seed: bigint): bigint {
  const s = K_SECRET;
  let acc = (BigInt(len) * P64_1) & M64;
  const rounds = len >> 4;
  for (let i = 0; i < 8; i++) acc += mix16(input, 16 * i, s, 16 * i, seed);
  acc = avalanche(acc & M64);
  // XXH3_MIDSIZE_STARTOFFSET 3, XXH3_MIDSIZE_LASTOFFSET 17, XXH3_SECRET_SIZE_MIN 136
  for (let i = 8; i < rounds; i++) acc += mix16(input, 16 * i, s, 16 * (i - 8) + 3, seed);
  acc += mix16(input, len - 16, s, 136 - 17, seed);
  return avalanche(acc & M64);
}

function accumulate512(acc: bigint[], input: Uint8Array, i: number, secret: Uint8Array, s: number): void {
  for (let k = 0; k < 8; k++) {
    const data = r64(input, i + 8 * k);
    const key = data ^ r64(secret, s + 8 * k);
    acc[k ^ 1] = (acc[k ^ 1]! + data) & M64;
    acc[k] = (acc[k]! + (key & M32) * (key >> 32n)) & M64;
  }
}

function scramble(acc: bigint[], secret: Uint8Array, s: number): void {
  for (let k = 0; k < 8; k++) {
    let a = acc[k]!;
    a ^= a >> 47n;
    a ^= r64(secret, s + 8 * k);
    acc[k] = (a * P32_1) & M64;
  }
}

function hashLong(input: Uint8Array, len: number, seed: bigint): bigint {
  let secret: Uint8Array = K_SECRET;
  if (seed !== 0n) {
    const custom = Buffer.alloc(SECRET_SIZE);
    for (let i = 0; i < SECRET_SIZE / 16; i++) {
      custom.writeBigUInt64LE((r64(K_SECRET, 16 * i) + seed) & M64, 16 * i);
      custom.writeBigUInt64LE((r64(K_SECRET, 16 * i + 8) - seed) & M64, 16 * i + 8);
    }
    secret = custom;
  }
  const acc = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1];
  const stripesPerBlock = (SECRET_SIZE - STRIPE) / 8;
  const blockLen = STRIPE * stripesPerBlock;
  const blocks = Math.floor((len - 1) / blockLen);
  for (let n = 0; n < blocks; n++) {
    for (let st = 0; st < stripesPerBlock; st++) accumulate512(acc, input, n * blockLen + st * STRIPE, secret, st * 8);
    scramble(acc, secret, SECRET_SIZE - STRIPE);
  }
  const stripes = Math.floor((len - 1 - blockLen * blocks) / STRIPE);
  for (let st = 0; st < stripes; st++) accumulate512(acc, input, blocks * blockLen + st * STRIPE, secret, st * 8);
  // the last stripe (XXH_SECRET_LASTACC_START 7), then the merge (XXH_SECRET_MERGEACCS_START 11)
  accumulate512(acc, input, len - STRIPE, secret, SECRET_SIZE - STRIPE - 7);
  let result = (BigInt(len) * P64_1) & M64;
  for (let k = 0; k < 4; k++) {
    result += mulFold64(acc[2 * k]! ^ r64(secret, 11 + 16 * k), acc[2 * k + 1]! ^ r64(secret, 11 + 16 * k + 8));
  }
  return avalanche(result & M64);
}

/** XXH3 64-bit of the bytes with a 64-bit seed; an unsigned 64-bit result. */
export function xxh3(input: Uint8Array, seed0: bigint): bigint {
  const seed = seed0 & M64;
  const len = input.length;
  if (len <= 16) return len0to16(input, len, seed);
  if (len <= 128) return len17to128(input, len, seed);
  if (len <= 240) return len129to240(input, len, seed);
  return hashLong(input, len, seed);
}
