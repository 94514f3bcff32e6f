// One request/response exchange on a client connection (Txn), and the server connection it uses (ServerConn):
// the state the session's phases fill in, from the request head to the log line.
import type { ResponseInspection } from '../tcp/response-inspection.ts';
import type { CacheTxn } from '../cache/cache-exchange.ts';
import { VarStore, type VarSet } from '../sample/vars.ts';
import { newTrackers, type Trackers } from '../stick/trackers.ts';
import type { PendingStore } from '../stick/sticking-rules.ts';
import type net from 'node:net';
import type { NamedId, SampleContext, StreamTimeouts } from '../sample/context.ts';
import type { ProxySpec } from '../config/model.ts';
import type { ServerState } from '../server/server-state.ts';
import type { LiveBackend, QueuedRequest } from '../live/live-backend.ts';
import type { LiveFrontend, Generation } from '../live/generation.ts';
import { OwnedReads } from '../io/owned-reads.ts';
import type { ChunkedScanner } from './chunked.ts';
import type { RequestHead } from './request-head.ts';
import type { ResponseHead } from './response-head.ts';
import type { HttpSession } from './http-session.ts';
import type { CookieTxn } from './cookie-persistence.ts';
import { NO_CAPTURES, StreamCaptures } from './captures.ts';
import { isCloseOrKeepAlive } from './header-scan.ts';
import type { CompressionAlgo } from '../compression/compression-keyword.ts';
import type { BodyCompressor } from '../compression/body-compressor.ts';

/** A server connection: listeners stay attached for its whole life and dispatch to the exchange using it. */
export class ServerConn {
  txn: Txn | null = null;
  reused = false;
  /** The client connection whose exchange last used it, and how many requests it carried (http-reuse). */
  owner: object | null = null;
  requests = 0;
  /** The socket's current timeout (connect timeout until connected). */
  timeoutMs = -1;
  readonly reads: OwnedReads;
  readonly sock: net.Socket;
  /** proto h2: the chunked framing of a response without a length is the conversion's, not in HAProxy's HTX. */
  readonly h2: boolean;

  constructor(
    addr: { host: string; port: number } | { stream: net.Socket },
    readonly server: ServerState,
    readonly backend: LiveBackend,
  ) {
    this.h2 = 'stream' in addr;
    this.reads = new OwnedReads(addr, {
      onData: (view) => {
        if (this.txn) this.txn.session.onServerData(this, view);
        else this.sock.destroy(); // an idle server must not talk
      },
    });
    const sock = (this.sock = this.reads.sock);
    sock.on('end', () => this.closed());
    sock.on('close', () => this.closed());
    sock.on('error', (err) => {
      if (this.txn) this.txn.session.onServerError(this, err);
    });
    sock.on('timeout', () => {
      if (this.txn) this.txn.session.onServerTimeout(this);
      else sock.destroy();
    });
    sock.on('drain', () => this.txn?.session.resumeClient());
  }

  private closed(): void {
    if (this.txn) this.txn.session.onServerClosed(this);
    else this.backend.removeIdle(this.server, this);
    if (!this.sock.destroyed) this.sock.destroy();
  }
}

/** One request/response exchange. */
export class Txn {
  readonly id: number;
  backend: LiveBackend | null = null;
  server: ServerState | null = null;
  /** The server whose connection failed for good (named in the log). */
  failedServer: ServerState | null = null;
  conn: ServerConn | null = null;
  queued: QueuedRequest | null = null;
  /** Where it left a queue: which (its server's own or the backend's) and its position there (%sq / %bq). */
  queuePos: { readonly server: boolean; readonly pos: number } | null = null;
  retries = 0;
  redispatched = false;
  status = 0;
  bytesOut = 0;
  termination = '----';
  /** Request body bytes still to forward (length framing), or -1 (chunked/none). */
  reqLeft = 0;
  reqChunks: ScannerOrNull = null;
  reqDone = true;
  resp: ResponseHead | null = null;
  respBuf: Buffer | null = null;
  respLeft = 0;
  respChunks: ScannerOrNull = null;
  respDone = false;
  /** After a 101 (WebSocket and other upgrades): bytes flow both ways untouched until either side closes. */
  tunnel = false;
  /** option logasap already wrote this exchange's log line. */
  loggedEarly = false;
  /** The request line as received, for the log, whatever rules rewrite. */
  readonly originalMethod: string;
  readonly originalUri: string;
  /** Close the client connection after this exchange. */
  closeClient: boolean;
  tAssigned = -1;
  tConnected = -1;
  tRespHead = -1;
  decidedBy = '';
  rule: { text: string; loc: ProxySpec['loc'] } | undefined;
  /** Answered by the stats applet: logged as <STATS>, with the status HAProxy logs. */
  stats: { logStatus: number } | null = null;
  /** A monitor-uri request: answered by the proxy, never logged. */
  monitor = false;
  /** Cookie persistence state, when the backend has a cookie or persist rules. */
  cookie: CookieTxn | null = null;
  /** This request's detail events (request, acl, route, balance) are built (see EventBus.detailed). */
  detailed = false;
  /** How long the connection sat idle before this request's first byte (HAProxy's t_idle, %Ti). */
  tIdle = 0;
  /** The request's body arrived whole before an answer of the proxy's own, and was dropped from the buffer. */
  bodyDropped = false;
  /** The request has a body the proxy has not read whole (an answer of its own then closes the connection). */
  bodyPending(): boolean {
    return this.req.hasBody && !this.bodyDropped;
  }
  /** http-request tarpit: the hold under way, then how long it held the request (-1: not tarpitted). */
  tarpitTimer: NodeJS.Timeout | null = null;
  tarpitHeld = -1;
  /** The body never arrived while option http-buffer-request waited for it: no valid request time (Tq -1). */
  bodyTimedOut = false;
  /** Ended before HAProxy's http_process_request noted the request's time (a backend's content rule): Tq -1. */
  noRequestTime = false;
  /** The body bytes dropped before an answer of the proxy's own, still what req.body* read while it is built. */
  droppedBody: Buffer | null = null;
  /** compression: the algorithm the request chose (cleared when the response is not compressed), and the
   *  compressor its body goes through (compression/compressed-forward.ts). */
  compAlgo: CompressionAlgo | null = null;
  compressor: BodyCompressor | null = null;
  /** What cache-use and cache-store rules noted (cache/cache-exchange.ts); null until one runs. */
  cache: CacheTxn | null = null;
  /** The server connection's two ends once connected (%bi:%bp, %si:%sp). */
  serverEnds: { readonly local: { ip: string; port: number }; readonly remote: { ip: string; port: number } } | null = null;
  /** The request head's size as HTX counts it, as it arrived (%U counts it so). */
  private readonly reqHtxSize: number;
  /** Capture slots, the request line as received, the unique id. */
  readonly captures: StreamCaptures;
  /** This stream's server and tunnel timeouts (set-timeout, then the backend's once connected). */
  readonly timeouts: StreamTimeouts = {};
  private ctxCache: SampleContext | null = null;
  /** The stream's tracked counters: its session's, then what its own rules track. */
  stk: Trackers = newTrackers();
  /** Entries the stick store rules will write once the response arrives. */
  readonly stores: PendingStore[] = [];
  /** The backend's tcp-response content rules, holding the server's bytes until they decide. */
  resInspect: ResponseInspection | null = null;
  /** A tcp-response close: the server's connection is not kept after this exchange. */
  serverClosedByRule = false;

