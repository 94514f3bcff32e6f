// A small, strict HTTP/1.x request-head parser on raw bytes: one pass, no regular expressions, lazy path/query.
import type { HttpRequestView } from './message-view.ts';

const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export class RequestHead implements HttpRequestView {
  method: string;
  uri: string;
  version: string;
  /** The version as the client wrote it ("1.2", "0.9", ...), which HAProxy logs; `version` is how it is treated. */
  wireVersion: string;
  /** [name, value, ...] as received; the forwarder rewrites a copy, never this. */
  headers: string[];
  /** -1 when the request carries no Content-Length. */
  contentLength = -1;
  chunked = false;
  /** The client wants its connection kept open after this exchange. */
  keepAlive: boolean;
  expectContinue = false;
  /** Close both the client and the server connection after this exchange (a chunked HTTP/1.0 request). */
  closeAfter = false;
  /** Bytes of the head, blank line included. */
  headBytes: number;
  private _path: string | undefined;
  private _query: string | null | undefined;

  constructor(method: string, uri: string, version: string, headers: string[], headBytes: number) {
    this.method = method;
    this.uri = uri;
    this.version = version;
    this.wireVersion = version;
    this.headers = headers;
    this.headBytes = headBytes;
    this.keepAlive = version === '1.1';
  }

  get path(): string {
    if (this._path === undefined) this.splitTarget();
    return this._path!;
  }

  get query(): string | null {
    if (this._query === undefined) this.splitTarget();
    return this._query!;
  }

  /** A rule rewrote the target: path and query are read again from it. */
  setUri(uri: string): void {
    this.uri = uri;
    this._path = undefined;
    this._query = undefined;
  }

  get hasBody(): boolean {
    return this.chunked || this.contentLength > 0;
  }

  // First value of a header (case-insensitive name given in lower case), or null.
  header(lower: string): string | null {
    const h = this.headers;
    for (let i = 0; i < h.length; i += 2) if (h[i]!.length === lower.length && h[i]!.toLowerCase() === lower) return h[i + 1]!;
    return null;
  }

  private splitTarget(): void {
    const t = splitTarget(this.uri);
    this._path = t.path;
    this._query = t.query;
  }

}

/** The path (without the query) and the query of a target; absolute-form loses "scheme://authority" first. */
export function splitTarget(uri: string): { path: string; query: string | null } {
  let u = uri;
  // absolute-form: drop "scheme://authority", as HAProxy's path fetch does
  if (u.charCodeAt(0) !== 47 /* / */) {
    const scheme = u.indexOf('://');
    if (scheme > 0) {
      const slash = u.indexOf('/', scheme + 3);
      const q = u.indexOf('?', scheme + 3);
      u = slash < 0 || (q >= 0 && q < slash) ? (q >= 0 ? u.slice(q) : '') : u.slice(slash);
    }
  }
  const q = u.indexOf('?');
  return q < 0 ? { path: u, query: null } : { path: u.slice(0, q), query: u.slice(q + 1) };
}

export interface HeadError {
  readonly error: string;
  /** Where in the head it went wrong (byte offset), for the log. */
  readonly at: number;
}

export interface HeadLimits {
  /** Largest head accepted (HAProxy: tune.bufsize - tune.maxrewrite). */
  readonly maxHeadBytes: number;
  /** tune.http.maxhdr */
  readonly maxHeaders: number;
}

const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const LF2 = Buffer.from('\n\n', 'latin1');

// Finds the end of a head ("\r\n\r\n" or bare "\n\n"); returns the index after it, or -1. The needles are Buffers:
// a string one is encoded again at every call.
export function findHeadEnd(buf: Buffer, from = 0): number {
  const crlf = buf.indexOf(CRLF2, from);
  if (crlf >= 0) {
    // a bare "\n\n" ends the head first only if it comes before the "\r\n\r\n" (whose own "\n\r\n" holds none)
    const lf = crlf > from + 1 ? buf.subarray(from, crlf + 2).indexOf(LF2) : -1;
    return lf >= 0 ? from + lf + 2 : crlf + 4;
  }
  const lf = buf.indexOf(LF2, from);
  return lf >= 0 ? lf + 2 : -1;
}

