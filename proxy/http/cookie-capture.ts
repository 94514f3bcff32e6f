// "capture cookie NAME len N" (http_manage_client_side_cookies / http_manage_server_side_cookies in src/http_ana.c):
// the first request cookie and the first response Set-Cookie whose "name=value" starts with NAME, cut to N bytes,
// for %CC and %CS. As HAProxy does on that pass, blanks around each cookie's '=' are removed from the header.
import type { CaptureCookie } from '../config/model.ts';
import { valueEnd } from './cookie-persistence.ts';

const isSp = (c: string | undefined): boolean => c === ' ' || c === '\t';

interface CookieAt {
  /** The header value, with this cookie's blanks around '=' removed. */
  readonly h: string;
  /** "name=value", or null for a '$' attribute or a cookie without '='. */
  readonly text: string | null;
  readonly next: number;
}

// One cookie of a header value from `prev` (a delimiter, or the start when `first`).
function cookieAt(h: string, prev: number, first: boolean, request: boolean): CookieAt {
  let attBeg = first ? prev : prev + 1;
  while (attBeg < h.length && isSp(h[attBeg])) attBeg++;
  let equal = attBeg;
  let attEnd = attBeg;
  while (equal < h.length) {
    const c = h[equal];
    if (c === '=' || c === ';' || (request && c === ',')) break;
    if (isSp(h[equal++])) continue;
    attEnd = equal;
  }
  if (equal >= h.length || h[equal] !== '=') return { h, text: null, next: equal };
  let valBeg = equal + 1;
  while (valBeg < h.length && isSp(h[valBeg])) valBeg++;
  let next = valueEnd(h, valBeg, h.length);
  let valEnd = next;
  while (valEnd > valBeg && isSp(h[valEnd - 1])) valEnd--;
  if (request && h[attBeg] === '$') return { h, text: null, next };
  if (attEnd !== equal || valBeg > equal + 1) {
    const cut = equal - attEnd + (valBeg - equal - 1);
    h = h.slice(0, attEnd) + '=' + h.slice(valBeg);
    valEnd -= cut;
    next -= cut;
  }
  return { h, text: h.slice(attBeg, valEnd), next };
}

const take = (cc: CaptureCookie, text: string | null): string | undefined =>
  text !== null && text.startsWith(cc.name) ? text.slice(0, Math.max(0, cc.len)) : undefined;

/** The request's captured cookie: the first match among every cookie of every Cookie header, in order. */
export function captureRequestCookie(cc: CaptureCookie, headers: string[]): string | undefined {
  let got: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'cookie') continue;
    let h = headers[i + 1]!;
    for (let prev = 0, first = true; prev < h.length; first = false) {
      const c = cookieAt(h, prev, first, true);
      h = c.h;
      got ??= take(cc, c.text);
      prev = c.next;
    }
    headers[i + 1] = h;
  }
  return got;
}

/** The response's captured cookie: the first cookie of each Set-Cookie header (what follows are its attributes). */
export function captureResponseCookie(cc: CaptureCookie, headers: string[]): string | undefined {
  let got: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'set-cookie') continue;
    const c = cookieAt(headers[i + 1]!, 0, true, false);
    headers[i + 1] = c.h;
    got ??= take(cc, c.text);
  }
  return got;
}
