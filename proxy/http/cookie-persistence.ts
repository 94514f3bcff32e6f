// Cookie persistence, as HAProxy 2.6 does it (http_ana.c): the request's Cookie headers may name the server to use
// (and lose the persistence cookie on their way), the server's Set-Cookie may be kept, dropped, rewritten or
// prefixed, and a Set-Cookie of our own is added when the client must learn (or refresh) its server. The two
// letters this leaves are the 3rd and 4th characters of the log's termination state.
import type { CookieSpec, PersistRule, ProxySpec } from '../config/model.ts';
import type { SampleContext } from '../sample/context.ts';
import type { ServerState } from '../server/server-state.ts';

/** Request cookie: None, Invalid, Down server, Valid, Expired, Old, Unused (sess_cookie in log.c). */
export type CookieFlag = 'N' | 'I' | 'D' | 'V' | 'E' | 'O' | 'U';
/** Response cookie: None, Passive (found, kept), Deleted, Inserted, Rewritten, Updated (sess_set_cookie). */
export type SetCookieFlag = 'N' | 'P' | 'D' | 'I' | 'R' | 'U';

/** One transaction's persistence state (HAProxy's TX_CK_* / TX_SCK_* and SF_DIRECT/FORCE/IGNORE_PRST). */
export class CookieTxn {
  ck: CookieFlag = 'N';
  sck: SetCookieFlag = 'N';
  /** The cookie chose the server (SF_DIRECT). */
  direct = false;
  /** force-persist / ignore-persist matched. */
  force = false;
  ignore = false;
  lastDate = 0;
  firstDate = 0;
  /** The server a denied request's cookie named: HAProxy assigned it, so the log names it. */
  denied: ServerState | null = null;
}

/** force-persist / ignore-persist: the first rule whose condition holds decides (process_switching_rules). */
export function applyPersistRules(rules: readonly PersistRule[] | undefined, ctx: SampleContext, st: CookieTxn): void {
  if (!rules) return;
  for (const r of rules) {
    if (r.cond.test(ctx) !== (r.cond.polarity === 'if')) continue;
    if (r.kind === 'force') st.force = true;
    else st.ignore = true;
    return;
  }
}

/** The log's cookie letters: "--" unless the backend has a cookie with a mode (PR_CK_ANY). */
export function cookieLogFlags(be: ProxySpec | undefined, st: CookieTxn | null): string {
  const ck = be?.cookie;
  if (!ck || (ck.mode === 'passive' && !ck.indirect)) return '--';
  return st ? st.ck + st.sck : 'NN';
}

const isSp = (c: string | undefined): boolean => c === ' ' || c === '\t';

