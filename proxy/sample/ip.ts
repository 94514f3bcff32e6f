// IPv4/IPv6 parsing and network matching as HAProxy's pattern.c does it (pat_parse_ip, pat_match_ip),
// including its IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and 6to4 (2002:AABB:CCDD::) views.
import { isIPv6 } from 'node:net';

/** One IP pattern, parsed once: an IPv4 network (addr & mask) or an IPv6 prefix. */
export type IpNet =
  | { readonly v: 4; readonly addr: number; readonly mask: number; readonly text: string }
  | { readonly v: 6; readonly words: Uint16Array; readonly prefix: number; readonly text: string };

// Parses a dotted quad strictly (what inet_pton(AF_INET) accepts) into an unsigned 32-bit number, or -1.
export function parseIpv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let part = -1;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = (part < 0 ? 0 : part) * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else if (c === 46) {
      if (part < 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = -1;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (part < 0 || dots !== 3) return -1;
  return value * 256 + part;
}

/**
 * HAProxy's buf2ip/url2ipv4: reads a dotted quad at the start of s (leading zeros allowed) and stops at the
 * first other character. Returns the address and where it stopped, or null when there are not 4 octets.
 */
export function scanIpv4(s: string): { addr: number; end: number } | null {
  const oct = [0, 0, 0, 0];
  let n = 0;
  let saw = false;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if ((d < 0 || d > 9) && c !== 46) break;
    if (d >= 0 && d <= 9) {
      if (!saw) {
        if (++n > 4) return null;
        saw = true;
      }
      const v = oct[n - 1]! * 10 + d;
      if (v > 255) return null;
      oct[n - 1] = v;
    } else if (saw) {
      if (n === 4) return null;
      saw = false;
    } else {
      return null;
    }
  }
  if (n < 4) return null;
  return { addr: ((oct[0]! << 24) | (oct[1]! << 16) | (oct[2]! << 8) | oct[3]!) >>> 0, end: i };
}

// Parses an IPv6 address (with optional embedded IPv4 tail) into 8 words; false when invalid.
export function parseIpv6(s: string, out: Uint16Array): boolean {
  if (s.indexOf('%') >= 0 || !isIPv6(s)) return false;
  const dbl = s.indexOf('::');
  const left = dbl >= 0 ? s.slice(0, dbl) : s;
  const right = dbl >= 0 ? s.slice(dbl + 2) : '';
  const words: number[] = [];
  const push = (side: string, into: number[]): boolean => {
    if (side === '') return true;
    for (const p of side.split(':')) {
      if (p.indexOf('.') >= 0) {
        const v = parseIpv4(p);
        if (v < 0) return false;
        into.push(v >>> 16, v & 0xffff);
      } else {
        into.push(parseInt(p, 16));
      }
    }
    return true;
  };
  const tail: number[] = [];
  if (!push(left, words) || !push(right, tail)) return false;
  const fill = 8 - words.length - tail.length;
  if ((dbl < 0 && fill !== 0) || fill < 0) return false;
  for (let i = 0; i < 8; i++) out[i] = 0;
  for (let i = 0; i < words.length; i++) out[i] = words[i]!;
  for (let i = 0; i < tail.length; i++) out[8 - tail.length + i] = tail[i]!;
  return true;
}

// Builds a contiguous IPv4 mask from a prefix length.
function lenToMask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

// Parses "addr[/mask]" as HAProxy's str2net/str62net do (dotted or bit-count masks; IPv6 with /bits), or null.
export function parseIpNet(text: string): IpNet | null {
  const slash = text.lastIndexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const maskText = slash >= 0 ? text.slice(slash + 1) : null;
  {
    const addr = parseIpv4(addrText);
    if (addr >= 0) {
      let mask = 0xffffffff;
      if (maskText !== null) {
        if (maskText.includes('.')) {
          mask = parseIpv4(maskText);
          if (mask < 0) return null;
        } else {
          if (!/^\d+$/.test(maskText)) return null;
          const len = Number(maskText);
          if (len > 32) return null;
          mask = lenToMask4(len);
        }
      }
      return { v: 4, addr: (addr & mask) >>> 0, mask: mask >>> 0, text };
    }
  }
  // HAProxy resolves host names at startup; offline, the lab knows only this one.
  if (addrText === 'localhost') {
    const mask = maskText === null ? 0xffffffff : /^\d+$/.test(maskText) && Number(maskText) <= 32 ? lenToMask4(Number(maskText)) : -1;
    if (mask >= 0) return { v: 4, addr: (0x7f000001 & mask) >>> 0, mask: mask >>> 0, text };
  }
  let prefix = 128;
  if (maskText !== null) {
    if (maskText === '' || !/^\d+$/.test(maskText)) return null;
    prefix = Number(maskText);
    if (prefix > 128) return null;
  }
  const words = new Uint16Array(8);
  if (!parseIpv6(addrText, words)) return null;
  return { v: 6, words, prefix, text };
}

// True when the first `prefix` bits of a and b agree.
function prefixEqual(a: Uint16Array, b: Uint16Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const m = (0xffff << (16 - take)) & 0xffff;
    if ((a[i]! & m) !== (b[i]! & m)) return false;
    bits -= take;
  }
  return true;
}

const scratch6 = new Uint16Array(8);
const mapped6 = new Uint16Array(8);

// The IPv4 address HAProxy derives from an IPv6 sample (mapped, compatible or 6to4), or -1.
function v4FromV6(w: Uint16Array): number {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && ((w[4] === 0 && w[5] === 0) || (w[4] === 0 && w[5] === 0xffff))) {
    return ((w[6]! << 16) | w[7]!) >>> 0;
  }
  if (w[0] === 0x2002) return ((w[1]! << 16) | w[2]!) >>> 0;
  return -1;
}

/**
 * Matches an address sample (text, IPv4 or IPv6) against parsed networks; returns the index of the matching
 * pattern or -1. IPv4 samples also try IPv6 patterns as ::ffff:a.b.c.d; IPv6 samples in a mapped,
 * compatible or 6to4 form also try IPv4 patterns, as pat_match_ip does.
 */
export function matchIp(sample: string, nets: readonly IpNet[]): number {
  const v4 = sample.indexOf(':') < 0 ? parseIpv4(sample) : -1;
  if (v4 >= 0) {
    for (let i = 0; i < nets.length; i++) {
      const n = nets[i]!;
      if (n.v === 4 && ((v4 & n.mask) >>> 0) === n.addr) return i;
    }
    mapped6.fill(0);
    mapped6[5] = 0xffff;
    mapped6[6] = v4 >>> 16;
    mapped6[7] = v4 & 0xffff;
    for (let i = 0; i < nets.length; i++) {
      const n = nets[i]!;
      if (n.v === 6 && prefixEqual(mapped6, n.words, n.prefix)) return i;
    }
    return -1;
  }
  if (!parseIpv6(sample, scratch6)) return -1;
  for (let i = 0; i < nets.length; i++) {
    const n = nets[i]!;
    if (n.v === 6 && prefixEqual(scratch6, n.words, n.prefix)) return i;
  }
  const derived = v4FromV6(scratch6);
  if (derived < 0) return -1;
  for (let i = 0; i < nets.length; i++) {
    const n = nets[i]!;
    if (n.v === 4 && ((derived & n.mask) >>> 0) === n.addr) return i;
  }
  return -1;
}

// Text form of an IPv4 number (for int→ip casts and traces).
export function ipv4ToString(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
