// Parses a server's response head and works out how its body is framed.
import { containsToken } from './request-head.ts';

export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  /** http-response set-status may change these two. */
  status: number;
  reason: string;
  /** "1.0" or "1.1" as the server said. */
  readonly version: string;
  /** [name, value, ...] as received. */
  readonly headers: string[];
  readonly framing: BodyFraming;
  readonly contentLength: number;
  /** The server keeps the connection open after this response. */
  readonly reusable: boolean;
  readonly headBytes: number;
  /** The algorithm this response is compressed with, once the compression checks passed (res.comp_algo). */
  compAlgo?: string;
  /** Answered from this cache (res.cache_hit, res.cache_name). */
  cacheName?: string;
}

// Parses buf[0..end) as a response head; `headRequest` says the request was HEAD (no body follows).
export function parseResponseHead(buf: Buffer, end: number, headRequest: boolean): ResponseHead | string {
  const s = buf.toString('latin1', 0, end);
  let eol = s.indexOf('\n');
  let lineEnd = eol > 0 && s.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
  if (!s.startsWith('HTTP/1.') || s.charCodeAt(8) !== 32) return 'invalid status line';
  const minor = s.charCodeAt(7) - 48;
  if (minor < 0 || minor > 9) return 'invalid HTTP version';
  const status = Number(s.slice(9, 12));
  if (!Number.isInteger(status) || status < 100 || status > 999 || (lineEnd > 12 && s.charCodeAt(12) !== 32)) {
    return 'invalid status code';
  }
  const reason = lineEnd > 13 ? s.slice(13, lineEnd) : '';
  const version = minor === 0 ? '1.0' : '1.1';
  const headers: string[] = [];
  let contentLength = -1;
  let chunked = false;
  let conn = '';
  let pos = eol + 1;
  while (pos < end) {
    eol = s.indexOf('\n', pos);
    lineEnd = eol > pos && s.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) break;
    const first = s.charCodeAt(pos);
    if (first === 32 || first === 9) {
      if (headers.length === 0) return 'invalid header continuation';
      headers[headers.length - 1] += ' ' + s.slice(pos, lineEnd).trim();
      pos = eol + 1;
      continue;
    }
    const colon = s.indexOf(':', pos);
    if (colon <= pos || colon > lineEnd) return 'invalid header line';
    const name = s.slice(pos, colon);
    if (name.charCodeAt(name.length - 1) === 32) return 'invalid header name';
    const value = s.slice(colon + 1, lineEnd).trim();
    headers.push(name, value);
    const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
    if (lower === 'content-length') {
      const n = isDecimal(value) ? Number(value) : -1;
      if (n < 0 || (contentLength >= 0 && n !== contentLength)) return 'invalid Content-Length';
      contentLength = n;
    } else if (lower === 'transfer-encoding') {
      chunked = value.toLowerCase().trimEnd().endsWith('chunked');
    } else if (lower === 'connection') {
      conn += value.toLowerCase() + ',';
    }
    pos = eol + 1;
  }
  let framing: BodyFraming;
  if (headRequest || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (chunked) framing = 'chunked';
  else if (contentLength >= 0) framing = 'length';
  else framing = 'close';
  const keep = version === '1.1' ? !containsToken(conn, 'close') : containsToken(conn, 'keep-alive');
  return {
    status,
    reason,
    version,
    headers,
    framing,
    contentLength: chunked ? -1 : contentLength,
    reusable: keep && framing !== 'close',
    headBytes: end,
  };
}

// 1 to 15 decimal digits (what a Content-Length may be here), checked without a regex per response.
function isDecimal(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