// http_find_cookie_value_end(): a value ends at an unquoted ',' or ';'.
export function valueEnd(h: string, s: number, e: number): number {
  let quoted = false;
  let qdpair = false;
  for (; s < e; s++) {
    const c = h[s];
    if (qdpair) qdpair = false;
    else if (quoted) {
      if (c === '\\') qdpair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') return s;
  }
  return s;
}

// http_del_hdr_value(): removes [from, next) where `from` is the start or a delimiter, keeping one delimiter and
// one space when something follows.
function delValue(h: string, from: number, next: number): { h: string; from: number; delta: number } {
  const end = h.length;
  let prev = from;
  let n = next;
  if (prev === 0) {
    if (n < end) n++;
    while (n < end && isSp(h[n])) n++;
    return { h: h.slice(n), from: 0, delta: -n };
  }
  while (isSp(h[prev - 1])) prev--;
  const at = prev;
  let mid = '';
  if (n < end) {
    mid = h[n]!;
    prev++;
    n++;
    if (prev + 1 < n) {
      mid += ' ';
      prev++;
    }
    while (n < end && isSp(h[n])) n++;
  }
  return { h: h.slice(0, at) + mid + h.slice(n), from: at, delta: prev - n };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// s30tob64 / b64tos30: 30-bit dates (in 4-second units) as 5 base64 characters.
export function s30tob64(v: number): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += B64[(v >>> (24 - 6 * i)) & 0x3f];
  return out;
}

function b64tos30(s: string): number {
  let out = 0;
  for (let i = 0; i < 5; i++) {
    const b = B64.indexOf(s[i] ?? '\0');
    if (b < 0) return -1;
    out = out * 64 + b;
  }
  return out;
}

// cur_state != SRV_ST_STOPPED: a draining or soft-stopping server still counts as running for persistence.
const running = (s: ServerState): boolean => s.op !== 'down' && s.admin !== 'maint';

/**
 * http_manage_client_side_cookies(): reads the persistence cookie in the request's Cookie headers, edits them
 * (insert+indirect deletes the cookie, prefix strips the server part) and returns the server it names, if usable.
 */
export function manageClientCookies(ck: CookieSpec, servers: readonly ServerState[], headers: string[], st: CookieTxn, optionPersist: boolean, nowSec: number): ServerState | null {
  let chosen: ServerState | null = null;
  const insInd = ck.mode === 'insert' && ck.indirect;
  for (let hi = 0; hi < headers.length; hi += 2) {
    if (headers[hi]!.toLowerCase() !== 'cookie') continue;
    let h = headers[hi + 1]!;
    let first = true;
    let delFrom = -1;
    let preserveHdr = false;
    let next: number;
    for (let prev = 0; prev < h.length; prev = next) {
      let attBeg = prev;
      if (!first) attBeg++;
      first = false;
      while (attBeg < h.length && isSp(h[attBeg])) attBeg++;
      let equal = attBeg;
      let attEnd = attBeg;
      while (equal < h.length) {
        const c = h[equal];
        if (c === '=' || c === ',' || c === ';') break;
        if (isSp(h[equal++])) continue;
        attEnd = equal;
      }
      let valBeg: number;
      let valEnd: number;
      if (equal < h.length && h[equal] === '=') {
        valBeg = equal + 1;
        while (valBeg < h.length && isSp(h[valBeg])) valBeg++;
        next = valueEnd(h, valBeg, h.length);
        valEnd = next;
        while (valEnd > valBeg && isSp(h[valEnd - 1])) valEnd--;
      } else valBeg = valEnd = next = equal;
      if (h[attBeg] === '$') continue;
      const keepOther = (): void => {
        preserveHdr = true;
        if (delFrom >= 0) {
          const d = delValue(h, delFrom, prev);
          h = d.h;
          if (attBeg >= d.from) attBeg += d.delta;
          if (attEnd >= d.from) attEnd += d.delta;
          valBeg += d.delta;
          valEnd += d.delta;
          next += d.delta;
          prev = d.from;
          delFrom = -1;
        }
      };
      if (equal === next) {
        keepOther();
        continue;
      }
      // spaces around '=' are removed (HAProxy rewrites the header so that captures and rewrites see NAME=VALUE)
      if (attEnd !== equal || valBeg > equal + 1) {
        const name = h.slice(attBeg, attEnd);
        const rebuilt = h.slice(0, attBeg) + name + '=' + h.slice(valBeg);
        const delta = rebuilt.length - h.length;
        const shiftVal = attBeg + name.length + 1 - valBeg;
        h = rebuilt;
        equal = attEnd;
        valBeg += shiftVal;
        valEnd += delta;
        next += delta;
      }
      if (attEnd - attBeg === ck.name.length && h.startsWith(ck.name, attBeg)) {
        let delim = valEnd;
        if (ck.mode === 'prefix') {
          delim = h.indexOf('~', valBeg);
          if (delim < 0 || delim > valEnd) delim = valEnd;
        } else {
          const bar = h.indexOf('|', valBeg);
          if (bar >= 0 && bar < valEnd) {
            delim = bar;
            const p = bar + 1;
            if (valEnd - p >= 5) {
              const v = b64tos30(h.slice(p, p + 5));
              if (v > 0) st.lastDate = v * 4;
            }
            const bar2 = h.indexOf('|', p);
            if (bar2 >= 0 && bar2 < valEnd && valEnd - bar2 > 5) {
              const v = b64tos30(h.slice(bar2 + 1, bar2 + 6));
              if (v > 0) st.firstDate = v * 4;
            }
          }
        }
        if (st.firstDate && ck.maxlife && (nowSec - st.firstDate > ck.maxlife || st.firstDate - nowSec > 86400)) {
          st.ck = 'O';
          delim = valBeg;
          st.firstDate = st.lastDate = 0;
        } else if (st.lastDate && ck.maxidle && (nowSec - st.lastDate > ck.maxidle || st.lastDate - nowSec > 86400)) {
          st.ck = 'E';
          delim = valBeg;
          st.firstDate = st.lastDate = 0;
        }
        const value = h.slice(valBeg, delim);
        let found = false;
        const assigned = chosen !== null;
        if (delim !== valBeg && !st.ignore && !assigned) {
          for (const s of servers) {
            if (s.spec.cookie === undefined || s.spec.cookie !== value) continue;
            if (running(s) || optionPersist || st.force) {
              st.ck = running(s) ? 'V' : 'D';
              st.direct = true;
              chosen = s;
              found = true;
              break;
            }
            st.ck = 'D';
          }
        }
        // HAProxy tests the flag field as a bit mask here: any letter already set (even I or V) stays
        if (!found && st.ck === 'N') st.ck = st.ignore || assigned ? 'U' : 'I';
        if (ck.mode === 'prefix' && delim !== valEnd) {
          const cut = delim + 1 - valBeg;
          h = h.slice(0, valBeg) + h.slice(delim + 1);
          valEnd -= cut;
          next -= cut;
          delFrom = -1;
          preserveHdr = true;
        } else if (delFrom < 0 && insInd) delFrom = prev;
      } else keepOther();
    }
    if (delFrom >= 0) h = preserveHdr ? h.slice(0, delFrom) : '';
    if (h === '') {
      headers.splice(hi, 2);
      hi -= 2;
    } else headers[hi + 1] = h;
  }
  return chosen;
}

/**
 * http_manage_server_side_cookies(): the server's Set-Cookie of our name is kept (preserve, or passive), deleted
 * (insert on a known server, or indirect on a direct hit), rewritten with the server's value, or prefixed with it.
 */
export function manageServerCookies(ck: CookieSpec, server: ServerState | null, headers: string[], st: CookieTxn): void {
  for (let hi = 0; hi < headers.length; hi += 2) {
    if (headers[hi]!.toLowerCase() !== 'set-cookie') continue;
    let h = headers[hi + 1]!;
    let attBeg = 0;
    while (attBeg < h.length && isSp(h[attBeg])) attBeg++;
    let equal = attBeg;
    let attEnd = attBeg;
    while (equal < h.length) {
      const c = h[equal];
      if (c === '=' || c === ';') break;
      if (isSp(h[equal++])) continue;
      attEnd = equal;
    }
    let valBeg: number;
    let valEnd: number;
    if (equal < h.length && h[equal] === '=') {
      valBeg = equal + 1;
      while (valBeg < h.length && isSp(h[valBeg])) valBeg++;
      valEnd = valueEnd(h, valBeg, h.length);
      while (valEnd > valBeg && isSp(h[valEnd - 1])) valEnd--;
    } else valBeg = valEnd = equal;
    if (equal === valEnd) continue;
    if (attEnd !== equal || valBeg > equal + 1) {
      const name = h.slice(attBeg, attEnd);
      const rebuilt = h.slice(0, attBeg) + name + '=' + h.slice(valBeg);
      valEnd += rebuilt.length - h.length;
      valBeg = attBeg + name.length + 1;
      h = rebuilt;
      headers[hi + 1] = h;
    }
    if (st.ignore || attEnd - attBeg !== ck.name.length || !h.startsWith(ck.name, attBeg)) continue;
    st.sck = 'P';
    if (ck.preserve) continue;
    if ((server && ck.mode === 'insert') || (st.direct && ck.indirect)) {
      headers.splice(hi, 2);
      hi -= 2;
      st.sck = 'D';
    } else if (server?.spec.cookie !== undefined && ck.mode === 'rewrite') {
      headers[hi + 1] = h.slice(0, valBeg) + server.spec.cookie + h.slice(valEnd);
      st.sck = 'R';
    } else if (server?.spec.cookie !== undefined && ck.mode === 'prefix') {
      headers[hi + 1] = h.slice(0, valBeg) + server.spec.cookie + '~' + h.slice(valBeg);
      st.sck = 'R';
    }
  }
}

const CACHEABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

// TX_CACHEABLE after http_check_response_for_cacheability(), as haproxy 2.6.12 decides it (measured): a safe
// method, a heuristically cacheable status, no Pragma/Cache-Control value forbidding it, and freshness
// (max-age, s-maxage, Expires) or a validator (ETag, Last-Modified) - without either nothing would be cached.
function cacheable(method: string, status: number, headers: readonly string[]): boolean {
  if (!CACHEABLE_METHODS.has(method) || !CACHEABLE_STATUS.has(status)) return false;
  let ok = true;
  let fresh = false;
  let validator = false;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!.toLowerCase();
    if (n === 'pragma' && headers[i + 1]!.trim().toLowerCase() === 'no-cache') return false;
    if (n === 'expires') fresh = true;
    else if (n === 'etag' || n === 'last-modified') validator = true;
    if (n !== 'cache-control') continue;
    for (const raw of headers[i + 1]!.split(',')) {
      const v = raw.trim().toLowerCase();
      if (v === 'public') ok = true;
      else if (v === 'private' || v === 'no-cache' || v === 'no-store' || v === 'max-age=0' || v === 's-maxage=0') ok = false;
      else if (v.startsWith('no-cache="set-cookie')) continue;
      else if (v.startsWith('s-maxage') || v.startsWith('max-age')) fresh = true;
    }
  }
  return ok && (fresh || validator);
}

