// Where the cache meets an exchange (src/cache.c): cache-use looks the request up (and notes whether the request
// may use or fill the cache, http_check_request_for_cacheability), cache-store decides whether the response is
// stored (http_action_store_cache, http_check_response_for_cacheability) and collects its body as it leaves; a hit
// is answered as HAProxy's cache applet answers: the stored head plus Age, a 304 when the request's validators
// match (haproxy 2.6 keeps the stored head, Content-Length included, and sends no body).
import { eachHeaderValue } from '../http/header-scan.ts';
import type { RequestHead } from '../http/request-head.ts';
import type { ResponseHead } from '../http/response-head.ts';
import { cacheKey, type CacheEntry, type ObjectCache } from './object-cache.ts';

const CACHE_ENTRY_MAX_AGE = 2147483648 - 1;

/** What one exchange carries for the cache. */
export interface CacheTxn {
  /** The request's primary key, once a cache-use rule computed it. */
  key?: { key: string; hash: Buffer };
  cacheable: boolean;
  cook: boolean;
  ignore: boolean;
  /** A hit: the cache and entry that answer, and whether as a 304. */
  hit?: { name: string; entry: CacheEntry; notModified: boolean };
  /** A response being stored: its head now, its body as it leaves. */
  storing?: { cache: ObjectCache; entry: Omit<CacheEntry, 'body' | 'size'>; headSize: number; parts: Buffer[]; length: number; expected: number };
}

function first(headers: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  eachHeaderValue(headers, name, true, (x) => ((v = x), true));
  return v;
}

const startsI = (v: string, w: string) => v.length >= w.length && v.slice(0, w.length).toLowerCase() === w;