// Parses one request head from buf[0..end) (end from findHeadEnd). Returns the head or what is wrong with it.
export function parseRequestHead(buf: Buffer, end: number, limits: HeadLimits): RequestHead | HeadError {
  if (end > limits.maxHeadBytes) return { error: 'request head too large', at: limits.maxHeadBytes };
  const s = buf.toString('latin1', 0, end);
  let eol = s.indexOf('\n');
  let lineEnd = eol > 0 && s.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
  // request line: METHOD SP target SP HTTP/x.y
  const sp1 = s.indexOf(' ');
  if (sp1 <= 0 || sp1 > lineEnd) return { error: 'invalid request line', at: 0 };
  for (let i = 0; i < sp1; i++) if (TCHAR[s.charCodeAt(i)] === 0) return { error: 'invalid method', at: i };
  const sp2 = s.lastIndexOf(' ', lineEnd);
  if (sp2 <= sp1 + 1) return { error: 'invalid request line', at: sp1 };
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return { error: 'invalid character in URI', at: i };
  }
  if (lineEnd - sp2 !== 9 || !s.startsWith('HTTP/', sp2 + 1) || s.charCodeAt(sp2 + 7) !== 46) {
    return { error: 'invalid HTTP version', at: sp2 + 1 };
  }
  const major = s.charCodeAt(sp2 + 6) - 48;
  const minor = s.charCodeAt(sp2 + 8) - 48;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return { error: 'invalid HTTP version', at: sp2 + 1 };
  // any digit.digit is accepted (h1_process_req_vsn): from 1.1 up it is treated as 1.1, below as 1.0
  const head = new RequestHead(s.slice(0, sp1), s.slice(sp1 + 1, sp2), major > 1 || (major === 1 && minor >= 1) ? '1.1' : '1.0', [], end);
  head.wireVersion = `${major}.${minor}`;
  const headers = head.headers;
  let connTokens: string | null = null;
  let te: string | null = null;
  let upgrade: string | null = null;
  let wsKey = false;
  let host: string | null = null;
  let pos = eol + 1;
  while (pos < end) {
    eol = s.indexOf('\n', pos);
    lineEnd = eol > pos && s.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) break; // blank line: end of head
    const first = s.charCodeAt(pos);
    if (first === 32 || first === 9) {
      // obs-fold: HAProxy joins continuation lines into the previous value with a space
      if (headers.length === 0) return { error: 'invalid header continuation', at: pos };
      headers[headers.length - 1] += ' ' + trimOws(s, pos, lineEnd);
      pos = eol + 1;
      continue;
    }
    const colon = s.indexOf(':', pos);
    if (colon < 0 || colon > lineEnd || colon === pos) return { error: 'invalid header line', at: pos };
    for (let i = pos; i < colon; i++) if (TCHAR[s.charCodeAt(i)] === 0) return { error: 'invalid header name', at: i };
    const value = trimOws(s, colon + 1, lineEnd);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if ((c < 0x20 && c !== 9) || c === 0x7f) return { error: 'invalid character in header value', at: colon + 1 + i };
    }
    const name = s.slice(pos, colon);
    if (headers.length >= limits.maxHeaders * 2) return { error: 'too many headers', at: pos };
    // framing headers are recognised on the way, so nothing re-scans the list
    const n = name.length;
    if (n === 14 && name.toLowerCase() === 'content-length') {
      const first = head.contentLength < 0;
      const r = mergeContentLength(head.contentLength, value);
      if (r < 0) return { error: 'invalid or conflicting Content-Length', at: pos };
      head.contentLength = r;
      // equal repeats (headers or a comma list) reach the server as one "content-length: N", as HAProxy sends it
      if (first) headers.push(name, String(r));
      pos = eol + 1;
      continue;
    }
    if (n === 4 && name.toLowerCase() === 'host') {
      // a repeated Host must say the same (case aside), and is then dropped; two different ones are a 400
      if (host !== null) {
        if (value.toLowerCase() !== host) return { error: 'conflicting Host headers', at: pos };
        pos = eol + 1;
        continue;
      }
      host = value.toLowerCase();
    }
    headers.push(name, value);
    if (n === 17 && name.toLowerCase() === 'transfer-encoding') {
      te = te === null ? value : `${te}, ${value}`;
    } else if (n === 17 && name.toLowerCase() === 'sec-websocket-key') {
      if (value.length === 24) wsKey = true;
    } else if (n === 7 && name.toLowerCase() === 'upgrade') {
      upgrade = upgrade === null ? value : `${upgrade}, ${value}`;
    } else if (n === 10 && name.toLowerCase() === 'connection') {
      connTokens = connTokens === null ? value : `${connTokens}, ${value}`;
    } else if (n === 6 && name.toLowerCase() === 'expect') {
      head.expectContinue = value.toLowerCase() === '100-continue';
    }
    pos = eol + 1;
  }
  if (te !== null) {
    // the last coding must be chunked, else the length is unknowable; Content-Length is then ignored
    const codings = te.toLowerCase().split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (codings.length === 0 || codings[codings.length - 1] !== 'chunked') {
      return { error: 'invalid Transfer-Encoding', at: 0 };
    }
    head.chunked = true;
    // HAProxy takes a chunked HTTP/1.0 body, but closes both sides after it
    if (head.version === '1.0') head.closeAfter = true;
    // both framings at once is how smuggling starts: drop the length and close after this exchange
    if (head.contentLength >= 0) head.keepAlive = false;
    head.contentLength = -1;
  }
  if (head.uri.charCodeAt(0) !== 47 /* / */ && head.uri.includes('://')) {
    const r = checkAuthority(head, host);
    if (r !== null) return r;
  }
  if (connTokens !== null) {
    const t = connTokens.toLowerCase();
    if (containsToken(t, 'close')) head.keepAlive = false;
    else if (head.version === '1.0' && containsToken(t, 'keep-alive') && !head.closeAfter) head.keepAlive = true;
    // a WebSocket handshake must carry its key (HAProxy's h1_search_websocket_key), else the request is refused
    if (!wsKey && upgrade !== null && containsToken(t, 'upgrade') && isWebSocket(upgrade)) {
      return { error: 'missing or invalid websocket key', at: 0 };
    }
  }
  return head;
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', https: ':443' };

