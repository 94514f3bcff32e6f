// Server sockets read into a buffer of their own instead of a fresh one per read: at hundreds of MiB/s the
// per-read allocations are what keeps V8's major GC busy. The price is a rule: a view of that buffer may be
// handed to a client socket only if the bytes leave at once; otherwise they are copied, or reading pauses
// until they are out.
import net from 'node:net';
import tls from 'node:tls';

const READ_SIZE = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export interface OwnedReader {
  /** Called with a view of the connection's buffer, valid until the callback returns. */
  onData(view: Buffer): void;
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

  /** `tls`: the server speaks TLS ("server ... ssl"); the socket then emits decrypted bytes. */
  /** `preface`: bytes sent before anything else (a PROXY protocol header; clear-text servers only). */
  constructor(opts: { host: string; port: number; allowHalfOpen?: boolean; tls?: tls.ConnectionOptions; preface?: Buffer; keepAlive?: boolean }, reader: OwnedReader) {
    const buffer = Buffer.allocUnsafeSlow(READ_SIZE);
    const common = {
      host: opts.host,
      port: opts.port,
      noDelay: true,
      allowHalfOpen: opts.allowHalfOpen ?? false,
      // option srvtcpka / tcpka: SO_KEEPALIVE on the server connection
      keepAlive: opts.keepAlive ?? false,
      onread: {
        buffer,
        callback: (n: number, buf: Uint8Array) => {
          reader.onData((buf as Buffer).subarray(0, n));
          return !this.held;
        },
      },
    };
    this.sock = opts.tls ? tls.connect({ ...opts.tls, ...common }) : net.connect(common);
    // written at once, it is queued until the connection is up and goes out ahead of the request
    if (opts.preface && !opts.tls) this.sock.write(opts.preface);
    this.connectEvent = opts.tls ? 'secureConnect' : 'connect';
  }

  // Writes a view of this connection's buffer to `dest`. Queued bytes must not be overwritten by the next read:
  // if dest already holds data (corked or backed up) the view is copied; if the write leaves some of it queued,
  // reading stops until it is written. Returns what dest.write returned.
  forward(dest: net.Socket, view: Buffer): boolean {
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
