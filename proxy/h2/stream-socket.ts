// One HTTP/2 stream seen as a connection carrying one HTTP/1.1 exchange: the request is written to it as HTTP/1.1
// bytes, and the HTTP/1.1 response the session writes back is turned into the stream's HEADERS and DATA. The rules,
// balancers, retries and logs then see an HTTP/2 request exactly as HAProxy's HTX turns it into one message.
import { Duplex } from 'node:stream';
import type { ServerHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { TlsView } from '../tls/tls-info.ts';
import { findHeadEnd } from '../http/request-head.ts';
import { parseResponseHead, type ResponseHead } from '../http/response-head.ts';
import { ChunkedScanner, ChunkPart } from '../http/chunked.ts';

/** Connection-specific headers HTTP/2 forbids (RFC 9113 8.2.2). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export interface StreamEnds {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly tlsView: TlsView | undefined;
}

// The request as HTTP/1.1 bytes: origin-form target, Host from :authority, chunked when the length is unknown.
export function h1Request(headers: IncomingHttpHeaders, hasBody: boolean): { head: string; chunked: boolean; uri: string } {
  const method = String(headers[':method'] ?? 'GET');
  const path = String(headers[':path'] ?? '/');
  const authority = headers[':authority'] !== undefined ? String(headers[':authority']) : undefined;
  const scheme = String(headers[':scheme'] ?? 'http');
  let head = `${method} ${path} HTTP/1.1\r\n`;
  if (authority !== undefined && headers.host === undefined) head += `host: ${authority}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${v}\r\n`;
  }
  const chunked = hasBody && headers['content-length'] === undefined;
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  // HAProxy logs an HTTP/2 request with its absolute URI
  const uri = authority !== undefined && method !== 'CONNECT' ? `${scheme}://${authority}${path}` : path;
  return { head: head + '\r\n', chunked, uri };
}

/** A Duplex that looks enough like a net.Socket for an HttpSession: addresses, timeouts, cork, destroySoon. */
export class StreamSocket extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly tlsView: TlsView | undefined;
  /** What the log's request line shows as the target ("https://host/path"), with HTTP/2.0. */
  readonly h2Uri: string;
  private timer: NodeJS.Timeout | null = null;
  private timeoutMs = 0;
  private out: Buffer | null = null;
  private resp: ResponseHead | null = null;
  private left = 0;
  private chunks: ChunkedScanner | null = null;
  private finished = false;

  constructor(ends: StreamEnds, private readonly stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    super({ allowHalfOpen: true });
    this.remoteAddress = ends.remoteAddress;
    this.remotePort = ends.remotePort;
    this.localAddress = ends.localAddress;
    this.localPort = ends.localPort;
    this.tlsView = ends.tlsView;
    const hasBody = !stream.endAfterHeaders;
    const req = h1Request(headers, hasBody);
    this.h2Uri = req.uri;
    this.push(Buffer.from(req.head, 'latin1'));
    if (hasBody) {
      stream.on('data', (d: Buffer) => {
        this.touch();
        if (!this.push(req.chunked ? Buffer.concat([Buffer.from(`${d.length.toString(16)}\r\n`), d, Buffer.from('\r\n')]) : d)) stream.pause();
      });
      stream.on('end', () => {
        if (req.chunked) this.push(Buffer.from('0\r\n\r\n'));
      });
    }
    stream.on('close', () => {
      if (!this.finished) this.destroy();
    });
    stream.on('error', () => this.destroy());
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.touch();
    return this;
  }

  private touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.timeoutMs > 0 ? setTimeout(() => this.emit('timeout'), this.timeoutMs) : null;
  }

  destroySoon(): void {
    this.end();
  }

  override _read(): void {
    this.stream.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.touch();
    this.onResponseBytes(chunk);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finish();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.finished && !this.stream.destroyed) this.stream.close(2); // INTERNAL_ERROR: the exchange broke off
    cb(err);
  }

  private onResponseBytes(chunk: Buffer): void {
    if (this.finished) return;
    if (!this.resp) {
      this.out = this.out ? Buffer.concat([this.out, chunk]) : chunk;
      const end = findHeadEnd(this.out);
      if (end < 0) return;
      const head = parseResponseHead(this.out, end, false);
      const rest = this.out.subarray(end);
      this.out = null;
      if (typeof head === 'string') return void this.destroy();
      if (head.status < 200) return this.onResponseBytes(rest); // 1xx: nothing to send on
      this.resp = head;
      const h: Record<string, string | string[] | number> = { ':status': head.status };
      for (let i = 0; i < head.headers.length; i += 2) {
        const name = head.headers[i]!.toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        const prev = h[name];
        h[name] = prev === undefined ? head.headers[i + 1]! : [...(Array.isArray(prev) ? prev : [String(prev)]), head.headers[i + 1]!];
      }
      const noBody = head.framing === 'none' || (head.framing === 'length' && head.contentLength === 0);
      this.stream.respond(h, { endStream: noBody });
      if (noBody) return this.finish();
      if (head.framing === 'length') this.left = head.contentLength;
      if (head.framing === 'chunked') this.chunks = new ChunkedScanner();
      if (rest.length > 0) this.onBody(rest);
      return;
    }
    this.onBody(chunk);
  }

  private onBody(buf: Buffer): void {
    const r = this.resp!;
    if (r.framing === 'length') {
      const part = buf.length > this.left ? buf.subarray(0, this.left) : buf;
      this.left -= part.length;
      this.stream.write(Buffer.from(part));
      if (this.left === 0) this.finish();
    } else if (this.chunks) {
      const scanner = this.chunks;
      scanner.scan(buf, 0, (kind, start, end) => {
        if (kind === ChunkPart.Data) this.stream.write(Buffer.from(buf.subarray(start, end)));
      });
      if (scanner.done) this.finish();
    } else this.stream.write(Buffer.from(buf));
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.stream.destroyed && this.resp) this.stream.end();
    // the exchange is over: the session sees its client leave
    this.push(null);
  }
}