// An absolute-form target: its authority (userinfo aside) must name the Host header's host, each without the
// scheme's default port, which is also dropped from the target sent on (HAProxy 2.6's scheme-based normalization).
function checkAuthority(head: RequestHead, host: string | null): HeadError | null {
  const uri = head.uri;
  const sep = uri.indexOf('://');
  const scheme = uri.slice(0, sep).toLowerCase();
  let end = sep + 3;
  while (end < uri.length && uri[end] !== '/' && uri[end] !== '?' && uri[end] !== '#') end++;
  const raw = uri.slice(sep + 3, end);
  let authority = raw.slice(raw.lastIndexOf('@') + 1).toLowerCase();
  const dflt = DEFAULT_PORTS[scheme];
  if (dflt !== undefined && authority.endsWith(dflt)) {
    authority = authority.slice(0, -dflt.length);
    head.setUri(uri.slice(0, end - dflt.length) + uri.slice(end));
  }
  if (host === null) return null;
  const h = dflt !== undefined && host.endsWith(dflt) ? host.slice(0, -dflt.length) : host;
  return h === authority ? null : { error: 'Host header differs from the authority of the target', at: 0 };
}

// Several Content-Length values (comma lists or repeated headers) must all agree, as RFC 7230 3.3.2 requires.
function mergeContentLength(prev: number, value: string): number {
  let result = prev;
  for (const part of value.split(',')) {
    const v = part.trim();
    if (v.length === 0 || v.length > 15) return -1;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
    }
    const n = Number(v);
    if (result >= 0 && n !== result) return -1;
    result = n;
  }
  return result;
}

// "websocket" as one of the Upgrade header's comma-separated protocols, in any case (h1_parse_upgrade_header).
function isWebSocket(upgrade: string): boolean {
  return upgrade.split(',').some((w) => w.trim().toLowerCase() === 'websocket');
}

export function containsToken(list: string, token: string): boolean {
  let i = list.indexOf(token);
  while (i >= 0) {
    const before = i === 0 ? 44 : list.charCodeAt(i - 1);
    const after = i + token.length >= list.length ? 44 : list.charCodeAt(i + token.length);
    if ((before === 44 || before === 32 || before === 9) && (after === 44 || after === 32 || after === 9)) return true;
    i = list.indexOf(token, i + 1);
  }
  return false;
}

function trimOws(s: string, from: number, to: number): string {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++;
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--;
  return s.slice(from, to);
}
