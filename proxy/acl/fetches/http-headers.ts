// Request and response header fetches (HAProxy's src/http_fetch.c on top of http_find_header): hdr/req.hdr split values on
// commas outside quotes and hand out every one; req.fhdr hands out whole lines. Names compare case-insensitively.
import type { ArgValue, FetchDef, FetchFn, Visit } from '../sample.ts';
import { strl2ic } from '../sample.ts';
import { ipv4ToString, parseIpv4, parseIpv6, scanIpv4 } from '../ip.ts';
import type { SampleContext } from '../types.ts';

/** HAProxy keeps at most this many values to count occurrences from the end (MAX_HDR_HISTORY). */
export const MAX_HDR_HISTORY = 10;

function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

// ASCII case-insensitive equality against an already lowercased name, without allocating.
function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// End of one comma-delimited value (http_find_hdr_value_end): commas inside "quoted strings" do not count.
function valueEnd(v: string, from: number): number {
  let quoted = false;
  let pair = false;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (pair) pair = false;
    else if (quoted) {
      if (c === 92) pair = true;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 44) return i;
  }
  return v.length;
}

function isConnToken(v: string, a: number, b: number): boolean {
  const n = b - a;
  if (n !== 5 && n !== 10) return false;
  const w = n === 5 ? 'close' : 'keep-alive';
  for (let i = 0; i < n; i++) {
    let c = v.charCodeAt(a + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The Connection header as HAProxy's HTX holds it (h1_parse_connection_header): "close" and "keep-alive"
 * tokens are removed, and the header disappears (null) when nothing else is left.
 */
export function cleanConnection(v: string): string | null {
  let out: string | null = null;
  let removed = false;
  let keptEnd = 0;
  for (let p = 0; p < v.length; ) {
    if (isLws(v.charCodeAt(p))) {
      p++;
      continue;
    }
    const n = valueEnd(v, p);
    let e = n;
    while (e > p && isLws(v.charCodeAt(e - 1))) e--;
    if (isConnToken(v, p, e)) removed = true;
    else if (!removed) keptEnd = n;
    else {
      if (out === null) out = v.slice(0, keptEnd);
      out = out === '' ? v.slice(p, e) : `${out},${v.slice(p, e)}`;
    }
    p = n + 1;
  }
  if (!removed) return v;
  if (out === null) out = v.slice(0, keptEnd);
  return out === '' ? null : out;
}

// Name check for headers HAProxy rewrites on the way in.
function isConnection(name: string): boolean {
  return name.length === 10 && nameIs(name, 'connection');
}

function isContentLength(name: string): boolean {
  return name.length === 14 && nameIs(name, 'content-length');
}

function hasTransferEncoding(headers: readonly string[]): boolean {
  for (let h = 0; h < headers.length; h += 2) if (headers[h]!.length === 17 && nameIs(headers[h]!, 'transfer-encoding')) return true;
  return false;
}

/**
 * A header value as HAProxy's HTX holds it, or null when HTX drops the header: Connection loses its close and
 * keep-alive tokens; only the first Content-Length stays, reduced to its first value, and none stays next to
 * Transfer-Encoding. `state.cl` remembers a Content-Length already seen during one walk.
 */
function htxValue(headers: readonly string[], h: number, state: { cl: number }): string | null {
  const name = headers[h]!;
  const v = headers[h + 1]!;
  if (isConnection(name)) return cleanConnection(v);
  if (isContentLength(name)) {
    if (state.cl === 0) state.cl = hasTransferEncoding(headers) ? 2 : 1;
    else if (state.cl === 1) state.cl = 3;
    if (state.cl !== 1) return null;
    const comma = v.indexOf(',');
    return comma < 0 ? v : v.slice(0, comma).replace(/[ \t]+$/, '');
  }
  return v;
}

const NO_STATE = { cl: 0 };

// Whether a walk over `lowerName` may meet a header that HTX rewrites.
function mayRewrite(lowerName: string): boolean {
  return lowerName === '' || lowerName === 'connection' || lowerName === 'content-length';
}

/** Walks header values in order; each callback returns true to stop. `full` keeps whole lines (fhdr). */
export function eachHeaderValue(headers: readonly string[], lowerName: string, full: boolean, fn: (value: string) => boolean): boolean {
  const rewrite = mayRewrite(lowerName);
  const state = rewrite ? { cl: 0 } : NO_STATE;
  for (let h = 0; h + 1 < headers.length; h += 2) {
    if (lowerName !== '' && !nameIs(headers[h]!, lowerName)) continue;
    let v: string | null = headers[h + 1]!;
    if (rewrite) {
      v = htxValue(headers, h, state);
      if (v === null) continue;
    }
    let p = 0;
    for (;;) {
      while (p < v.length && isLws(v.charCodeAt(p))) p++;
      let e = full ? v.length : valueEnd(v, p);
      const next = e;
      while (e > p && isLws(v.charCodeAt(e - 1))) e--;
      if (fn(p === 0 && e === v.length ? v : v.slice(p, e))) return true;
      if (full || next >= v.length) break;
      p = next + 1; // skip the comma
    }
  }
  return false;
}

// Counts values (or lines, when full) of a header; every header when the name is empty. No callback, no copy.
export function countHeaderValues(headers: readonly string[], lowerName: string, full: boolean): number {
  let n = 0;
  const rewrite = mayRewrite(lowerName);
  const state = rewrite ? { cl: 0 } : NO_STATE;
  for (let h = 0; h + 1 < headers.length; h += 2) {
    if (lowerName !== '' && !nameIs(headers[h]!, lowerName)) continue;
    let v: string | null = headers[h + 1]!;
    if (rewrite) {
      v = htxValue(headers, h, state);
      if (v === null) continue;
    }
    if (full) {
      n++;
      continue;
    }
    let p = 0;
    for (;;) {
      n++;
      while (p < v.length && isLws(v.charCodeAt(p))) p++;
      const next = valueEnd(v, p);
      if (next >= v.length) break;
      p = next + 1;
    }
  }
  return n;
}

// The occ-th value (1-based from the start, negative from the end), or null.
function nthValue(headers: readonly string[], lowerName: string, full: boolean, occ: number): string | null {
  if (occ > 0) {
    let left = occ;
    let out: string | null = null;
    eachHeaderValue(headers, lowerName, full, (v) => {
      if (--left <= 0) {
        out = v;
        return true;
      }
      return false;
    });
    return out;
  }
  if (-occ > MAX_HDR_HISTORY) return null;
  const total = countHeaderValues(headers, lowerName, full);
  if (-occ > total) return null;
  return nthValue(headers, lowerName, full, total + occ + 1);
}

type Mapper = ((value: string, visit: Visit) => boolean) | null;

/** Which message a header fetch reads: the request (req.hdr, hdr) or the response (res.hdr, shdr). */
export type HeaderSide = 'req' | 'res';
type Headers = (ctx: SampleContext) => readonly string[] | undefined;
const requestHeaders: Headers = (ctx) => ctx.req?.headers;
const responseHeaders: Headers = (ctx) => ctx.res?.headers;
export const headersOf = (side: HeaderSide): Headers => (side === 'req' ? requestHeaders : responseHeaders);

// One header fetch: all values when no occurrence (or 0) is given, else the one asked for.
function compileHeader(args: readonly ArgValue[], full: boolean, map: Mapper, side: HeaderSide): FetchFn {
  // "hdr" without parentheses has no name argument and never returns a sample; "hdr()" means any header.
  if (typeof args[0] !== 'string') return () => false;
  const lower = typeof args[0] === 'string' ? args[0].toLowerCase() : '';
  const occ = typeof args[1] === 'number' ? args[1] : 0;
  const headersIn = headersOf(side);
  if (occ !== 0) {
    return (ctx, visit) => {
      const headers = headersIn(ctx);
      if (!headers) return false;
      const v = nthValue(headers, lower, full, occ);
      if (v === null) return false;
      return map ? map(v, visit) : visit(v);
    };
  }
  if (map === null) {
    return (ctx, visit) => {
      const headers = headersIn(ctx);
      return headers ? eachHeaderValue(headers, lower, full, visit as (v: string) => boolean) : false;
    };
  }
  // The caller passes the same visitor every time (one per compiled expression), so wrap it once.
  let lastVisit: Visit | null = null;
  let wrapped: (v: string) => boolean = () => false;
  return (ctx: SampleContext, visit: Visit) => {
    const headers = headersIn(ctx);
    if (!headers) return false;
    if (visit !== lastVisit) {
      lastVisit = visit;
      wrapped = (v) => map(v, visit);
    }
    return eachHeaderValue(headers, lower, full, wrapped);
  };
}

const toInt: Mapper = (v, visit) => visit(strl2ic(v));

const ipWords = new Uint16Array(8);

// hdr_ip: a value that is an IPv4 address (optionally ":port") or an IPv6 address; others are skipped.
const toIp: Mapper = (v, visit) => {
  const v4 = scanIpv4(v);
  if (v4) {
    if (v4.end === v.length) return visit(v4.end === v.length && parseIpv4(v) >= 0 ? v : ipv4ToString(v4.addr));
    if (v.charCodeAt(v4.end) === 58) {
      const port = v.slice(v4.end + 1);
      if (/^\d{1,5}$/.test(port) && Number(port) <= 65535) return visit(ipv4ToString(v4.addr));
    }
  }
  return parseIpv6(v, ipWords) ? visit(v) : false;
};

function compileCount(args: readonly ArgValue[], full: boolean, side: HeaderSide): FetchFn {
  const lower = typeof args[0] === 'string' ? args[0].toLowerCase() : '';
  const headersIn = headersOf(side);
  return (ctx, visit) => {
    const headers = headersIn(ctx);
    return headers ? visit(countHeaderValues(headers, lower, full)) : false;
  };
}

const validateOcc = (args: readonly ArgValue[]): string | null =>
  typeof args[1] === 'number' && args[1] < -MAX_HDR_HISTORY ? `header occurrence must be >= ${-MAX_HDR_HISTORY}` : null;

function hdr(name: string, outType: FetchDef['outType'], full: boolean, map: Mapper, side: HeaderSide = 'req'): FetchDef {
  const source = side === 'req' ? 'http-req' : 'http-res';
  return { name, outType, args: ['str', 'sint'], minArgs: 0, source, validate: validateOcc, compile: (a) => compileHeader(a, full, map, side) };
}

function cnt(name: string, full: boolean, side: HeaderSide = 'req'): FetchDef {
  return { name, outType: 'int', args: ['str'], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res', compile: (a) => compileCount(a, full, side) };
}

// The header fetches; hdr_* without "req." are HAProxy's request-only ACL-compatibility names.
export const httpHeaderFetches: readonly FetchDef[] = [
  hdr('hdr', 'str', false, null),
  hdr('req.hdr', 'str', false, null),
  hdr('req.fhdr', 'str', true, null),
  hdr('hdr_val', 'int', false, toInt),
  hdr('req.hdr_val', 'int', false, toInt),
  hdr('hdr_ip', 'ip', false, toIp),
  hdr('req.hdr_ip', 'ip', false, toIp),
  cnt('hdr_cnt', false),
  cnt('req.hdr_cnt', false),
  cnt('req.fhdr_cnt', true),
  // the response's, for http-response rules (shdr* are the ACL-compatibility names)
  hdr('res.hdr', 'str', false, null, 'res'),
  hdr('shdr', 'str', false, null, 'res'),
  hdr('res.fhdr', 'str', true, null, 'res'),
  hdr('res.hdr_val', 'int', false, toInt, 'res'),
  hdr('shdr_val', 'int', false, toInt, 'res'),
  hdr('res.hdr_ip', 'ip', false, toIp, 'res'),
  hdr('shdr_ip', 'ip', false, toIp, 'res'),
  cnt('res.hdr_cnt', false, 'res'),
  cnt('shdr_cnt', false, 'res'),
  cnt('res.fhdr_cnt', true, 'res'),
];