/**
 * The Set-Cookie HAProxy adds in insert mode (http_process_res_common), appended after the response's headers,
 * with "cache-control: private" after it for nocache on a cacheable response. Returns whether one was added.
 */
export function insertCookie(ck: CookieSpec, server: ServerState, headers: string[], st: CookieTxn, method: string, status: number, nowSec: number): boolean {
  if (ck.mode !== 'insert' || st.ignore) return false;
  if (st.sck === 'P' && ck.preserve) return false;
  if (ck.postonly && method !== 'POST') return false;
  const refresh = (ck.maxidle || st.lastDate) && (!st.lastDate || st.lastDate - nowSec < 0);
  if (st.direct && !refresh && !(ck.maxlife && !st.firstDate) && !(!ck.maxlife && st.firstDate)) return false;
  const v = server.spec.cookie;
  let text: string;
  if (v === undefined) text = `${ck.name}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`;
  else {
    text = `${ck.name}=${v}`;
    if (ck.maxidle || ck.maxlife) {
      const stamp = Math.floor((nowSec + 3) / 4);
      text += '|' + s30tob64(stamp);
      if (ck.maxlife) text += '|' + s30tob64(st.firstDate ? Math.floor(st.firstDate / 4) : stamp);
    }
    text += '; path=/';
  }
  if (ck.domain !== undefined) text += `; domain=${ck.domain}`;
  if (ck.httponly) text += '; HttpOnly';
  if (ck.secure) text += '; Secure';
  if (ck.attrs !== undefined) text += `; ${ck.attrs}`;
  const wasCacheable = ck.nocache && cacheable(method, status, headers);
  headers.push('set-cookie', text);
  st.sck = v !== undefined && st.direct ? 'U' : 'I';
  if (wasCacheable) headers.push('cache-control', 'private');
  return true;
}
