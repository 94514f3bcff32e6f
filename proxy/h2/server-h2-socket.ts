// "server ... proto h2": one connection to the server speaking HTTP/2 (prior knowledge in clear text, or over TLS
// where ALPN is what `alpn h2` offers), seen by the exchange as a connection carrying HTTP/1.1. The request head
// and body the exchange writes become one stream's HEADERS and DATA as HAProxy's h2 mux builds them
// (h2s_bck_make_req_headers: `:scheme` https unless the target was an absolute http URI, `:authority` only from an
// absolute URI, Host kept as a header, connection-specific headers dropped, TE kept only as "trailers"); the
// stream's response comes back as an HTTP/1.1 response head and body for the exchange's parser. Each request is a
// new stream on the same connection, so the connection is pooled and reused as an HTTP/1.1 one is.
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ChunkedScanner, ChunkPart } from '../http/chunked.ts';
import { findHeadEnd } from '../http/request-head.ts';

const DROPPED = new Set(['connection', 'proxy-connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'host']);

export interface H2ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly tls?: tls.ConnectionOptions;
  readonly preface?: Buffer;
  readonly keepAlive?: boolean;
}

interface PendingRequest {
  body: 'none' | 'length' | 'chunked';
  left: number;
  chunks: ChunkedScanner | null;
  stream: http2.ClientHttp2Stream;
}

/** The HTTP/2 request headers for an HTTP/1.1 request head, as HAProxy's h2 mux encodes them. */
export function h2RequestHeaders(head: string): { headers: http2.OutgoingHttpHeaders; method: string; body: 'none' | 'length' | 'chunked'; length: number } {
  const lines = head.split('\r\n');
  const [method = 'GET', target = '/'] = lines[0]!.split(' ');
  let path = target;
  let scheme = 'https';
  let authority: string | undefined;
  const abs = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(.*)$/.exec(target);
  if (abs) {
    scheme = abs[1]!;
    authority = abs[2]!;
    path = abs[3]!;
  }
  if (path === '') path = method === 'OPTIONS' ? '*' : '/';
  const headers: http2.OutgoingHttpHeaders = { ':method': method, ':scheme': scheme, ...(authority !== undefined ? { ':authority': authority } : {}), ':path': path };
  let body: 'none' | 'length' | 'chunked' = 'none';
  let length = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    let value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding' && /chunked/i.test(value)) body = 'chunked';
    if (name === 'content-length') {
      length = Number(value);
      if (body === 'none' && length > 0) body = 'length';
    }
    if (DROPPED.has(name) && (name !== 'host' || authority !== undefined)) continue;
    if (name === 'te') {
      const at = value.indexOf('trailers');
      if (at < 0 || (value.length > at + 8 && value[at + 8] !== ',')) continue;
      value = 'trailers';
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value];
  }
  return { headers, method, body, length };
}

/** A Duplex that looks enough like a server socket for an exchange: HTTP/1.1 in and out, HTTP/2 on the wire. */
export class H2ServerSocket extends Duplex {
  private readonly raw: net.Socket;
  private session: http2.ClientHttp2Session | null = null;
  private head: Buffer | null = null;
  private req: PendingRequest | null = null;
  private gone = false;

  constructor(target: H2ServerTarget) {
    super({ allowHalfOpen: true });
    const common = { host: target.host, port: target.port, noDelay: true, keepAlive: target.keepAlive ?? false };
    this.raw = target.tls ? tls.connect({ ...target.tls, ...common }) : net.connect(common);
    if (target.preface && !target.tls) this.raw.write(target.preface);
    this.raw.once(target.tls ? 'secureConnect' : 'connect', () => this.up());
    this.raw.on('error', (err) => this.fail(err));
    this.raw.on('close', () => this.fail(null));
    this.raw.on('timeout', () => this.emit('timeout'));
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }
  get localAddress(): string | undefined {
    return this.raw.localAddress;
  }
  get localPort(): number | undefined {
    return this.raw.localPort;
  }
  get readyState(): string {
    return this.gone ? 'closed' : this.raw.readyState;
  }

