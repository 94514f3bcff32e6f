// A proxy's own error pages (errorfile, errorloc, errorloc302, errorloc303): what HAProxy sends instead of its
// built-in page for a status it answers itself (src/http_htx.c). The log keeps the status being answered, even
// when the page carries another one (an errorloc's 302).
import { htxSize } from './status-pages.ts';

export interface ErrorPage {
  /** Status line and headers as HAProxy re-emits them, without the blank line. */
  readonly head: string;
  readonly body: Buffer;
  /** HTX size, as %B counts it. */
  readonly size: number;
  /** No content-length: the client connection closes after the page. */
  readonly closes: boolean;
}

type Parsed = { version: string; status: number; reason: string; headers: string[]; body: Buffer } | { offset: number };

/** A response as written in an errorfile: status line, headers (names lower-cased), then the payload. */
export function parseRawResponse(data: Buffer): Parsed {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { offset: 0 };
  const lines = text.slice(0, end).split('\r\n');
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (!m) return { offset: 0 };
  const headers: string[] = [];
  let offset = lines[0]!.length + 2;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) return { offset };
    headers.push(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    offset += line.length + 2;
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers, body: data.subarray(end + 4) };
}

// An errorfile's bytes as a page; the error text (without "errorfile : ") when HAProxy would refuse the file.
export function errorPageFromFile(file: string, data: Buffer): ErrorPage | string {
  const parsed = parseRawResponse(data);
  if ('offset' in parsed) return `'${file}': unable to parse headers (error offset: ${parsed.offset})`;
  const { version, status, reason, headers, body } = parsed;
  const cl = headers.findIndex((h, k) => k % 2 === 0 && h === 'content-length');
  if (cl >= 0 && Number(headers[cl + 1]) !== body.length) {
    return `'${file}': payload size does not match the announced content-length (${body.length} != ${headers[cl + 1]})`;
  }
  let head = `${version} ${status} ${reason}`;
  // the connection header is the H1 layer's: HAProxy drops it from the page (Debian's files say "close")
  for (let k = 0; k < headers.length; k += 2) if (headers[k] !== 'connection') head += `\r\n${headers[k]}: ${headers[k + 1]}`;
  return { head, body, size: htxSize(status, reason, headers, body.length), closes: cl < 0 };
}

// errorloc/errorloc302/errorloc303: an empty redirect to the URL.
export function errorPageRedirect(code: 302 | 303, url: string): ErrorPage {
  const reason = code === 302 ? 'Found' : 'See Other';
  const headers = ['cache-control', 'no-cache', 'content-length', '0', 'location', url];
  let head = `HTTP/1.1 ${code} ${reason}`;
  for (let k = 0; k < headers.length; k += 2) head += `\r\n${headers[k]}: ${headers[k + 1]}`;
  return { head, body: Buffer.alloc(0), size: htxSize(code, reason, headers, 0), closes: false };
}

/** The page on the wire, with "connection: close" when the client connection ends after it. */
export function errorPageWire(page: ErrorPage, close: boolean): Buffer {
  return Buffer.concat([Buffer.from(`${page.head}\r\n${close ? 'connection: close\r\n' : ''}\r\n`, 'latin1'), page.body]);
}
