// Sockets that read into a buffer of their own instead of a fresh one per read: server connections, and accepted
// mode tcp client connections (adopt). Per read Node otherwise mallocs 64 KiB, shrinks it and wraps it in a new
// ArrayBuffer and Buffer, and pushes it through the stream's queue and a 'data' event; at hundreds of MiB/s, or
// tens of thousands of small reads a second, that work and the GC it feeds are a large part of the proxy's CPU.
// The price is a rule: a view of that buffer may be handed to another socket only if the bytes leave at once;
// otherwise they are copied, or reading pauses until they are out.
import net from 'node:net';
import tls from 'node:tls';

const READ_SIZE = 64 * 1024;
const EMPTY = Buffer.alloc(0);
// One read buffer for every connection adopted with `copying`: reads run one at a time on this thread and each
// reader copies what it keeps before returning, so no view of it outlives a read (and an idle connection holds
// no buffer, as with Node's own reads).
const SHARED_BUFFER = Buffer.allocUnsafeSlow(READ_SIZE);

export interface OwnedReader {
  /** Called with a view of the connection's buffer, valid until the callback returns. */
  onData(view: Buffer): void;
}

/** Node's private socket field adopt() checks: the libuv handle, which must take a user buffer. */
interface SocketInternals {
  _handle: { useUserBuffer?: unknown } | null;
}

/** Node's private symbols behind a socket's `onread` option (net.js kBuffer, kBufferCb), own properties of every
 *  socket; onStreamRead hands a read to kBufferCb when kBuffer is set. */
interface UserBufferSymbols {
  readonly buffer: symbol;
  readonly callback: symbol;
}

let knownSymbols: UserBufferSymbols | null = null;

// The same two symbols for every socket of the process: looked up on the first one.
function userBufferSymbols(sock: net.Socket): UserBufferSymbols | null {
  if (knownSymbols) return knownSymbols;
  const own = Object.getOwnPropertySymbols(sock);
  const buffer = own.find((x) => x.description === 'kBuffer');
  const callback = own.find((x) => x.description === 'kBufferCb');
  knownSymbols = buffer && callback ? { buffer, callback } : null;
  return knownSymbols;
}

/** A server connection that reads into its own buffer and knows when that buffer is free again. */
export class OwnedReads {
  readonly sock: net.Socket;
  /** The event that says the server can take the request: TCP connected, or the TLS handshake done. */
  readonly connectEvent: 'connect' | 'secureConnect';
  private held = false;
  private readonly release = (): void => {
    if (this.held) {
      this.held = false;
      if (!this.sock.destroyed) this.sock.resume();
    }
  };

  /** Connects to a server; `tls`: the server speaks TLS ("server ... ssl"); the socket then emits decrypted bytes.
   *  `preface`: bytes sent before anything else (a PROXY protocol header, before TLS too).
   *  With `inPlace`, makes an accepted or established connection read into this buffer instead (see adopt). */
  constructor(
    opts:
      | { host: string; port: number; allowHalfOpen?: boolean; tls?: tls.ConnectionOptions; preface?: Buffer; keepAlive?: boolean }
      | { inPlace: net.Socket; symbols: UserBufferSymbols; shared: boolean }
      | { stream: net.Socket },
    private reader: OwnedReader,
  ) {
    this.shared = 'inPlace' in opts && opts.shared;
    if ('stream' in opts) {
      // a socket-like stream with its own framing (HTTP/2 to a server): its chunks are fresh, read as they come
      this.sock = opts.stream;
      this.connectEvent = 'connect';
      this.sock.on('data', (chunk: Buffer) => this.reader.onData(chunk));
      return;
    }
    const onread = {
      buffer: this.shared ? SHARED_BUFFER : Buffer.allocUnsafeSlow(READ_SIZE),
      callback: (n: number, buf: Uint8Array) => {
        this.reader.onData((buf as Buffer).subarray(0, n));
        return !this.held;
      },
    };
    if ('inPlace' in opts) {
      // the socket keeps its identity: only where its reads land changes (what Node's constructor does for onread)
      const t = opts.inPlace as net.Socket & Record<symbol, unknown>;
      t[opts.symbols.buffer] = onread.buffer;
      t[opts.symbols.callback] = onread.callback;
      (t as unknown as { _handle: { useUserBuffer(b: Buffer): void } })._handle.useUserBuffer(onread.buffer);
      this.sock = t;
      this.connectEvent = 'connect';
      return;
    }
    const common = {
      host: opts.host, port: opts.port, noDelay: true, allowHalfOpen: opts.allowHalfOpen ?? false, onread,
      // option srvtcpka / tcpka: SO_KEEPALIVE on the server connection
      keepAlive: opts.keepAlive ?? false,
    };
    if (opts.tls && opts.preface) {
      // a PROXY header goes out in clear before the TLS handshake (send-proxy towards an "ssl" server): TLS runs
      // over a plain connection that carried it first; Node then reads the TLS socket the ordinary way
      const { onread: _unused, ...plain } = common;
      const raw = net.connect(plain);
      raw.write(opts.preface);
      const over = { ...opts.tls, socket: raw, allowHalfOpen: common.allowHalfOpen };
      this.sock = tls.connect(over);
      this.sock.on('data', (d: Buffer) => this.reader.onData(d));
    } else {
      this.sock = opts.tls ? tls.connect({ ...opts.tls, ...common }) : net.connect(common);
      // written at once, it is queued until the connection is up and goes out ahead of the request
      if (opts.preface) this.sock.write(opts.preface);
    }
    this.connectEvent = opts.tls ? 'secureConnect' : 'connect';
  }

