// HAProxy 2.6's own answers (src/http.c http_err_msgs): the same status lines and bodies, so what learners see
// from the lab matches what they will see from HAProxy.
import { cleanConnection, isCloseOrKeepAlive } from './header-scan.ts';

const PAGES: Record<number, [reason: string, text: string]> = {
  200: ['OK', 'Service ready.'],
  400: ['Bad request', 'Your browser sent an invalid request.'],
  401: ['Unauthorized', 'You need a valid user and password to access this content.'],
  403: ['Forbidden', 'Request forbidden by administrative rules.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: ['Method Not Allowed', 'A request was made of a resource using a request method not supported by that resource'],
  407: ['Unauthorized', 'You need a valid user and password to access this content.'],
  408: ['Request Time-out', "Your browser didn't send a complete request in time."],
  410: ['Gone', 'The resource is no longer available and will not be available again.'],
  413: ['Payload Too Large', 'The request entity exceeds the maximum allowed.'],
  421: ['Misdirected Request', 'Request sent to a non-authoritative server.'],
  425: ['Too Early', 'Your browser sent early data.'],
  429: ['Too Many Requests', 'You have sent too many requests in a given amount of time.'],
  500: ['Internal Server Error', 'An internal server error occurred.'],
  501: ['Not Implemented', '.The server does not support the functionality required to fulfill the request.'],
  502: ['Bad Gateway', 'The server returned an invalid or incomplete response.'],
  503: ['Service Unavailable', 'No server is available to handle this request.'],
  504: ['Gateway Time-out', "The server didn't respond in time."],
};

/** The reason phrase HAProxy uses for its own status codes (and for return/redirect). */
export function reasonPhrase(status: number): string {
  const page = PAGES[status];
  if (page) return page[0];
  return STANDARD_REASONS[status] ?? 'Other';
}

const STANDARD_REASONS: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 201: 'Created', 202: 'Accepted', 204: 'No Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect',
  308: 'Permanent Redirect', 409: 'Conflict', 411: 'Length Required', 414: 'URI Too Long', 415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large', 505: 'HTTP Version Not Supported',
};

export function hasStatusPage(status: number): boolean {
  return status in PAGES;
}

/** The HTML body of HAProxy's built-in page for a status. */
export function statusPageBody(status: number): string {
  return body(status);
}

function body(status: number): string {
  const [reason, text] = PAGES[status] ?? [reasonPhrase(status), ''];
  return `<html><body><h1>${status} ${reason}</h1>\n${text}\n</body></html>\n`;
}

// HAProxy counts bytes (%B, stats bout) as the size of the HTX message, not the wire bytes: the start line as a
// 20-byte struct plus its three words, each header as name+value (Connection excluded), one byte for the end of
// headers, then the payload. Matching it keeps our logs' byte counts equal to HAProxy's.
export function htxSize(status: number, reason: string, headers: readonly string[], payload: number): number {
  let n = 20 + 8 + String(status).length + reason.length + 1 + payload;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection') {
      // HTX keeps the header only for tokens other than close and keep-alive (a 101's "Upgrade")
      const v = headers[i + 1]!;
      if (isCloseOrKeepAlive(v)) continue; // the usual case, quickly
      const kept = cleanConnection(v);
      if (kept !== null) n += name.length + kept.length;
      continue;
    }
    n += name.length + headers[i + 1]!.length;
  }
  return n;
}

// The HTX size of one of HAProxy's own error pages.
export function statusPageSize(status: number): number {
  const b = Buffer.byteLength(body(status));
  // HAProxy's 408 message carries its own "Connection: close", which HTX keeps and counts (measured: 232 bytes)
  const own = status === 408 ? ['connection', 'close'] : [];
  return htxSize(status, reasonPhrase(status), ['content-length', String(b), 'cache-control', 'no-cache', 'content-type', 'text/html'], b) + (own.length > 0 ? own[0]!.length + own[1]!.length : 0);
}

// HAProxy's built-in pages depend only on the status and the close flag: one copy per process.
const cache = new Map<string, Buffer>();

// An error page as HAProxy sends it through HTX: lowercase header names, "connection: close" only when closing.
export function statusPage(status: number, close: boolean): Buffer {
  const key = `${status}:${close}`;
  let buf = cache.get(key);
  if (!buf) {
    const b = body(status);
    buf = Buffer.from(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-length: ${Buffer.byteLength(b)}\r\n` +
        `cache-control: no-cache\r\ncontent-type: text/html\r\n${close ? 'connection: close\r\n' : ''}\r\n${b}`,
      'latin1',
    );
    cache.set(key, buf);
  }
  return buf;
}

// The raw 400 HAProxy's H1 multiplexer writes for a request it could not parse (original header case, closes).
export function rawBadRequest(): Buffer {
  return RAW_400;
}

const RAW_400 = Buffer.from(
  'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\n' +
    'Content-Type: text/html\r\n\r\n' + body(400),
  'latin1',
);

// The raw 408 for a client that did not send a complete request head in time.
export function rawRequestTimeout(): Buffer {
  return RAW_408;
}

const RAW_408 = Buffer.from(
  `HTTP/1.1 408 Request Time-out\r\nContent-length: ${Buffer.byteLength(body(408))}\r\nCache-Control: no-cache\r\n` +
    'Connection: close\r\nContent-Type: text/html\r\n\r\n' + body(408),
  'latin1',
);
