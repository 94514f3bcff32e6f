// One accepted client connection, as HAProxy's session is (src/session.c): its addresses (a PROXY header's, once
// read), the sess.* variables and the counters its tcp-request connection/session rules track. Every HTTP/2 stream
// of a connection shares it, so those rules run, and the session is counted, once per connection, not per stream.
import type net from 'node:net';
import type { ProxySpec } from '../config/model.ts';
import { normalizeAddress } from '../io/address.ts';
import type { ProxiedAddresses } from '../io/proxy-protocol.ts';
import type { Generation } from '../live/generation.ts';
import type { SampleContext } from '../sample/context.ts';
import { VarStore } from '../sample/vars.ts';
import { countSession, newTrackers, releaseSession, type Trackers } from '../stick/trackers.ts';
import { sessionVerdict } from '../tcp/tcp-request-rules.ts';

export class ClientConnection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** The addresses came from a PROXY header (accept-proxy, expect-proxy). */
  carried = false;
  /** A PROXY header or a TLS handshake came before the session (a refused session is then logged). */
  handshaken = false;
  readonly acceptedAt = Date.now();
  /** sess.* variables: they live as long as the client connection. */
  readonly sessVars = new VarStore('sess');
  /** The counters tcp-request connection/session rules track: they live as long as the client connection. */
  readonly sessStk: Trackers = newTrackers();
  /** Requests begun on this connection, over every stream (what makes a request its connection's first). */
  requests = 0;
  /** HTTP/2: several sessions (one per stream) share the connection, and none of them releases it. */
  multiplexed = false;
  private sessionVerdict: 'accept' | 'reject' | null = null;
  private released = false;

  constructor(sock: net.Socket, private readonly configPort: number) {
    this.src = normalizeAddress(sock.remoteAddress ?? '');
    this.srcPort = sock.remotePort ?? 0;
    this.dst = normalizeAddress(sock.localAddress ?? '');
    this.dstPort = sock.localPort ?? 0;
  }

  /** A PROXY header's addresses stand for the connection's from now on; LOCAL/UNKNOWN (null) keeps them. */
  carry(a: ProxiedAddresses | null): void {
    if (!a) return;
    this.src = a.src;
    this.srcPort = a.srcPort;
    this.dst = a.dst;
    this.dstPort = a.dstPort;
    this.carried = true;
  }

  /** The destination port ACLs see: the carried one, else the bind's configured port (a lab-mapped bind differs). */
  get aclDstPort(): number {
    return this.carried ? this.dstPort : this.configPort || this.dstPort;
  }

  /** What tcp-request connection and session rules read. */
  context(gen: Generation, fe: ProxySpec): SampleContext {
    return {
      src: this.src, srcPort: this.srcPort, dst: this.dst, dstPort: this.aclDstPort, state: gen, frontend: fe,
      vars: { proc: gen.procVars, sess: this.sessVars },
      ...(gen.tables.size > 0 ? { stick: { tables: gen.tables, ctrs: this.sessStk, sess: this.sessStk } } : {}),
    };
  }

  /**
   * The tcp-request session rules, run and the session counted the first time a session of this connection asks
   * (an HTTP/2 connection's first stream); later streams get the same verdict.
   */
  startSession(gen: Generation, fe: ProxySpec): 'accept' | 'reject' {
    if (this.sessionVerdict === null) {
      this.sessionVerdict = fe.tcpRequestRules.length > 0 ? sessionVerdict(fe.tcpRequestRules, this.context(gen, fe)) : 'accept';
      if (this.sessionVerdict === 'accept') countSession(this.sessStk);
    }
    return this.sessionVerdict;
  }

  /** Idle server connections private to this connection (http-reuse never, dispatch): they end with it. */
  private privateConns: Set<PrivateConn> | null = null;

  /** Keeps `c` as one of this connection's private server connections (HAProxy attaches them to the session). */
  holdPrivate(c: PrivateConn): void {
    (this.privateConns ??= new Set()).add(c);
  }

  /**
   * The connection is gone: its tracked counters stop (conn_cur and the like), and its private server connections
   * still idle are closed, as session_free releases the session's connections. Safe to call twice.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    releaseSession(this.sessStk);
    if (this.privateConns) {
      for (const c of this.privateConns) if (c.txn === null && c.owner === this && !c.sock.destroyed) c.sock.destroy();
      this.privateConns = null;
    }
  }
}

/** What a private server connection shows of itself: idle while it carries no exchange, and whose it is. */
export interface PrivateConn {
  readonly sock: net.Socket;
  readonly txn: object | null;
  readonly owner: object | null;
}

// A property of the socket rather than a WeakMap entry: it lives and dies with the socket all the same, without an
// ephemeron table insert per accepted connection (and its cost in every GC).
const CONNECTION = Symbol('client connection');
type Bound = { [CONNECTION]?: ClientConnection };

/** Binds a socket (the accepted one, its TLS socket, an HTTP/2 stream's) to its client connection. */
export function bindClientConnection(sock: object, conn: ClientConnection): void {
  (sock as Bound)[CONNECTION] = conn;
}

/** The client connection a session's socket belongs to; a socket the engine did not accept gets one of its own. */
export function clientConnectionOf(sock: net.Socket, configPort: number): ClientConnection {
  const s = sock as net.Socket & Bound;
  let conn = s[CONNECTION];
  if (!conn) {
    conn = new ClientConnection(sock, configPort);
    s[CONNECTION] = conn;
  }
  return conn;
}
