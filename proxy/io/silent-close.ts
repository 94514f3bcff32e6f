// Closing a server connection whose exchange is over the way HAProxy does (http_end_txn_clean_session sets
// NOLINGER; the idle pool's refusal kills the connection): SO_LINGER 0, an RST instead of a FIN. The server sees
// ECONNRESET, as behind HAProxy, and no TIME_WAIT stays on our side. Under `Connection: close` load every request
// opens a server connection; with a FIN each left a TIME_WAIT socket on our ephemeral ports, and connect() then
// searched past tens of thousands of them (it was ~15% of the engine's CPU in that benchmark).
import net from 'node:net';
import tls from 'node:tls';

export function closeSilently(sock: net.Socket): void {
  // resetAndDestroy needs the TCP handle itself; a TLS connection, and a stream that only looks like a socket
  // (proto h2's server connection), end the ordinary way
  if (!(sock instanceof net.Socket) || sock instanceof tls.TLSSocket || sock.destroyed || sock.connecting) sock.destroy();
  else sock.resetAndDestroy();
}
