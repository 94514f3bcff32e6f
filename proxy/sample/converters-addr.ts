// Address converters (src/sample.c, HAProxy 2.6): ipmask(MASK4[,MASK6]), and host_only/port_only on a Host
// header value. Addresses travel as text; IPv6 results print as glibc's inet_ntop prints them.
import type { ConverterDef } from './converters.ts';
import type { ArgValue } from './sample.ts';
import { ipv4ToString, parseIpv4, parseIpv6 } from './ip.ts';

// str2mask: dotted notation or a bit count up to 32.
export function parseMask4(t: string): number | null {
  if (t.includes('.')) {
    const v = parseIpv4(t);
    return v < 0 ? null : v >>> 0;
  }
  if (!/^[-+]?\d+$/.test(t.trim()) || t !== t.trimEnd()) return null;
  const len = Number(t);
  if (len < 0 || len > 32) return null;
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

// str2mask6: an IPv6 mask in address form or a bit count up to 128.
export function parseMask6(t: string): Uint16Array | null {
  const out = new Uint16Array(8);
  if (t.includes(':')) return parseIpv6(t, out) ? out : null;
  if (!/^[-+]?\d+$/.test(t)) return null;
  const len = Number(t);
  if (len < 0 || len > 128) return null;
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - 16 * i));
    out[i] = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
  }
  return out;
}

// inet_ntop(AF_INET6): the longest run of two or more zero words becomes '::' (the first such run on a
// tie), and ::a.b.c.d / ::ffff:a.b.c.d keep their IPv4 tail.
export function ipv6ToString(w: Uint16Array): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best >= 0 && i >= best && i < best + bestLen) {
      if (i === best) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${w[6]! >> 8}.${w[6]! & 0xff}.${w[7]! >> 8}.${w[7]! & 0xff}`;
      break;
    }
    out += w[i]!.toString(16);
  }
  if (best >= 0 && best + bestLen === 8) out += ':';
  return out;
}

const words = new Uint16Array(8);

// ipmask: an IPv4 address (or an IPv4-mapped IPv6 one) ANDed with the IPv4 mask; an IPv6 one with the IPv6
// mask, and no sample without one.
function ipmask(a: readonly ArgValue[]): (v: unknown) => string | undefined {
  const m4 = parseMask4(String(a[0] ?? '')) ?? 0;
  const m6 = a[1] === undefined ? null : parseMask6(String(a[1]));
  return (v) => {
    const s = v as string;
    let v4 = parseIpv4(s);
    if (v4 < 0) {
      if (!parseIpv6(s, words)) return undefined;
      const mapped = words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff;
      if (!mapped) {
        if (!m6) return undefined;
        const out = new Uint16Array(8);
        for (let i = 0; i < 8; i++) out[i] = words[i]! & m6[i]!;
        return ipv6ToString(out);
      }
      v4 = ((words[6]! << 16) | words[7]!) >>> 0;
    }
    return ipv4ToString((v4 & m4) >>> 0);
  };
}

// The port part of a Host value: after the last ':' that comes after any ']' (so "[::1]" has none).
function portColon(s: string): number {
  for (let p = s.length - 1; p >= 0; p--) {
    if (s[p] === ':') return p;
    if (s[p] === ']') return -1;
  }
  return -1;
}

// __strl2ui: every character taken as a digit (c - '0', no check), in unsigned 32-bit arithmetic.
function strl2ui(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n = (Math.imul(n, 10) - 48 + (s.charCodeAt(i) & 0xff)) >>> 0;
  return n;
}

export const ADDR_CONVERTERS: readonly ConverterDef[] = [
  { name: 'ipmask', inType: 'ip', outType: 'ip', args: ['msk4', 'msk6'], minArgs: 1, compile: (a) => ipmask(a) },
  {
    name: 'host_only', inType: 'str', outType: 'str', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      const p = portColon(s);
      return (p >= 0 ? s.slice(0, p) : s).replace(/[A-Z]+/g, (c) => c.toLowerCase());
    },
  },
  {
    name: 'port_only', inType: 'str', outType: 'int', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      const p = portColon(s);
      return p >= 0 && p + 1 < s.length ? strl2ui(s.slice(p + 1)) : 0;
    },
  },
];
