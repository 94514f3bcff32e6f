// Cookie fetches (HAProxy's smp_fetch_cookie and http_extract_cookie_value): every Cookie header value
// (split on commas like hdr()), then each "name=value" in it; names compare case-sensitively, values are
// trimmed, quotes are kept, attributes starting with '$' and cookies without '=' are skipped.
import type { ArgValue, FetchDef, FetchFn, Visit } from '../sample.ts';
import { strl2ic } from '../sample.ts';
import { headersOf, type HeaderSide } from './http-headers.ts';
import { eachHeaderValue } from '../../http/header-scan.ts';

function isSpHt(c: number): boolean {
  return c === 32 || c === 9;
}

// End of a cookie value: the first ',' or ';' outside a quoted string.
function cookieValueEnd(s: string, from: number): number {
  let quoted = false;
  let pair = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (pair) pair = false;
    else if (quoted) {
      if (c === 92) pair = true;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 44 || c === 59) return i;
  }
  return s.length;
}

/**
 * Walks the cookies named `name` (any cookie when empty) in one Cookie header value; fn returns true to stop.
 * `list` false reads a Set-Cookie value instead, as HAProxy does: the walk stops at the first pair whose name does
 * not match (the rest are attributes), so with no name every pair counts.
 */
export function eachCookie(hdr: string, name: string, fn: (value: string) => boolean, list = true): boolean {
  const end = hdr.length;
  const nl = name.length;
  if (end < nl + 1) return false;
  let next = -1;
  for (let beg = 0; beg + nl + 1 < end; beg = next + 1) {
    while (beg < end && isSpHt(hdr.charCodeAt(beg))) beg++;
    let eq = beg;
    let attEnd = beg;
    while (eq < end) {
      const c = hdr.charCodeAt(eq);
      if (c === 61 || c === 59 || (list && c === 44)) break;
      eq++;
      if (!isSpHt(c)) attEnd = eq;
    }
    let vbeg: number;
    let vend: number;
    if (eq < end && hdr.charCodeAt(eq) === 61) {
      vbeg = eq + 1;
      while (vbeg < end && isSpHt(hdr.charCodeAt(vbeg))) vbeg++;
      next = cookieValueEnd(hdr, vbeg);
      vend = next;
      while (vend > vbeg && isSpHt(hdr.charCodeAt(vend - 1))) vend--;
    } else {
      vbeg = vend = next = eq;
    }
    if (hdr.charCodeAt(beg) === 36) continue; // '$'
    if (eq === next) continue;
    if (nl === 0 || (attEnd - beg === nl && hdr.startsWith(name, beg))) {
      if (fn(hdr.slice(vbeg, vend))) return true;
    } else if (!list) break; // Set-Cookie: only a pair right after a match is read on (as http_extract_cookie_value)
  }
  return false;
}

function compileCookie(args: readonly ArgValue[], asInt: boolean, side: HeaderSide): FetchFn {
  const name = typeof args[0] === 'string' ? args[0] : '';
  const headersIn = headersOf(side);
  const header = side === 'req' ? 'cookie' : 'set-cookie';
  const list = side === 'req';
  let lastVisit: Visit | null = null;
  let perValue: (v: string) => boolean = () => false;
  let perHeader: (h: string) => boolean = () => false;
  return (ctx, visit) => {
    const headers = headersIn(ctx);
    if (!headers) return false;
    if (visit !== lastVisit) {
      lastVisit = visit;
      perValue = asInt ? (v) => visit(strl2ic(v)) : (v) => visit(v);
      perHeader = (h) => (h.length < name.length + 1 ? false : eachCookie(h, name, perValue, list));
    }
    return eachHeaderValue(headers, header, false, perHeader);
  };
}

function compileCount(args: readonly ArgValue[], side: HeaderSide): FetchFn {
  const name = typeof args[0] === 'string' ? args[0] : '';
  const headersIn = headersOf(side);
  const header = side === 'req' ? 'cookie' : 'set-cookie';
  const list = side === 'req';
  return (ctx, visit) => {
    const headers = headersIn(ctx);
    if (!headers) return false;
    let n = 0;
    const count = (): boolean => {
      n++;
      return false;
    };
    eachHeaderValue(headers, header, false, (h) => (h.length < name.length + 1 ? false : eachCookie(h, name, count, list)));
    return visit(n);
  };
}

function cook(name: string, outType: 'str' | 'int', side: HeaderSide = 'req'): FetchDef {
  return { name, outType, args: ['str'], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res', compile: (a) => compileCookie(a, outType === 'int', side) };
}

function cookCount(name: string, side: HeaderSide): FetchDef {
  return { name, outType: 'int', args: ['str'], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res', compile: (a) => compileCount(a, side) };
}

// The cookie fetches; cook and cookie are request-side aliases of req.cook here.
export const httpCookieFetches: readonly FetchDef[] = [
  cook('req.cook', 'str'),
  cook('cook', 'str'),
  cook('cookie', 'str'),
  cook('req.cook_val', 'int'),
  cook('cook_val', 'int'),
  cookCount('req.cook_cnt', 'req'),
  cookCount('cook_cnt', 'req'),
  // Set-Cookie in the response, for http-response rules
  cook('res.cook', 'str', 'res'),
  cook('scook', 'str', 'res'),
  cook('res.cook_val', 'int', 'res'),
  cook('scook_val', 'int', 'res'),
  cookCount('res.cook_cnt', 'res'),
  cookCount('scook_cnt', 'res'),
];