// parse_http_date(): IMF-fixdate, RFC 850 and asctime dates; seconds since the epoch, or undefined
export function httpDateSeconds(v: string): number | undefined {
  const imf = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const rfc850 = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
  const asctime = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
  if (!imf.test(v) && !rfc850.test(v) && !asctime.test(v)) return undefined;
  const ms = Date.parse(asctime.test(v) ? `${v} GMT` : v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The flags a request starts with (http_wait_for_request): safe methods may be cached. */
export function newCacheTxn(method: string): CacheTxn {
  const safe = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE';
  return { cacheable: safe, cook: safe, ignore: false };
}

/** http-request cache-use: the key, the request's cacheability, and the entry that answers it, if any. */
export function cacheUse(c: CacheTxn, name: string, cache: ObjectCache | undefined, req: RequestHead, now: number): void {
  if (req.version !== '1.1' || (req.method !== 'GET' && req.method !== 'HEAD')) c.ignore = true;
  checkRequest(c, req.headers);
  const key = cacheKey(req.uri, first(req.headers, 'host'));
  if (!key) return;
  c.key = key;
  if (c.ignore || !cache) return;
  const entry = cache.get(key.key, now);
  if (!entry) return;
  c.hit = { name, entry, notModified: notModified(entry, req.headers) };
}

function checkRequest(c: CacheTxn, headers: readonly string[]): void {
  if (!c.cacheable && c.ignore) return;
  const pragma = first(headers, 'pragma')?.toLowerCase() === 'no-cache';
  if (first(headers, 'authorization') !== undefined) {
    c.cacheable = c.cook = false;
    c.ignore = true;
  }
  let cc = false;
  eachHeaderValue(headers, 'cache-control', false, (v) => {
    cc = true;
    if (startsI(v, 'max-age') || startsI(v, 'no-cache') || startsI(v, 'max-stale') || startsI(v, 'min-fresh')) c.ignore = true;
    else if (startsI(v, 'no-store')) c.cacheable = c.cook = false;
    return false;
  });
  if (!cc && pragma) c.ignore = true;
}

// should_send_notmodified_response(): If-None-Match against the stored ETag, else If-Modified-Since
function notModified(e: CacheEntry, headers: readonly string[]): boolean {
  let found = false;
  let match = false;
  eachHeaderValue(headers, 'if-none-match', false, (v) => {
    found = true;
    if (v === '*') return (match = true);
    if (e.etag === undefined) return true;
    return (match = etagsMatch(e.etag, v));
  });
  if (match || found) return match;
  const ims = first(headers, 'if-modified-since');
  const t = ims !== undefined ? httpDateSeconds(ims) : undefined;
  return t !== undefined && e.lastModified <= t;
}

// http_compare_etags(): weak comparison, both valid
function etagsMatch(a: string, b: string): boolean {
  const valid = (v: string) => v.length >= 2 && v.endsWith('"') && (v.startsWith('"') || v.startsWith('W/"'));
  if (!valid(a) || !valid(b)) return false;
  const strip = (v: string) => (v.startsWith('W/') ? v.slice(2) : v);
  return strip(a) === strip(b);
}

// directive_value(): "max-age=N" -> N, with HAProxy's refusal of a negative or missing number
function directive(v: string, word: string): number | undefined | null {
  if (v.length < word.length || v.slice(0, word.length).toLowerCase() !== word || v[word.length] !== '=' || v.length === word.length + 1) return undefined;
  const m = /^"?(-?\d+)/.exec(v.slice(word.length + 1));
  if (!m || Number(m[1]) < 0) return null;
  return Number(m[1]);
}

/** http_calc_maxage(): s-maxage, then max-age, then Expires, bounded by the cache's max-age; the response's own
 *  in `true`. Null when a directive is malformed. */
function maxAge(headers: readonly string[], limit: number, now: number): { effective: number; own: number } | null {
  let smax = -1;
  let max = -1;
  let bad = false;
  eachHeaderValue(headers, 'cache-control', false, (v) => {
    const s = directive(v, 's-maxage');
    const m = directive(v, 'max-age');
    if (s === null || m === null) return (bad = true);
    if (s !== undefined) smax = s;
    if (m !== undefined) max = m;
    return false;
  });
  if (bad) return null;
  let expires = -1;
  if (max === -1 && smax === -1) {
    const e = first(headers, 'expires');
    if (e !== undefined) {
      const t = httpDateSeconds(e);
      expires = t === undefined ? 0 : Math.max(0, t - now);
    }
  }
  if (smax > 0) return { effective: Math.min(smax, limit), own: smax };
  if (max > 0) return { effective: Math.min(max, limit), own: max };
  if (expires >= 0) return { effective: Math.min(expires, limit), own: expires };
  return { effective: limit, own: 0 };
}

// http_check_response_for_cacheability()
function checkResponse(c: CacheTxn, status: number, headers: readonly string[]): void {
  if (status < 200) {
    c.cacheable = c.cook = false;
    return;
  }
  if (first(headers, 'pragma')?.toLowerCase() === 'no-cache') {
    c.cacheable = c.cook = false;
    return;
  }
  let fresh = false;
  eachHeaderValue(headers, 'cache-control', false, (v) => {
    const l = v.toLowerCase();
    if (l === 'public') c.cacheable = c.cook = true;
    else if (l === 'private' || l === 'no-cache' || l === 'no-store' || l === 'max-age=0' || l === 's-maxage=0') c.cacheable = c.cook = false;
    else if (startsI(v, 'no-cache="set-cookie')) c.cook = false;
    else if (startsI(v, 's-maxage') || startsI(v, 'max-age')) fresh = true;
    return false;
  });
  if (!fresh) fresh = first(headers, 'expires') !== undefined;
  const validator = first(headers, 'etag') !== undefined || first(headers, 'last-modified') !== undefined;
  if (!fresh && !validator) c.ignore = true;
}

/** The status codes HAProxy's response analysis leaves cacheable (http_wait_for_response). */
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/** http-response cache-store: whether this response is stored; when it is, its head is kept now (Age removed) and
 *  its body is collected by `collect` until `complete`. `headSize` is what the head's HTX blocks weigh. */
export function cacheStore(c: CacheTxn, cache: ObjectCache, req: RequestHead, resp: ResponseHead, headSize: number, now: number): void {
  if (c.hit || req.version !== '1.1' || !c.key) return;
  if (!CACHEABLE_STATUS.has(resp.status)) c.cacheable = c.cook = false;
  if (req.method !== 'GET') {
    // a successful unsafe method invalidates what is stored for the resource (RFC 7234 4.4)
    const safe = req.method === 'HEAD' || req.method === 'OPTIONS' || req.method === 'TRACE';
    if (!safe && resp.status >= 200 && resp.status < 400) cache.delete(c.key.key);
    return;
  }
  if (resp.status !== 200) return;
  // only a body of announced length is collected here (chunked responses are not stored)
  if (resp.framing !== 'length') return;
  if (resp.contentLength + headSize > cache.spec.maxObjectSize) return;
  // without Vary processing (and here, even with it), a response that varies is not stored
  if (eachHeaderValue(resp.headers, 'vary', false, () => true)) return;
  checkResponse(c, resp.status, resp.headers);
  if (!c.cacheable || !c.cook || c.ignore) return;
  const ages = maxAge(resp.headers, cache.spec.maxAge, now);
  if (!ages) return;
  let age = 0;
  const h = resp.headers;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i]!.toLowerCase() !== 'age') continue;
    const n = /^\d+$/.test(h[i + 1]!) ? Math.min(Number(h[i + 1]), CACHE_ENTRY_MAX_AGE) : -1;
    if (n <= 0 || n > ages.own) return;
    age = n;
    h.splice(i, 2);
    break;
  }
  const lm = first(h, 'last-modified');
  const date = first(h, 'date');
  const lastModified = (lm !== undefined ? httpDateSeconds(lm) : undefined) ?? (date !== undefined ? httpDateSeconds(date) : undefined) ?? now;
  c.storing = {
    cache,
    headSize,
    parts: [],
    length: 0,
    expected: resp.contentLength,
    entry: { key: c.key.key, hash: c.key.hash, head: { status: resp.status, reason: resp.reason, headers: [...h] }, stored: now, expire: now + ages.effective, age, lastModified, etag: first(h, 'etag') },
  };
}

