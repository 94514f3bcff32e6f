// When HAProxy 2.6 compresses (src/flt_http_comp.c): the algorithm a request's Accept-Encoding chooses among the
// proxy's (select_compression_request_header), and the checks on the server's response head before the
// http-response rules (select_compression_response_header). The backend's settings win over the frontend's.
import { eachHeaderValue } from '../http/header-scan.ts';
import type { CompressionAlgo, CompressionSpec } from './compression-keyword.ts';

/** The settings that apply to a stream: the backend's algorithms (or types) when it has some, else the frontend's. */
export interface StreamCompression {
  readonly fe: CompressionSpec | undefined;
  readonly be: CompressionSpec | undefined;
}

function algos(s: StreamCompression): readonly CompressionAlgo[] | undefined {
  if (s.be && s.be.algos.length > 0) return s.be.algos;
  if (s.fe && s.fe.algos.length > 0) return s.fe.algos;
  return undefined;
}

function types(s: StreamCompression): readonly string[] | undefined {
  if (s.be && s.be.types.length > 0) return s.be.types;
  if (s.fe && s.fe.types.length > 0) return s.fe.types;
  return undefined;
}

/** The name a client sees in Content-Encoding (ua_name): raw-deflate is announced as deflate. */
export function encodingName(a: CompressionAlgo): string {
  return a === 'raw-deflate' ? 'deflate' : a;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

// http_parse_qvalue(): "q=0.5" gives 500; anything that is not a digit first gives 1000.
function qvalue(s: string): number {
  const d = (i: number) => (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57 ? s.charCodeAt(i) - 48 : -1);
  if (d(0) < 0) return 1000;
  let q = d(0) * 1000;
  if (s[1] === '.') {
    for (let i = 2, m = 100; i < 5 && d(i) >= 0; i++, m /= 10) q += d(i) * m;
  }
  return Math.min(q, 1000);
}

// The q-value of one Accept-Encoding value, after its token: the first ";q=" parameter, else 1000.
function valueQ(v: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < v.length && (v[i] === ' ' || v[i] === '\t')) i++;
    if (i >= v.length || v[i] !== ';') return 1000;
    i++;
    while (i < v.length && (v[i] === ' ' || v[i] === '\t')) i++;
    if (i >= v.length) return 1000;
    if (v.startsWith('q=', i) || v.slice(i) === 'q') return qvalue(v.slice(i + 2));
    while (i < v.length && v[i] !== ';') i++;
  }
}

// word_match(): the token equals the word (ASCII case aside) and only blanks follow.
function wordMatch(token: string, word: string): boolean {
  return token.length === word.length && token.toLowerCase() === word;
}

// HAProxy leaves user agents announcing "Mozilla/4" uncompressed unless they are MSIE 6 SP2 or later.
function oldMozilla(headers: readonly string[]): boolean {
  let ua: string | undefined;
  eachHeaderValue(headers, 'user-agent', true, (v) => ((ua = v), true));
  if (ua === undefined || ua.length < 9 || !ua.startsWith('Mozilla/4')) return false;
  if (ua.length < 31 || ua.slice(25, 30) !== 'MSIE ' || ua[30]! < '6') return true;
  return ua[30] === '6' && (ua.length < 54 || ua.slice(51, 54) !== 'SV1');
}

/** The algorithm the request chooses, or null (no compression). With `offload` in force, the Accept-Encoding
 *  headers are removed from `headers` once an algorithm is chosen, so the server sends the response plain. */
