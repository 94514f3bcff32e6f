// The server side of an HTTP exchange: an idle pooled connection (http-reuse) or a new one (TLS, PROXY header,
// SO_KEEPALIVE) under the connect timeout, then the server timeout, and what the connection's failures mean:
// retries and redispatch, or the 502/503/504 the client gets in place of a response.
import type { ServerState } from '../server/server-state.ts';
import type { LiveBackend } from '../live/live-backend.ts';
import type { SessionHost } from '../live/session-host.ts';
import { planRetry } from '../stream/retry-policy.ts';
import { withServerTls } from '../tls/server-tls.ts';
import type { TlsView } from '../tls/tls-info.ts';
import { serverPreface, type ProxiedAddresses } from '../io/proxy-protocol.ts';
import type net from 'node:net';
import { H2ServerSocket } from '../h2/server-h2-socket.ts';
import { ServerConn, type Txn } from './exchange.ts';
import { mayReuse } from './server-reuse.ts';
import { persistenceRedispatch } from './persistence-hooks.ts';

/** What the server side needs of the client connection (http-session.ts) whose exchange it serves. */
export interface ServerSideSession extends ProxiedAddresses {
  readonly host: SessionHost;
  /** The client connection's TLS (what send-proxy-v2's TLVs carry). */
  readonly tls: TlsView | undefined;
  /** The exchange in progress: an event of any other is late and ignored. */
  readonly current: Txn | null;
  /** Whether the exchange carries the client connection's first request (http-reuse). */
  readonly firstRequest: boolean;
  /** What an idle server connection's owner is compared with (http-reuse never/safe): the client connection. */
  readonly reuseOwner: object;
  sendRequest(t: Txn, conn: ServerConn): void;
  assign(t: Txn, avoid: ServerState | undefined): void;
  answerStatus(t: Txn, status: number): void;
  failResponse(t: Txn, status: number): void;
  abort(t: Txn): void;
  finish(t: Txn, serverGone?: boolean): void;
}

export function useServer(s: ServerSideSession, t: Txn, server: ServerState): void {
  const be = t.backend!;
  t.server = server;
  if (t.tAssigned < 0) t.tAssigned = Date.now();
  be.take(server);
  const idle = be.takeIdleWhere(server, (c) => mayReuse(be.spec, s.firstRequest, c as ServerConn, s.reuseOwner)) as ServerConn | undefined;
  if (idle) {
    idle.reused = true;
    connected(s, t, idle);
    return;
  }
  connect(s, t, server);
}

// A new connection to the server, under the backend's connect timeout.
function connect(s: ServerSideSession, t: Txn, server: ServerState): void {
  const be = t.backend!;
  const target = withPreface(withServerTls(s.host.addressOf(server), server.spec, t.ctx), server, be, s);
  // proto h2: the connection speaks HTTP/2, the exchange still reads and writes HTTP/1.1
  const conn = new ServerConn(server.spec.proto === 'h2' ? { stream: new H2ServerSocket(target) as unknown as net.Socket } : target, server, be);
  conn.txn = t;
  t.conn = conn;
  conn.sock.setTimeout(be.spec.timeouts.connect ?? 0);
  conn.sock.once(conn.reads.connectEvent, () => {
    if (t.conn === conn && s.current === t) connected(s, t, conn);
  });
}

// server ... send-proxy / send-proxy-v2: the client's addresses go first, in a PROXY header
// option srvtcpka: SO_KEEPALIVE on it too
function withPreface<A extends object>(addr: A, server: ServerState, be: LiveBackend, client: ServerSideSession): A {
  const preface = serverPreface(server.spec, client);
  const keepAlive = be.spec.options.srvTcpKa === true;
  return preface || keepAlive ? { ...addr, ...(preface ? { preface } : {}), ...(keepAlive ? { keepAlive } : {}) } : addr;
}

function connected(s: ServerSideSession, t: Txn, conn: ServerConn): void {
  conn.txn = t;
  t.conn = conn;
  if (t.tConnected < 0) t.tConnected = Date.now();
  conn.server.observer?.('L4_OK');
  // %si:%sp and %bi:%bp name the two ends of the server connection; read (getsockname and getpeername, two
  // system calls a connection) only when a log line will print them
  const sock = conn.sock;
  if (logsThisExchange(s, t) && sock.remoteAddress) t.serverEnds = { local: { ip: sock.localAddress ?? '', port: sock.localPort ?? 0 }, remote: { ip: sock.remoteAddress, port: sock.remotePort ?? 0 } };
  // an idle pooled connection keeps its server timeout too: it bounds how long it may sit unused
  // back_establish: a set-timeout value stays, else the backend's timeouts become the stream's
  const own = t.timeouts;
  const beTimeouts = t.backend!.spec.timeouts;
  if (!own.server && beTimeouts.server) own.server = beTimeouts.server;
  if (!own.tunnel && beTimeouts.tunnel) own.tunnel = beTimeouts.tunnel;
  setServerTimeout(conn, own.server ?? 0);
  s.sendRequest(t, conn);
}