  constructor(
    readonly session: HttpSession,
    readonly gen: Generation,
    readonly fe: LiveFrontend,
    readonly req: RequestHead,
    readonly tStart: number,
    readonly tHead: number,
    /** The stream's captures when its tcp-request content rules already had them. */
    caps: StreamCaptures = new StreamCaptures(fe.spec.captures ?? NO_CAPTURES),
  ) {
    this.id = session.host.nextId();
    this.closeClient = !req.keepAlive;
    this.originalMethod = req.method;
    this.originalUri = req.uri;
    this.reqHtxSize = htxRequestSize(req);
    this.captures = caps;
    caps.method = req.method;
    caps.uri = req.uri;
    caps.reqVersion = req.version;
  }

  /** %U: the request's bytes as HAProxy counts them (HTX head size, then the body it forwarded). */
  bytesIn(): number {
    return this.reqHtxSize + (this.req.contentLength > 0 && this.conn !== null ? this.req.contentLength - this.reqLeft : 0);
  }

  /** The context if rules or fetches built it (null otherwise), without building it. */
  get builtCtx(): SampleContext | null {
    return this.ctxCache;
  }

  get ctx(): SampleContext {
    if (this.ctxCache === null) {
      this.ctxCache = this.session.sampleContext(this.req, this.vars, this.stk);
      (this.ctxCache as { captures?: StreamCaptures }).captures = this.captures;
      (this.ctxCache as { streamTimeouts?: StreamTimeouts }).streamTimeouts = this.timeouts;
      this.backendChosen();
    }
    return this.ctxCache;
  }

  /** The variables this transaction reaches: txn.* and req/res.* are its own, sess.* its connection's. */
  get vars(): VarSet {
    if (this.varsCache === null) {
      const reqres = new VarStore(this.responseSide ? 'res' : 'req');
      this.varsCache = { proc: this.gen.procVars, sess: this.session.sessVars, txn: new VarStore('txn'), reqres };
    }
    return this.varsCache;
  }

  private varsCache: VarSet | null = null;
  private responseSide = false;

  /** The response side starts: req.* variables are dropped and res.* ones can be set (HAProxy's process_stream). */
  responseStarts(): void {
    this.responseSide = true;
    const rr = this.varsCache?.reqres;
    if (rr && rr.scope === 'req') {
      rr.clear();
      rr.scope = 'res';
    }
  }

  /** From here on, be_name and be_id answer (the backend's own rules run next). */
  backendChosen(): void {
    // the context is this transaction's own and already has the key: set it, no copy (this runs per request)
    if (this.backend && this.ctxCache) (this.ctxCache as { backend?: NamedId }).backend = this.backend.spec;
  }
}

type ScannerOrNull = ChunkedScanner | null;

// close or keep-alive, blanks around it allowed (the regex this replaces took any \s); the common case without one
function isPlainConnection(v: string): boolean {
  return isCloseOrKeepAlive(v) || /^\s*(close|keep-alive)\s*$/i.test(v);
}

// HTX's size of a request head: the start line as a 20-byte struct plus its three words, each header as
// name+value (a Connection of close/keep-alive is the H1 layer's and not kept), one byte for the end of headers.
function htxRequestSize(req: RequestHead): number {
  let n = 20 + req.method.length + req.uri.length + 5 + req.wireVersion.length + 1;
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection' && isPlainConnection(h[i + 1]!)) continue;
    n += name.length + h[i + 1]!.length;
  }
  return n;
}
