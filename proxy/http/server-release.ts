// What becomes of an exchange's server connection when the exchange lets it go: pooled for reuse, closed
// politely, or destroyed.
import { closeSilently } from '../io/silent-close.ts';
import type { Txn } from './exchange.ts';
import type { ClientConnection } from '../stream/client-connection.ts';

/** option http-server-close / httpclose in the frontend or the backend: the server side closes after each exchange. */
export function closesServerSide(t: Txn): boolean {
  const be = t.backend!;
  return be.spec.options.httpServerClose === true || t.fe.spec.options.httpServerClose === true || be.spec.options.httpClose === true;
}

/** Destroys the exchange's server connection (its response is not wanted any more). */
export function dropServer(t: Txn): void {
  const conn = t.conn;
  if (conn) {
    conn.txn = null;
    conn.sock.destroy();
    t.conn = null;
  }
}

/** The exchange ended: its server connection goes idle for `owner` (the client connection) when reusable. */
export function releaseServer(t: Txn, owner: ClientConnection, serverGone: boolean): void {
  const conn = t.conn;
  if (!conn) return;
  const be = t.backend;
  const server = t.server;
  conn.txn = null;
  t.conn = null;
  // a connection that carried a PROXY header speaks for this client only: it is not pooled
  const keep = !serverGone && t.resp?.reusable === true && t.reqDone && t.respDone && !conn.sock.destroyed && !server!.spec.sendProxy &&
    !closesServerSide(t) && !t.serverClosedByRule;
  if (keep) {
    conn.reused = false;
    conn.owner = owner;
    conn.requests++;
    const priv = be!.spec.options.httpReuse === 'never' || server!.dispatch;
    if (!be!.putIdle(server!, conn, priv)) closeSilently(conn.sock);
    else if (priv) owner.holdPrivate(conn);
  } else if (t.reqDone && t.respDone && !serverGone) closeSilently(conn.sock);
  else conn.sock.destroy();
}
