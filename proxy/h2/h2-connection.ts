// HTTP/2 on the client side (ALPN h2 on a TLS bind, or the preface on a clear-text one), framed by node:http2:
// each stream becomes a StreamSocket that an HttpSession serves like a one-request HTTP/1.1 connection.
import http2 from 'node:http2';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { tlsView, type TlsView } from '../tls/tls-info.ts';
import { StreamSocket, type StreamEnds } from './stream-socket.ts';

// HAProxy 2.6 announces 100 concurrent streams per connection (tune.h2.max-concurrent-streams).
const SETTINGS: http2.Settings = { maxConcurrentStreams: 100, enablePush: false };

// Module state on purpose: a framing server holding no config (it only turns sockets into sessions), shared by
// every engine in the process.
let server: http2.Http2Server | null = null;

// Runs HTTP/2 on `sock` (`head`: bytes already read from it); `serve` starts a session for each stream.
export function serveH2(sock: net.Socket, head: Buffer | null, serve: (stream: net.Socket) => void): void {
  const view: TlsView | undefined = sock instanceof tls.TLSSocket ? tlsView(sock) : undefined;
  const ends: StreamEnds = {
    remoteAddress: sock.remoteAddress ?? '', remotePort: sock.remotePort ?? 0,
    localAddress: sock.localAddress ?? '', localPort: sock.localPort ?? 0, tlsView: view,
  };
  // node:http2 reads a socket's handle directly, so bytes already read (the clear-text preface, or what TLS
  // decrypted before we got here) are handed over through a stream
  const carrier: Duplex = prefixed(sock, head ?? Buffer.alloc(0));
  // one framing server for every connection: it only turns sockets into sessions
  server ??= http2.createServer({ settings: SETTINGS });
  // the session is made synchronously while the server handles 'connection' (session.socket is a proxy, not ours)
  const onSession = (session: http2.ServerHttp2Session): void => {
    session.on('stream', (stream, headers) => serve(new StreamSocket(ends, stream, headers) as unknown as net.Socket));
    session.on('error', () => sock.destroy());
  };
  server.once('session', onSession);
  server.emit('connection', carrier);
  server.off('session', onSession);
}

// The socket as a Duplex that first gives out `head` (the preface already read) and then the socket's bytes.
function prefixed(sock: net.Socket, head: Buffer): Duplex {
  const d = new Duplex({
    allowHalfOpen: false,
    read() {
      sock.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      sock.write(chunk, cb);
    },
    final(cb) {
      sock.end();
      cb();
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  if (head.length > 0) d.push(head);
  sock.on('data', (c: Buffer) => {
    if (!d.push(c)) sock.pause();
  });
  sock.on('end', () => d.push(null));
  sock.on('close', () => d.destroy());
  sock.on('error', () => d.destroy());
  return d;
}
