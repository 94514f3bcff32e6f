// What a hashing algorithm hashes, extracted as HAProxy's get_server_sh/uh/ph/hh do (src/backend.c, v2.6),
// apart from where the hash lands (map-based.ts, consistent-hash.ts). Each key hashes in place over the
// request's strings (characters are bytes), so a pick allocates nothing.
import type { PickContext } from './balancer.ts';
import type { HttpRequestView } from '../http/message-view.ts';
import type { RangeHash } from './hash-functions.ts';

/** A hash key: the raw hash of the request's key (before avalanche), or ABSENT to fall back to round robin. */
export interface HashKey {
  /** "source", "uri", "url_param(id)", "hdr(host)". */
  readonly label: string;
  /** HAProxy skips the lookup entirely (hash 0) when one server is left, for source, uri and hdr. */
  readonly skipWhenSingle: boolean;
  hash(ctx: PickContext, fn: RangeHash): number;
  /** The key's text for the explain view (allocates; not on the hot path). */
  describe(ctx: PickContext): string | null;
}

/** Returned by HashKey.hash when the request has no such key. */
export const ABSENT = -1;

// --- balance source -------------------------------------------------------------------------------

const GROUPS = new Uint16Array(8);
const TAIL = new Uint16Array(8);

// Parses dotted IPv4 at [start, end) into a uint32, or -1.
function parseV4(s: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return (value * 256 + part) >>> 0;
}