  setTimeout(ms: number): this {
    this.raw.setTimeout(ms);
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  destroySoon(): void {
    this.destroy();
  }

  private up(): void {
    const session = http2.connect(`http://${this.raw.remoteAddress}:${this.raw.remotePort}`, { createConnection: () => this.raw });
    this.session = session;
    session.on('error', (err) => this.fail(err));
    session.on('close', () => this.fail(null));
    session.on('goaway', () => this.fail(null));
    this.emit('connect');
  }

  private fail(err: Error | null): void {
    if (this.gone) return;
    this.gone = true;
    if (err) this.emit('error', err);
    this.push(null);
    this.destroy();
  }

  override _read(): void {
    // stream data is pushed as it comes; back-pressure pauses the stream (below)
    this.req?.stream.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.session || this.gone) return cb();
    if (this.req && this.req.body !== 'none' && this.head === null) {
      this.onBody(chunk);
      return cb();
    }
    this.head = this.head ? Buffer.concat([this.head, chunk]) : Buffer.from(chunk);
    const end = findHeadEnd(this.head);
    if (end < 0) return cb();
    const headText = this.head.subarray(0, end).toString('latin1');
    const rest = this.head.subarray(end);
    this.head = null;
    this.startRequest(headText);
    if (rest.length > 0) this.onBody(rest);
    cb();
  }

  private startRequest(headText: string): void {
    const { headers, method, body, length } = h2RequestHeaders(headText);
    const stream = this.session!.request(headers, { endStream: body === 'none' });
    const req: PendingRequest = { body, left: length, chunks: body === 'chunked' ? new ChunkedScanner() : null, stream };
    this.req = req;
    const bodyless = method === 'HEAD';
    let chunked = false;
    stream.on('response', (h) => {
      const status = Number(h[':status']);
      // HTTP/2 carries no reason phrase, and HAProxy's HTTP/1.1 side sends none either
      let out = `HTTP/1.1 ${status} \r\n`;
      let hasLength = false;
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':') || value === undefined) continue;
        if (name === 'content-length') hasLength = true;
        for (const v of Array.isArray(value) ? value : [value]) out += `${name}: ${v}\r\n`;
      }
      chunked = !hasLength && !bodyless && status !== 204 && status !== 304;
      if (chunked) out += 'transfer-encoding: chunked\r\n';
      this.push(Buffer.from(`${out}\r\n`, 'latin1'));
    });
    stream.on('data', (d: Buffer) => {
      const ok = this.push(chunked ? Buffer.concat([Buffer.from(`${d.length.toString(16).toUpperCase()}\r\n`), d, Buffer.from('\r\n')]) : d);
      if (!ok) stream.pause();
    });
    stream.on('end', () => {
      if (chunked) this.push(Buffer.from('0\r\n\r\n'));
      if (this.req === req) this.req = null;
    });
    // a stream reset before its end: the server broke the exchange off, as a closed HTTP/1.1 connection would
    stream.on('close', () => {
      if (this.req === req && !stream.readableEnded) this.fail(null);
    });
    stream.on('error', () => undefined);
  }

  private onBody(buf: Buffer): void {
    const req = this.req!;
    if (req.body === 'length') {
      const part = buf.length > req.left ? buf.subarray(0, req.left) : buf;
      req.left -= part.length;
      req.stream.write(Buffer.from(part));
      if (req.left === 0) {
        req.body = 'none';
        req.stream.end();
      }
      return;
    }
    const scanner = req.chunks!;
    scanner.scan(buf, 0, (kind, start, end) => {
      if (kind === ChunkPart.Data) req.stream.write(Buffer.from(buf.subarray(start, end)));
    });
    if (scanner.done) {
      req.body = 'none';
      req.stream.end();
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session?.close();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.gone = true;
    this.session?.destroy();
    this.raw.destroy();
    cb(err);
  }
}
