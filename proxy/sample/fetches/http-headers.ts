// Request and response header fetches (HAProxy's src/http_fetch.c on top of http_find_header): hdr/req.hdr split values on
// commas outside quotes and hand out every one; req.fhdr hands out whole lines. Names compare case-insensitively.
import type { ArgValue, FetchDef, FetchFn, Visit } from '../sample.ts';
import { strl2ic } from '../sample.ts';
import { ipv4ToString, parseIpv4, parseIpv6, scanIpv4 } from '../ip.ts';
import type { SampleContext } from '../context.ts';
import { countHeaderValues, eachHeaderValue } from '../../http/header-scan.ts';

/** HAProxy keeps at most this many values to count occurrences from the end (MAX_HDR_HISTORY). */
export const MAX_HDR_HISTORY = 10;

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