  /** An accepted plain TCP connection, set in place to read into a buffer of its own (with `copying`, into one
   *  buffer all such connections share: the reader must copy what it keeps); the reader is set with setReader
   *  before the next I/O turn. The socket stays the one Node accepted (an earlier version moved its handle onto a
   *  second socket made with `onread`, one more socket per connection). Null when Node's internals are not as
   *  expected (TLS, or bytes already read into its stream queue): the caller then reads it the ordinary way. */
  static adopt(accepted: net.Socket, allowHalfOpen: boolean, o: { copying?: boolean } = {}): OwnedReads | null {
    const s = accepted as net.Socket & SocketInternals;
    if (accepted instanceof tls.TLSSocket || !s._handle || typeof s._handle.useUserBuffer !== 'function') return null;
    if (accepted.bytesRead > 0 || accepted.readableLength > 0 || accepted.destroyed) return null;
    const symbols = userBufferSymbols(accepted);
    if (!symbols) return null;
    accepted.allowHalfOpen = allowHalfOpen;
    const early: Buffer[] = [];
    const owned = new OwnedReads({ inPlace: accepted, symbols, shared: o.copying === true }, { onData: (view) => early.push(Buffer.from(view)) });
    owned.early = early;
    return owned;
  }

  /** An established TLS connection (an HTTP session's: `copying`), set in place to read its decrypted bytes into the
   *  buffer copying adoptions share, as a clear-text one does: Node otherwise allocates a Buffer per TLS record read
   *  and pushes it through the stream's queue. Null when Node's private fields are not as expected, or bytes were
   *  already decrypted into the stream's queue: the caller then reads it the ordinary way. */
  static adoptTls(t: tls.TLSSocket): OwnedReads | null {
    const handle = (t as unknown as SocketInternals)._handle;
    if (!handle || typeof handle.useUserBuffer !== 'function' || t.readableLength > 0 || t.destroyed) return null;
    const syms = userBufferSymbols(t);
    if (!syms) return null;
    return new OwnedReads({ inPlace: t, symbols: syms, shared: true }, { onData: () => {} });
  }

  private early: Buffer[] | null = null;
  /** Reads land in the buffer every `copying` adoption shares: nothing may keep or forward a view of it. */
  private readonly shared: boolean;

  /** Who gets the reads from now on; anything read before (copies) is handed over first. */
  setReader(reader: OwnedReader): void {
    this.reader = reader;
    const early = this.early;
    this.early = null;
    if (early) for (const b of early) reader.onData(b);
  }

  // Writes a view of this connection's buffer to `dest`. Queued bytes must not be overwritten by the next read:
  // if dest already holds data (corked or backed up) the view is copied; if the write leaves some of it queued,
  // reading stops until it is written. Returns what dest.write returned.
  forward(dest: net.Socket, view: Buffer): boolean {
    if (this.shared) throw new Error('OwnedReads.forward: a copying adoption shares its read buffer; copy the view instead');
    if (dest.writableCorked > 0 || dest.writableLength > 0) return dest.write(Buffer.from(view));
    const ok = dest.write(view);
    if (dest.writableLength > 0 && !this.held) {
      // an empty write behind the queued bytes calls back once they are out
      this.held = true;
      this.sock.pause();
      dest.write(EMPTY, this.release);
    }
    return ok;
  }
}
