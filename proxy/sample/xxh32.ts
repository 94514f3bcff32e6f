// XXH32 (xxHash's reference algorithm) on bytes: the xxh32 converter, and the order in which a resolution keeps
// its DNS answers (HAProxy hashes the address bytes, seeded with the record type).
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number): number => Math.imul(a, b) >>> 0;

export function xxh32(data: Uint8Array, seed: number): number {
  const len = data.length;
  const word = (k: number): number => (data[k]! | (data[k + 1]! << 8) | (data[k + 2]! << 16) | (data[k + 3]! << 24)) >>> 0;
  let p = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) >>> 0;
    let v2 = (seed + P2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P1) >>> 0;
    const round = (v: number, w: number): number => mul(rotl((v + mul(w, P2)) >>> 0, 13), P1);
    for (; p + 16 <= len; p += 16) {
      v1 = round(v1, word(p));
      v2 = round(v2, word(p + 4));
      v3 = round(v3, word(p + 8));
      v4 = round(v4, word(p + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + P5) >>> 0;
  }
  h = (h + len) >>> 0;
  for (; p + 4 <= len; p += 4) h = mul(rotl((h + mul(word(p), P3)) >>> 0, 17), P4);
  for (; p < len; p++) h = mul(rotl((h + mul(data[p]!, P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