/** Body bytes of a response being stored. */
export function collect(c: CacheTxn, d: Buffer): void {
  const s = c.storing;
  if (!s) return;
  s.parts.push(Buffer.from(d));
  s.length += d.length;
}

/** The response ended whole: the object is stored. */
export function complete(c: CacheTxn): void {
  const s = c.storing;
  if (!s) return;
  c.storing = undefined;
  // a body that left compressed, or not whole, is not what the cache would serve
  if (s.length !== s.expected) return;
  const body = Buffer.concat(s.parts, s.length);
  s.cache.put({ ...s.entry, body, size: s.headSize + body.length });
}

/** The head a hit answers with (the stored one, Age last; a 304 keeps the stored headers), and its body. */
export function hitResponse(c: CacheTxn, now: number, headRequest: boolean): { head: ResponseHead; body: Buffer } {
  const { entry, notModified } = c.hit!;
  const age = Math.min(Math.max(0, now - entry.stored) + entry.age, CACHE_ENTRY_MAX_AGE);
  const headers = [...entry.head.headers, 'age', String(age)];
  const noBody = notModified || headRequest;
  const head: ResponseHead = {
    status: notModified ? 304 : entry.head.status,
    reason: notModified ? 'Not Modified' : entry.head.reason,
    version: '1.1',
    headers,
    framing: noBody ? 'none' : 'length',
    contentLength: entry.body.length,
    reusable: true,
    headBytes: 0,
  };
  return { head, body: noBody ? Buffer.alloc(0) : entry.body };
}