// Parses colon-separated hex groups (an IPv4 tail allowed last) of [a, b) into out; returns the count or -1.
function parseGroups(s: string, a: number, b: number, out: Uint16Array): number {
  if (a === b) return 0;
  let count = 0;
  let i = a;
  for (;;) {
    let j = i;
    let dotted = false;
    while (j < b && s.charCodeAt(j) !== 58) {
      if (s.charCodeAt(j) === 46) dotted = true;
      j++;
    }
    if (dotted) {
      const v4 = parseV4(s, i, j);
      if (v4 < 0 || j !== b || count > 6) return -1;
      out[count++] = v4 >>> 16;
      out[count++] = v4 & 0xffff;
      return count;
    }
    if (j === i || j - i > 4 || count > 7) return -1;
    let v = 0;
    for (let k = i; k < j; k++) {
      const c = s.charCodeAt(k);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    out[count++] = v;
    if (j === b) return count;
    i = j + 1;
  }
}

// Parses an IPv6 text address into GROUPS (eight 16-bit groups); false when it is not one.
function parseV6(s: string): boolean {
  const n = s.length;
  const dbl = s.indexOf('::');
  GROUPS.fill(0);
  if (dbl < 0) return parseGroups(s, 0, n, GROUPS) === 8;
  if (s.indexOf('::', dbl + 1) >= 0) return false;
  const head = parseGroups(s, 0, dbl, GROUPS);
  if (head < 0) return false;
  const tail = parseGroups(s, dbl + 2, n, TAIL);
  if (tail < 0 || head + tail > 7) return false;
  for (let k = 0; k < tail; k++) GROUPS[8 - tail + k] = TAIL[k]!;
  return true;
}

// The source address hashed as get_server_sh does: the 32-bit words of the address XORed together
// (an IPv4 address is its own number). IPv4-mapped IPv6 ("::ffff:a.b.c.d") counts as IPv4, as HAProxy
// sees an IPv4 client on an IPv4 listener. Returns ABSENT for an unknown family (HAProxy then uses rr).
export function sourceHash(src: string): number {
  const n = src.length;
  let start = 0;
  if (n > 7 && src.charCodeAt(0) === 58 && src.startsWith('::ffff:') && src.indexOf('.', 7) > 0) start = 7;
  const v4 = parseV4(src, start, n);
  if (v4 >= 0) return v4;
  if (!parseV6(src)) return ABSENT;
  let h = 0;
  for (let i = 0; i < 8; i += 2) h = (h ^ ((GROUPS[i]! << 16) | GROUPS[i + 1]!)) >>> 0;
  return h;
}

export const sourceKey: HashKey = {
  label: 'source',
  skipWhenSingle: true,
  hash: (ctx) => sourceHash(ctx.src),
  describe: (ctx) => ctx.src,
};

// --- balance uri [whole] [len N] [depth N] [path-only] --------------------------------------------------

export interface UriKeyOptions {
  readonly whole: boolean;
  readonly pathOnly: boolean;
  /** 0 = no limit. */
  readonly len: number;
  /** 0 = no limit. */
  readonly depth: number;
}

// Start of the path in a request target for "path-only" (http_parse_path), or -1 when there is none.
function pathStart(uri: string): number {
  if (uri.length === 0 || uri.charCodeAt(0) === 47) return 0;
  if (uri === '*') return -1;
  const scheme = uri.indexOf('://');
  if (scheme < 0) return -1;
  const slash = uri.indexOf('/', scheme + 3);
  return slash < 0 ? -1 : slash;
}

/** Result of the span finders below (module scratch: no allocation per call). */
let spanStart = 0;
let spanEnd = 0;

// Sets spanStart/spanEnd to the range get_server_uh hashes.
function uriSpan(uri: string, o: UriKeyOptions): void {
  let start = 0;
  if (o.pathOnly) {
    start = pathStart(uri);
    if (start < 0) {
      spanStart = spanEnd = 0;
      return;
    }
  }
  let uriLen = uri.length - start;
  if (o.len) uriLen = Math.min(uriLen, o.len);
  const depthEnd = o.depth ? o.depth + 1 : 0;
  let end = start;
  let slashes = 0;
  while (uriLen-- > 0) {
    const c = uri.charCodeAt(end);
    if (c === 47) {
      slashes++;
      if (slashes === depthEnd) break;
    } else if (c === 63 && !o.whole) break;
    end++;
  }
  spanStart = start;
  spanEnd = end;
}

// The uri key: the request target as received, cut at '?' unless "whole", at "len" characters and before
// the slash that ends "depth" levels.
export function uriKey(o: UriKeyOptions): HashKey {
  return {
    label: `uri${o.whole ? ' whole' : ''}${o.pathOnly ? ' path-only' : ''}${o.len ? ` len ${o.len}` : ''}${o.depth ? ` depth ${o.depth}` : ''}`,
    skipWhenSingle: true,
    // HAProxy only hashes once the request head is parsed; without one (mode tcp) it uses round robin.
    hash: (ctx, fn) => {
      if (!ctx.req) return ABSENT;
      uriSpan(ctx.req.uri, o);
      return fn(ctx.req.uri, spanStart, spanEnd);
    },
    describe: (ctx) => {
      if (!ctx.req) return null;
      uriSpan(ctx.req.uri, o);
      return ctx.req.uri.slice(spanStart, spanEnd);
    },
  };
}

// --- balance url_param <name> ----------------------------------------------------------------------------

// Sets spanStart/spanEnd to the parameter's value as get_server_ph finds it; false when absent.
function urlParamSpan(uri: string, name: string): boolean {
  const q = uri.indexOf('?');
  if (q < 0) return false;
  let p = q + 1;
  let uriLen = uri.length - p;
  const plen = name.length;
  let params = p;
  while (uriLen > plen) {
    if (uri.charCodeAt(params + plen) === 61 && uri.startsWith(name, params)) {
      p += plen + 1;
      let end = p;
      uriLen -= plen + 1;
      while (uriLen && uri.charCodeAt(end) !== 38) {
        uriLen--;
        end++;
      }
      spanStart = p;
      spanEnd = end;
      return true;
    }
    const amp = uri.indexOf('&', params);
    if (amp < 0) return false;
    p = amp + 1;
    uriLen -= p - params;
    params = p;
  }
  return false;
}

// The url_param key: the value of the first "name=" parameter of the query string (case-sensitive).
// The body of a POST ("check_post") is not looked at: the balancer only sees the request head.
export function urlParamKey(name: string): HashKey {
  return {
    label: `url_param(${name})`,
    skipWhenSingle: false,
    hash: (ctx, fn) => (ctx.req && urlParamSpan(ctx.req.uri, name) ? fn(ctx.req.uri, spanStart, spanEnd) : ABSENT),
    describe: (ctx) => (ctx.req && urlParamSpan(ctx.req.uri, name) ? ctx.req.uri.slice(spanStart, spanEnd) : null),
  };
}

// --- balance hdr(<name>) [use_domain_only] ----------------------------------------------------------------

function isLws(c: number): boolean {
  return c === 32 || c === 9;
}

function sameNameIgnoringCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

// http_find_hdr_value_end(): the first comma outside a quoted string.
function valueEnd(s: string, i: number, e: number): number {
  let quoted = false;
  let qdpair = false;
  for (; i < e; i++) {
    const c = s.charCodeAt(i);
    if (qdpair) qdpair = false;
    else if (quoted) {
      if (c === 92) qdpair = true;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 44) return i;
  }
  return e;
}

/** Result slots of headerValue (module scratch: no allocation per call). */
let hvIndex = -1;
let hvStart = 0;
let hvEnd = 0;

// The first value of the first header with that name, as http_find_header(..., full=0) returns it:
// leading/trailing blanks trimmed, cut at the first unquoted comma. Sets hvIndex/hvStart/hvEnd.
function headerValue(req: HttpRequestView, name: string): boolean {
  const h = req.headers;
  for (let i = 0; i + 1 < h.length; i += 2) {
    if (!sameNameIgnoringCase(h[i]!, name)) continue;
    const v = h[i + 1]!;
    let a = 0;
    let e = v.length;
    while (a < e && isLws(v.charCodeAt(a))) a++;
    e = valueEnd(v, a, e);
    while (e > a && isLws(v.charCodeAt(e - 1))) e--;
    hvIndex = i + 1;
    hvStart = a;
    hvEnd = e;
    return true;
  }
  hvIndex = -1;
  return false;
}

// use_domain_only: from the end, the label before the last dot ("www.example.com" -> "example"),
// walking the value exactly as get_server_hh does. Returns the start; hvEnd is moved to the end.
function domainOnly(v: string, start: number): number {
  let len = hvEnd - start;
  let p = hvEnd;
  let end = p;
  let dohash = false;
  while (len) {
    if (dohash) {
      if (v.charCodeAt(p - 1) === 46) break;
    } else if (p < hvEnd && v.charCodeAt(p) === 46) {
      end = p;
      dohash = true;
    }
    p--;
    len--;
  }
  hvEnd = end;
  return p;
}

// The hdr(name) key: the header's first value; empty or missing falls back to round robin.
export function hdrKey(name: string, useDomainOnly: boolean): HashKey {
  return {
    label: `hdr(${name})${useDomainOnly ? ' use_domain_only' : ''}`,
    skipWhenSingle: true,
    hash: (ctx, fn) => {
      if (!ctx.req || !headerValue(ctx.req, name) || hvEnd === hvStart) return ABSENT;
      const v = ctx.req.headers[hvIndex]!;
      if (!useDomainOnly) return fn(v, hvStart, hvEnd);
      const start = domainOnly(v, hvStart);
      return fn(v, start, hvEnd);
    },
    describe: (ctx) => {
      if (!ctx.req || !headerValue(ctx.req, name) || hvEnd === hvStart) return null;
      const v = ctx.req.headers[hvIndex]!;
      const start = useDomainOnly ? domainOnly(v, hvStart) : hvStart;
      return v.slice(start, hvEnd);
    },
  };
}
