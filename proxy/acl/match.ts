// Match methods (HAProxy's src/pattern.c): each parses its patterns once, at config time, into a closure that
// takes one sample and returns the index of the pattern that matched, or -1.
import type { SampleType, SampleValue } from '../sample/sample.ts';
import { exactInt64, type Int } from '../sample/int64.ts';
import { compileRegex } from './regex.ts';
import { matchIp, parseIpNet, type IpNet } from '../sample/ip.ts';

export type MatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'bin' | 'len' | 'str' | 'beg' | 'sub' | 'dir' | 'dom' | 'end' | 'reg' | 'regm';

/** The special method of the `method` ACL keyword (pat_parse_meth / pat_match_meth). */
export type AnyMatch = MatchMethod | 'meth';

// Names accepted by -m (pat_match_names).
export const MATCH_METHODS: readonly MatchMethod[] = ['found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'regm'];

/** What each method expects its samples to be cast to (pat_match_types). */
export const MATCH_EXPECTS: Record<AnyMatch, SampleType | 'addr'> = {
  found: 'int', bool: 'int', int: 'int', ip: 'addr', bin: 'bin', len: 'str', str: 'str', beg: 'str',
  sub: 'str', dir: 'str', dom: 'str', end: 'str', reg: 'str', regm: 'str', meth: 'meth',
};

/** Returns the index of the matching pattern, or -1. */
export type Matcher = (value: SampleValue) => number;

export interface CompiledMatch {
  readonly match: Matcher;
  /** Patterns as written, for traces. */
  readonly patterns: readonly string[];
}

export interface IntRange {
  readonly min?: Int;
  readonly max?: Int;
}

// Parses one int pattern: "N", "N:M", ":M", "N:" (':' or '-' separates), as pat_parse_int; error text otherwise.
export function parseIntRange(text: string): IntRange | string {
  if (text === '') return `'${text}' is not a valid number range`;
  let sep = 0;
  while (sep < text.length && text[sep] !== ':' && text[sep] !== '-') sep++;
  if (sep === text.length) {
    const n = strictInt(text);
    return n === null ? `'${text}' is not a number` : { min: n, max: n };
  }
  const bad = `'${text}' is not a valid number range`;
  if (sep === 0 && text.length > 1) {
    const max = strictInt(text.slice(1));
    return max === null ? bad : { max };
  }
  if (sep === text.length - 1) {
    const min = strictInt(text.slice(0, sep));
    return min === null ? bad : { min };
  }
  const min = strictInt(text.slice(0, sep));
  const max = strictInt(text.slice(sep + 1));
  if (min === null || max === null || min > max) return bad;
  return { min, max };
}

// HAProxy's strl2llrc: optional '-', then only digits (chars above '9' are errors; lower ones slip through as
// in C, so we refuse them too, which is what every real config expects).
// A value beyond 64 bits is refused too, as HAProxy refuses it ("is not a number").
export function strictInt(s: string): Int | null {
  if (s.length === 0) return null;
  const body = s[0] === '-' ? s.slice(1) : s;
  if (!/^\d*$/.test(body)) return null;
  return exactInt64(body, s[0] === '-');
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'CONNECT', 'PUT', 'OPTIONS', 'DELETE', 'TRACE']);

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

// Compares s[at..at+p.length) with a pattern already lowercased, ASCII case-insensitively.
function regionEqI(s: string, at: number, lowerPat: string): boolean {
  for (let i = 0; i < lowerPat.length; i++) {
    if (lowerAscii(s.charCodeAt(at + i)) !== lowerPat.charCodeAt(i)) return false;
  }
  return true;
}

// Case-insensitive indexOf against a lowercased pattern, without building a lowered copy of s.
function includesI(s: string, lowerPat: string): boolean {
  const last = s.length - lowerPat.length;
  if (lowerPat.length === 0) return true;
  const first = lowerPat.charCodeAt(0);
  for (let i = 0; i <= last; i++) {
    if (lowerAscii(s.charCodeAt(i)) === first && regionEqI(s, i, lowerPat)) return true;
  }
  return false;
}

// Strips delimiters at both ends of a dir/dom pattern, once (match_word does it on every call).
function stripDelims(pat: string, isDelim: (c: number) => boolean): string {
  let a = 0;
  let b = pat.length;
  while (a < b && isDelim(pat.charCodeAt(a))) a++;
  while (b > a && isDelim(pat.charCodeAt(b - 1))) b--;
  return pat.slice(a, b);
}

// match_word from pattern.c: the (stripped) pattern must sit between delimiters or the string's ends.
// dir uses '/' and '?'; dom adds '.' and ':'. `p` is lowercased when icase.
function matchWord(s: string, p: string, icase: boolean, isDelim: (c: number) => boolean): boolean {
  const pl = p.length;
  if (pl > s.length || pl === 0) return false;
  const end = s.length - pl;
  let mayMatch = true;
  for (let c = 0; c <= end; c++) {
    if (isDelim(s.charCodeAt(c))) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    const same = icase ? regionEqI(s, c, p) : s.startsWith(p, c);
    if (same && (c === end || isDelim(s.charCodeAt(c + pl)))) return true;
    mayMatch = false;
  }
  return false;
}

const dirDelim = (c: number): boolean => c === 47 || c === 63;
const domDelim = (c: number): boolean => c === 47 || c === 63 || c === 46 || c === 58;