function logsThisExchange(s: ServerSideSession, t: Txn): boolean {
  const spec = t.fe.spec;
  return (spec.options.httplog === true || spec.logFormat !== undefined) && s.host.wantsLog(spec, t.detailed);
}

/** Socket timeouts are timer-list operations: one changes only when its value does. */
export function setServerTimeout(conn: ServerConn, ms: number): void {
  if (conn.timeoutMs !== ms) {
    conn.timeoutMs = ms;
    conn.sock.setTimeout(ms);
  }
}

function connectFailed(s: ServerSideSession, t: Txn, conn: ServerConn, immediate: boolean): void {
  const be = t.backend!;
  const server = t.server!;
  server.failedConnects++;
  server.observer?.('L4_ERR');
  t.conn = null;
  conn.txn = null;
  conn.sock.destroy();
  be.drop(server);
  const plan = planRetry(be, server, t.retries, immediate, t.cookie ?? undefined);
  if (plan.giveUp) {
    // the log still names the server that refused
    t.failedServer = server;
    t.server = null;
    t.termination = immediate ? 'SC--' : 'sC--';
    s.answerStatus(t, 503);
    return;
  }
  t.server = null;
  t.retries++;
  const retry = () => {
    if (s.current !== t) return;
    if (plan.redispatch) {
      t.redispatched = true;
      persistenceRedispatch(t, server, () => s.assign(t, server));
    } else useServer(s, t, server);
  };
  if (plan.delayMs > 0) setTimeout(retry, plan.delayMs);
  else retry();
}

export function serverClosed(s: ServerSideSession, conn: ServerConn, readError = false): void {
  const t = conn.txn;
  if (!t || s.current !== t) return;
  if (t.tunnel) {
    // the server ended the tunnel: what it sent is already on its way to the client, which is closed after it
    t.reqDone = true;
    t.respDone = true;
    conn.txn = null;
    t.conn = null;
    conn.sock.destroy();
    s.finish(t, true);
    return;
  }
  if (t.tConnected < 0) {
    connectFailed(s, t, conn, true);
    return;
  }
  if (t.resp === null) {
    if (conn.reused && (t.respBuf === null || t.respBuf.length === 0)) {
      // an idle connection the server had already closed: try again on a fresh one, invisibly
      retryFresh(s, t, conn);
      return;
    }
    t.server?.observer?.(readError ? 'HTTP_READ_ERROR' : 'HTTP_BROKEN_PIPE');
    t.termination = 'SH--';
    s.failResponse(t, 502);
    return;
  }
  if (t.resp.framing === 'close') {
    t.respDone = true;
    t.closeClient = true;
    conn.txn = null;
    t.conn = null;
    s.finish(t, true);
    return;
  }
  if (!t.respDone) {
    t.termination = 'SD--';
    s.abort(t);
  }
}

export function serverError(s: ServerSideSession, conn: ServerConn, err: NodeJS.ErrnoException): void {
  const t = conn.txn;
  if (!t || s.current !== t) return;
  if (t.tConnected < 0) {
    // a failed TLS handshake with the server is a connection error too (HAProxy: SC)
    connectFailed(s, t, conn, err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || conn.reads.connectEvent === 'secureConnect');
    return;
  }
  serverClosed(s, conn, true);
}

export function serverTimeout(s: ServerSideSession, conn: ServerConn): void {
  const t = conn.txn;
  if (!t || s.current !== t) return;
  if (t.tConnected < 0) {
    connectFailed(s, t, conn, false);
    return;
  }
  if (t.resp === null) {
    t.server?.observer?.('HTTP_READ_TIMEOUT');
    t.termination = 'sH--';
    s.failResponse(t, 504);
    return;
  }
  t.termination = 'sD--';
  s.abort(t);
}

function retryFresh(s: ServerSideSession, t: Txn, conn: ServerConn): void {
  const be = t.backend!;
  const server = t.server!;
  conn.txn = null;
  t.conn = null;
  if (!t.reqDone && t.req.hasBody) {
    t.termination = 'SH--';
    s.failResponse(t, 502);
    return;
  }
  be.drop(server);
  t.tConnected = -1;
  be.take(server);
  connect(s, t, server);
}