export function chooseAlgorithm(s: StreamCompression, headers: string[]): CompressionAlgo | null {
  if (!s.fe && !s.be) return null;
  if (oldMozilla(headers)) return null;
  const list = algos(s);
  let chosen: CompressionAlgo | null = null;
  if (list) {
    let best = 0;
    eachHeaderValue(headers, 'accept-encoding', false, (v) => {
      let n = 0;
      while (n < v.length && TCHAR.test(v[n]!)) n++;
      const q = valueQ(v, n);
      if (q <= best) return false;
      const token = v.slice(0, n);
      const hit = list.find((a) => v[0] === '*' || wordMatch(token, encodingName(a)));
      if (hit) {
        chosen = hit;
        best = q;
      }
      return false;
    });
  }
  if (chosen) {
    if (s.be?.offload || s.fe?.offload) {
      for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.toLowerCase() === 'accept-encoding') headers.splice(i, 2);
    }
    return chosen;
  }
  // identity needs no header from the client
  return list?.includes('identity') ? 'identity' : null;
}

/** What the response checks read of the exchange. */
export interface ResponseFacts {
  readonly reqVersion: string;
  readonly method: string;
  readonly status: number;
  readonly version: string;
  readonly headers: readonly string[];
  /** How the server frames the body: HAProxy compresses only a body of known length (length or chunked). */
  readonly framing: 'none' | 'length' | 'chunked' | 'close';
  /** The Content-Length, -1 without one: a length of 0 is a body-less message (HTTP_MSGF_BODYLESS). */
  readonly contentLength: number;
}

// http_get_etag_type(): strong "...", weak W/"...", anything else is invalid.
function etagValid(v: string): boolean {
  return v.length >= 2 && v.endsWith('"') && (v.startsWith('"') || v.startsWith('W/"'));
}

/** Whether a response the request chose `algo` for is compressed: HTTP/1.1 both ways, not HEAD, status
 *  200-203, a body of known, non-zero length, not already encoded, no Cache-Control no-transform, at most one valid ETag,
 *  not multipart, and a Content-Type the `compression type` list (if any) names. */
export function compressesResponse(s: StreamCompression, r: ResponseFacts): boolean {
  if (r.version !== '1.1' || r.reqVersion === '1.0') return false;
  if (r.method === 'HEAD') return false;
  if (r.status < 200 || r.status > 203) return false;
  if (r.framing === 'none' || r.framing === 'close' || (r.framing === 'length' && r.contentLength === 0)) return false;
  const h = r.headers;
  if (eachHeaderValue(h, 'content-encoding', true, () => true)) return false;
  if (eachHeaderValue(h, 'cache-control', false, (v) => wordMatch(v, 'no-transform'))) return false;
  let etags = 0;
  let badEtag = false;
  eachHeaderValue(h, 'etag', true, (v) => {
    etags++;
    if (etags === 1 && !etagValid(v)) badEtag = true;
    return etags > 1;
  });
  if (badEtag || etags > 1) return false;
  let ctype: string | undefined;
  eachHeaderValue(h, 'content-type', true, (v) => ((ctype = v), true));
  const wanted = types(s);
  if (ctype !== undefined) {
    if (ctype.length >= 9 && ctype.slice(0, 9).toLowerCase() === 'multipart') return false;
    if (wanted && !wanted.some((t) => ctype!.length >= t.length && ctype!.slice(0, t.length).toLowerCase() === t.toLowerCase())) return false;
  } else if (wanted) return false;
  return true;
}

/** The head the client gets of a compressed response (set_compression_response_header, after the
 *  http-response and http-after-response rules): Content-Length removed, Transfer-Encoding: chunked unless
 *  already chunked, a strong ETag made weak, Vary: Accept-Encoding, Content-Encoding unless identity. */
export function compressedHead(headers: string[], algo: CompressionAlgo, chunked: boolean): void {
  if (!chunked) {
    for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.toLowerCase() === 'content-length') headers.splice(i, 2);
    headers.push('Transfer-Encoding', 'chunked');
  }
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'etag') continue;
    if (headers[i + 1]!.startsWith('"')) headers[i + 1] = `W/${headers[i + 1]}`;
    break;
  }
  headers.push('Vary', 'Accept-Encoding');
  // haproxy 2.6.12 sends Content-Encoding after the headers it added for the framing and Vary
  if (algo !== 'identity') headers.push('Content-Encoding', encodingName(algo));
}