// Parses a hex pattern for -m bin (parse_binary): an error message when it is not pairs of hex digits.
export function parseHex(text: string): Buffer | string {
  if (text.length % 2 !== 0) return 'an even number of hex digit is expected';
  const bad = text.search(/[^0-9a-fA-F]/);
  if (bad >= 0) return `an hex digit is expected (found '${text[bad]}')`;
  return Buffer.from(text, 'hex');
}

/**
 * Compiles the patterns for one method. `icase` is -i; `noDns` is -n (host names in ip patterns refused). Int/len patterns arrive already rewritten from
 * operators ("gt 3" → "4:") by the ACL parser. Returns an error worded as HAProxy's when a pattern is invalid.
 */
export function compileMatch(method: AnyMatch, patterns: readonly string[], icase: boolean, noDns = false): CompiledMatch | { error: string } {
  const pats = patterns;
  switch (method) {
    case 'found':
      return { match: () => 0, patterns: pats };
    case 'bool':
      return { match: (v) => (v !== 0 && v !== false ? 0 : -1), patterns: pats };
    case 'int':
    case 'len': {
      const ranges: IntRange[] = [];
      for (const p of pats) {
        const r = parseIntRange(p);
        if (typeof r === 'string') return { error: r };
        ranges.push(r);
      }
      const mins = ranges.map((r) => (r.min === undefined ? -Infinity : r.min));
      const maxs = ranges.map((r) => (r.max === undefined ? Infinity : r.max));
      const n = ranges.length;
      const isLen = method === 'len';
      return {
        patterns: pats,
        match: (v) => {
          const x = isLen ? (v as string).length : (v as Int);
          for (let i = 0; i < n; i++) if (mins[i]! <= x && x <= maxs[i]!) return i;
          return -1;
        },
      };
    }
    case 'ip': {
      const nets: IpNet[] = [];
      for (const p of pats) {
        const net = noDns && !/^[\d.:/a-fA-F]*$/.test(p) ? null : parseIpNet(p);
        if (!net) return { error: `'${p}' is not a valid IPv4 or IPv6 address` };
        nets.push(net);
      }
      return { patterns: pats, match: (v) => matchIp(v as string, nets) };
    }
    case 'bin': {
      const bufs: Buffer[] = [];
      for (const p of pats) {
        const b = parseHex(p);
        if (typeof b === 'string') return { error: b };
        bufs.push(b);
      }
      return {
        patterns: pats,
        match: (v) => {
          const b = v as Buffer;
          for (let i = 0; i < bufs.length; i++) if (bufs[i]!.equals(b)) return i;
          return -1;
        },
      };
    }
    case 'str': {
      if (!icase) {
        const index = new Map<string, number>();
        pats.forEach((p, i) => {
          if (!index.has(p)) index.set(p, i);
        });
        return { patterns: pats, match: (v) => index.get(v as string) ?? -1 };
      }
      const lower = pats.map((p) => p.toLowerCase());
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          for (let i = 0; i < lower.length; i++) if (lower[i]!.length === s.length && regionEqI(s, 0, lower[i]!)) return i;
          return -1;
        },
      };
    }
    case 'beg':
    case 'end': {
      const lower = icase ? pats.map((p) => p.toLowerCase()) : pats;
      const atEnd = method === 'end';
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          for (let i = 0; i < lower.length; i++) {
            const p = lower[i]!;
            if (p.length > s.length) continue;
            const at = atEnd ? s.length - p.length : 0;
            if (icase ? regionEqI(s, at, p) : atEnd ? s.endsWith(p) : s.startsWith(p)) return i;
          }
          return -1;
        },
      };
    }
    case 'sub': {
      const lower = icase ? pats.map((p) => p.toLowerCase()) : pats;
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          for (let i = 0; i < lower.length; i++) {
            const p = lower[i]!;
            if (p.length > s.length) continue;
            if (icase ? includesI(s, p) : s.includes(p)) return i;
          }
          return -1;
        },
      };
    }
    case 'dir':
    case 'dom': {
      const delim = method === 'dir' ? dirDelim : domDelim;
      const words = pats.map((p) => {
        const w = stripDelims(p, delim);
        return icase ? w.toLowerCase() : w;
      });
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          for (let i = 0; i < words.length; i++) if (matchWord(s, words[i]!, icase, delim)) return i;
          return -1;
        },
      };
    }
    case 'reg':
    case 'regm': {
      const res: RegExp[] = [];
      for (const p of pats) {
        const re = compileRegex(p, icase);
        if (typeof re === 'string') return { error: re };
        res.push(re);
      }
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          for (let i = 0; i < res.length; i++) if (res[i]!.test(s)) return i;
          return -1;
        },
      };
    }
    case 'meth': {
      // Well-known methods compare as tokens (exact case, -i has no effect); others compare as strings.
      const known = pats.map((p) => KNOWN_METHODS.has(p));
      const lower = pats.map((p) => p.toLowerCase());
      return {
        patterns: pats,
        match: (v) => {
          const s = v as string;
          const sKnown = KNOWN_METHODS.has(s);
          for (let i = 0; i < pats.length; i++) {
            if (known[i]) {
              if (sKnown && s === pats[i]) return i;
              continue;
            }
            if (sKnown || pats[i]!.length !== s.length) continue;
            if (icase ? regionEqI(s, 0, lower[i]!) : s === pats[i]) return i;
          }
          return -1;
        },
      };
    }
  }
}
