// One client connection in mode tcp: connection rules, a backend and a server per connection, then bytes both
// ways with half-closes forwarded, and a tcplog line at the end.
import net from 'node:net';
import tls from 'node:tls';
import { NO_CAPTURES, StreamCaptures } from '../http/captures.ts';
import { tlsView } from '../tls/tls-info.ts';
import { withServerTls } from '../tls/server-tls.ts';
import type { SampleContext } from '../sample/context.ts';
import type { ServerState } from '../server/server-state.ts';
import { LiveBackend, type QueuedRequest } from '../live/live-backend.ts';
import type { LiveFrontend, Generation } from '../live/generation.ts';
import type { ListenerBinding, SessionHost } from '../live/session-host.ts';
import { formatTcpLog } from '../log/traffic-log.ts';
import { planRetry } from '../stream/retry-policy.ts';
import { chooseBackend } from '../stream/switching.ts';
import { assignServer, type AssignHooks } from '../stream/assign-server.ts';
import { OwnedReads } from '../io/owned-reads.ts';
import { serverPreface } from '../io/proxy-protocol.ts';
import { withBufferedRequest } from '../sample/index.ts';
import { backendContentRules, contentVerdict, type ContentProgress } from './tcp-request-rules.ts';
import { ResponseInspection, type InspectionEnd } from './response-inspection.ts';
import type { ProxySpec } from '../config/model.ts';
import { clientConnectionOf, type ClientConnection } from '../stream/client-connection.ts';
import { VarStore } from '../sample/vars.ts';
import { streamEnds, type Trackers } from '../stick/trackers.ts';
import { applyStickingRules, applyStoreRules, type PendingStore } from '../stick/sticking-rules.ts';

export class TcpSession {
  private readonly id: number;
  private gen!: Generation;
  private fe!: LiveFrontend;
  private be: LiveBackend | null = null;
  private server: ServerState | null = null;
  private failedServer: ServerState | null = null;
  private srv: net.Socket | null = null;
  private queued: QueuedRequest | null = null;
  private pending: Buffer[] = [];
  private readonly tAccept = Date.now();
  private tAssigned = -1;
  private tConnected = -1;
  private retries = 0;
  private redispatched = false;
  private bytesIn = 0;
  private bytesOut = 0;
  private termination = '--';
  /** on-marked-down / on-marked-up: the server's state change ends this session, logged "D-" or "U-" (stream_shutdown
   *  sets the error, no final state). */
  private readonly shutdownHandle = {
    shutdown: (why: 'D' | 'U'): void => {
      if (!this.done) this.finish(`${why}-`);
    },
  };
  private clientEnded = false;
  private serverEnded = false;
  private done = false;
  private inspecting = false;
  private inspectTimer: NodeJS.Timeout | null = null;
  /** The content rule an evaluation waited at: the next one resumes there. */
  private contentProgress: ContentProgress = { at: 0 };
  /** Whose tcp-request content rules are being run: the frontend's, then the backend's (AN_REQ_INSPECT_BE). */
  private inspected: { spec: ProxySpec; rules: ProxySpec['tcpRequestRules'] } | null = null;
  /** The backend's tcp-response content rules holding the server's bytes. */
  private resInspect: ResponseInspection | null = null;
  /** option logasap already wrote this connection's log line. */
  private loggedEarly = false;
  /** This connection's detail events are built (see EventBus.detailed). */
  private detailed = false;
  private ctx: SampleContext;
  /** Counters tracked by tcp-request connection/session rules, and the stream's (its session's plus content rules'). */
  private readonly conn: ClientConnection;
  private readonly sessStk: Trackers;
  private strmStk: Trackers;
  private readonly stores: PendingStore[] = [];

  constructor(
    private readonly host: SessionHost,
    binding: ListenerBinding,
    private readonly sock: net.Socket,
    /** The client socket's own read buffer, when the engine could give it one (OwnedReads.adopt). */
    private readonly owned: OwnedReads | null = null,
  ) {
    this.id = host.nextId();
    // a PROXY header's addresses stand for the connection's (accept-proxy, expect-proxy)
    this.conn = clientConnectionOf(sock, binding.configPort);
    this.sessStk = this.conn.sessStk;
    this.strmStk = this.sessStk;
    this.ctx = {
      src: this.conn.src, srcPort: this.conn.srcPort, dst: this.conn.dst, dstPort: this.conn.aclDstPort,
      tls: sock instanceof tls.TLSSocket ? tlsView(sock) : undefined,
    };
    const r = host.resolve(binding.frontend);
    if (!r) {
      sock.destroy();
      this.done = true;
      return;
    }
    this.gen = r.gen;
    this.fe = r.fe;
    // mode tcp has a stream too: sess and txn variables live as long as the connection, req/res as its request
    this.ctx = {
      ...this.ctx, state: r.gen, frontend: r.fe.spec,
      vars: { proc: r.gen.procVars, sess: this.conn.sessVars, txn: new VarStore('txn'), reqres: new VarStore('req') },
      stick: { tables: r.gen.tables, ctrs: this.sessStk, sess: this.sessStk },
      // its capture slots (tcp-request content capture, %hr) and last rule
      captures: new StreamCaptures(r.fe.spec.captures ?? NO_CAPTURES),
    };
    const ev = host.events;
    this.detailed = ev.wantsDetail && ev.detailed();
    if (this.detailed && ev.wants.request) {
      // a connection is mode tcp's "request": the TUI shows who connected, from where
      ev.emit({
        kind: 'request', id: this.id, frontend: r.fe.name, src: this.ctx.src, srcPort: this.ctx.srcPort, method: 'TCP',
        uri: `${binding.address}:${binding.port}`, version: '', headers: [], at: this.tAccept,
      });
    }
    this.fe.current++;
    this.fe.countSession();
    host.sessionOpened(this.gen);
    sock.setNoDelay(true);
    if (owned) owned.setReader({ onData: (view) => this.onClientView(view) });
    else sock.on('data', (d: Buffer) => this.onClientData(d));
    sock.on('end', () => this.onClientEnd());
    sock.on('error', () => this.finish('CD'));
    sock.on('close', () => this.finish(this.termination === '--' ? 'CD' : this.termination));
    sock.on('timeout', () => this.finish('cD'));
    sock.on('drain', () => this.srv?.resume());
    const spec = this.fe.spec;
    // the tcp-request connection rules ran when the engine accepted the connection
    if (this.conn.startSession(r.gen, spec) === 'reject') {
      // rejected before anything else: HAProxy closes without logging
      this.done = true;
      this.fe.denied++;
      this.release();
      this.conn.release();
      sock.destroy();
      return;
    }
    // the stream starts with a copy of its session's counters
    this.strmStk = [...this.sessStk];
    this.ctx = { ...this.ctx, stick: { tables: r.gen.tables, ctrs: this.strmStk, sess: this.sessStk } };
    sock.setTimeout(spec.timeouts.client ?? 0);
    this.startInspection(spec, spec.tcpRequestRules);
  }

  // HAProxy re-evaluates content rules as data arrives and waits while one cannot decide yet, at most for the
  // inspect delay (the frontend's, then the backend's for its own rules), when it decides on what it has.
  private startInspection(spec: ProxySpec, rules: ProxySpec['tcpRequestRules']): void {
    this.inspected = { spec, rules };
    this.contentProgress = { at: 0 };
    if (rules.some((r) => r.stage === 'content') && (spec.tcpInspectDelay ?? 0) > 0) {
      this.inspecting = true;
      this.inspectTimer = setTimeout(() => this.inspect(true), spec.tcpInspectDelay);
      this.inspect(false);
    } else this.inspect(true);
  }

  // Runs the content rules on the bytes buffered so far; `final` when the inspect delay is over (or there is none).
  private inspect(final: boolean): void {
    if (this.done || (!final && !this.inspecting) || !this.inspected) return;
    const { spec, rules } = this.inspected;
    let verdict: 'accept' | 'reject' | 'wait' = 'accept';
    if (rules.some((r) => r.stage === 'content')) {
      const payload = this.pending.length > 0 ? Buffer.concat(this.pending) : Buffer.alloc(0);
      const ctx = withBufferedRequest({ ...this.ctx, payload, ...(this.be ? { backend: this.be.spec } : {}) });
      verdict = contentVerdict(rules, ctx, final, this.contentProgress, this.be !== null && spec !== this.fe.spec);
    }
    if (verdict === 'wait') return;
    this.inspecting = false;
    if (this.inspectTimer) clearTimeout(this.inspectTimer);
    if (verdict === 'reject') {
      this.fe.denied++;
      this.termination = 'PR';
      this.sock.destroy();
      this.finish('PR');
      return;
    }
    if (this.be) this.toServer();
    else this.afterInspection();
  }

  private afterInspection(): void {
    if (this.done) return;
    // use_backend conditions may read the bytes buffered during inspection too
    if (this.pending.length > 0) this.ctx = withBufferedRequest({ ...this.ctx, payload: Buffer.concat(this.pending) });
    const be = this.route();
    if (!be) {
      this.termination = 'SC';
      this.sock.destroy();
      this.finish('SC');
      return;
    }
    this.be = be;
    // counted as the stream enters the backend (stream_set_backend), before its own content rules
    be.countSession();
    // the backend's own content rules run when the stream enters it (its named defaults' ones too, unless the
    // frontend shares that defaults section and ran them already)
    const own = backendContentRules(this.fe.spec, be.spec);
    if (own.length > 0) this.startInspection(be.spec, own);
    else this.toServer();
  }

  private toServer(): void {
    const be = this.be!;
    if (this.pending.length > 0) this.ctx = withBufferedRequest({ ...this.ctx, payload: Buffer.concat(this.pending) });
    const sticky = be.spec.stickRules.length > 0 ? applyStickingRules(be.spec, this.ctx, be.servers, this.stores) : undefined;
    if (sticky) this.connect(sticky);
    else this.assign(undefined);
  }

  private route(): LiveBackend | undefined {
    const { backend, decidedBy, rule } = chooseBackend(this.fe.spec, this.gen, this.ctx);
    const ev = this.host.events;
    if (this.detailed && ev.wants.route) {
      ev.emit({ kind: 'route', id: this.id, frontend: this.fe.name, decidedBy: decidedBy || 'none', rule: rule?.text, loc: rule?.loc, backend: backend?.name });
    }
    return backend;
  }

  private assign(avoid: ServerState | undefined): void {
    this.queued = assignServer(this.be!, { src: this.ctx.src, avoid }, this.detailed ? this.host.events : null, this.id, TcpSession.assignHooks, this);
  }

  // One set for every connection: assigning a server allocates nothing per connection.
  private static readonly assignHooks: AssignHooks<TcpSession> = {
    use: (s, server) => s.connect(server),
    refuse: (s, why) => {
      s.sock.destroy();
      s.finish(why);
    },
    leftQueue: (s) => (s.queued = null),
    alive: (s) => !s.done,
  };

  private connect(server: ServerState): void {
    const be = this.be!;
    this.server = server;
    server.streams.add(this.shutdownHandle);
    if (this.tAssigned < 0) this.tAssigned = Date.now();
    be.take(server);
    const addr = this.host.addressOf(server);
    const preface = serverPreface(server.spec, this.ctx);
    const reads = new OwnedReads({ ...withServerTls({ host: addr.host, port: addr.port }, server.spec, this.ctx), allowHalfOpen: true, ...(preface ? { preface } : {}), keepAlive: be.spec.options.srvTcpKa === true }, {
      onData: (view) => {
        this.bytesOut += view.length;
        if (this.resInspect?.active) this.resInspect.push(Buffer.from(view));
        else if (!reads.forward(this.sock, view)) srv.pause();
      },
    });
    const srv = reads.sock;
    this.srv = srv;
    srv.setTimeout(be.spec.timeouts.connect ?? 0);
    let connected = false;
    srv.once(reads.connectEvent, () => {
      connected = true;
      server.observer?.('L4_OK');
      this.tConnected = Date.now();
      if (be.spec.tcpResponseRules.length > 0) this.inspectResponse(be, server, srv);
      // mode tcp has no response head: what the store rules remember is written once the server is reached
      if (this.stores.length > 0 || be.spec.storeResponseRules.length > 0) applyStoreRules(be.spec, { ...this.ctx, server: server.spec }, this.stores, server);
      // connected with nothing left to inspect: the session is a tunnel, and `timeout tunnel` (when set) replaces
      // the client and server timeouts with one idle timer, kept on the client socket, which bytes either way
      // refresh
      const tunnel = be.spec.timeouts.tunnel;
      if (tunnel !== undefined) {
        srv.setTimeout(0);
        this.sock.setTimeout(tunnel);
      } else srv.setTimeout(be.spec.timeouts.server ?? 0);
      for (const b of this.pending) srv.write(b);
      this.pending = [];
      if (this.clientEnded) {
        srv.end();
        if (be.spec.timeouts.serverFin !== undefined) srv.setTimeout(be.spec.timeouts.serverFin);
      }
      // option logasap: the line goes out now, with the time to connect and no bytes yet
      if (this.fe.spec.options.logasap) {
        this.logLine(this.tConnected, true);
        this.loggedEarly = true;
      }
    });
    srv.on('drain', () => this.sock.resume());
    srv.on('end', () => {
      this.resInspect?.serverEnded();
      if (this.done) return;
      this.serverEnded = true;
      this.sock.end();
      // our side toward the client is shut: from now on its idle timeout is client-fin (HAProxy's sc_set_hcto)
      const clientFin = this.fe.spec.timeouts.clientFin;
      if (clientFin !== undefined) this.sock.setTimeout(clientFin);
      if (this.clientEnded) this.finish('--');
    });
    srv.on('timeout', () => {
      if (!connected) this.connectFailed(server, srv, false);
      else {
        this.termination = 'sD';
        this.sock.destroy();
        this.finish('sD');
      }
    });
    srv.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) this.connectFailed(server, srv, err.code === 'ECONNREFUSED');
      else {
        this.sock.destroy();
        this.finish('SD');
      }
    });
    srv.on('close', () => {
      if (connected && !this.done) {
        this.sock.end();
        if (!this.serverEnded) this.finish('SD');
        else if (this.clientEnded) this.finish('--');
      }
    });
  }

  // The backend's tcp-response content rules hold what the server sends until they decide (response-inspection.ts).
  private inspectResponse(be: LiveBackend, server: ServerState, srv: net.Socket): void {
    const spec = be.spec;
    const inspection = new ResponseInspection(
      {
        rules: spec.tcpResponseRules, delay: spec.tcpResponseInspectDelay ?? 0, fullAt: this.host.limits.maxHeadBytes,
        context: (held) => ({ ...this.ctx, backend: spec, server: server.spec, resPayload: held }),
        complete: () => false, backend: spec !== this.fe.spec,
      },
      (end, held) => this.responseDecided(end, held, srv),
    );
    this.resInspect = inspection;
    inspection.start();
  }

  private responseDecided(end: InspectionEnd, held: Buffer, srv: net.Socket): void {
    if (this.done) return;
    if (end === 'reject') {
      // the server's connection is killed and the client's aborted: nothing of the response reaches the client
      this.be!.deniedResponses++;
      srv.destroy();
      this.sock.destroy();
      this.finish('PD');
      return;
    }
    if (held.length > 0) this.sock.write(held);
    if (end === 'close') {
      // close: the server's connection goes both ways (without lingering); what came before still reaches the
      // client, whose side is then shut, and the stream ends normally ("--")
      srv.removeAllListeners('close');
      srv.removeAllListeners('end');
      srv.on('error', () => {});
      srv.resetAndDestroy();
      this.serverEnded = true;
      this.sock.end();
      this.finish('--');
    }
  }

  private connectFailed(server: ServerState, srv: net.Socket, immediate: boolean): void {
    if (this.done || this.srv !== srv) return;
    srv.removeAllListeners('close');
    srv.destroy();
    this.srv = null;
    const be = this.be!;
    server.failedConnects++;
    server.streams.delete(this.shutdownHandle);
    server.observer?.('L4_ERR');
    be.drop(server);
    const plan = planRetry(be, server, this.retries, immediate);
    if (plan.giveUp) {
      // the log still names the server that refused
      this.failedServer = server;
      this.server = null;
      this.sock.destroy();
      this.finish(immediate ? 'SC' : 'sC');
      return;
    }
    this.server = null;
    this.retries++;
    setTimeout(() => {
      if (this.done) return;
      if (plan.redispatch) {
        this.redispatched = true;
        this.assign(server);
      } else this.connect(server);
    }, plan.delayMs);
  }

  // A read in the client socket's own buffer: it goes on to the server at once, or is copied (OwnedReads.forward);
  // bytes kept for inspection or for a server still connecting are copies.
  private onClientView(view: Buffer): void {
    const srv = this.srv;
    if (srv && this.tConnected >= 0) {
      this.bytesIn += view.length;
      this.fe.bytesIn += view.length;
      if (!this.owned!.forward(srv, view)) this.sock.pause();
    } else this.onClientData(Buffer.from(view));
  }

  private onClientData(d: Buffer): void {
    this.bytesIn += d.length;
    this.fe.bytesIn += d.length;
    const srv = this.srv;
    if (srv && this.tConnected >= 0) {
      if (!srv.write(d)) this.sock.pause();
    } else {
      this.pending.push(d);
      if (this.inspecting) this.inspect(false);
    }
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.srv && this.tConnected >= 0) {
      this.srv.end();
      // our side toward the server is shut: its idle timeout is server-fin from now on
      const serverFin = this.be?.spec.timeouts.serverFin;
      if (serverFin !== undefined) this.srv.setTimeout(serverFin);
    }
    else if (!this.srv && this.be === null && this.done) return;
    if (this.serverEnded) this.finish('--');
  }

  private release(): void {
    this.fe.current--;
    this.host.sessionClosed(this.gen);
  }

  private finish(termination: string): void {
    if (this.done) return;
    this.done = true;
    if (this.termination === '--') this.termination = termination;
    if (this.queued && this.be) this.be.dequeue(this.queued);
    if (this.inspectTimer) clearTimeout(this.inspectTimer);
    this.resInspect?.cancel();
    const srv = this.srv;
    if (srv && !srv.destroyed) {
      if (this.termination === '--') srv.end();
      else srv.destroy();
    }
    if (!this.sock.destroyed && this.termination !== '--') this.sock.destroy();
    const be = this.be;
    const server = this.server;
    server?.streams.delete(this.shutdownHandle);
    if (be && server) {
      be.drop(server);
      server.bytesOut += this.bytesOut;
      server.bytesIn += this.bytesIn;
      be.bytesOut += this.bytesOut;
      be.bytesIn += this.bytesIn;
    }
    this.fe.bytesOut += this.bytesOut;
    this.release();
    this.report();
    streamEnds(this.strmStk, this.sessStk, this.bytesIn, this.bytesOut);
    this.conn.release();
  }

  private report(): void {
    const now = Date.now();
    const tw = this.tAssigned >= 0 ? this.tAssigned - this.tAccept : -1;
    const tc = this.tConnected >= 0 ? this.tConnected - this.tAssigned : -1;
    const tt = now - this.tAccept;
    const beName = this.be?.name ?? this.fe.name;
    const srvName = (this.server ?? this.failedServer)?.name ?? '<NOSRV>';
    const ev = this.host.events;
    if (ev.wants.response) {
      ev.emit({
        kind: 'response', id: this.id, frontend: this.fe.name, backend: beName, server: srvName, status: 0,
        bytesIn: this.bytesIn, bytesOut: this.bytesOut, timings: { tq: 0, tw, tc, tr: -1, tt },
        termination: this.termination, retries: this.retries,
      });
    }
    if (!this.loggedEarly) this.logLine(now, false);
  }

  private logLine(now: number, early: boolean): void {
    const spec = this.fe.spec;
    if ((!spec.options.tcplog && !spec.options.httplog && !spec.logFormat) || !this.host.wantsLog(spec, this.detailed)) return;
    if (spec.options.dontlognull && this.bytesIn === 0 && !early) return;
    const tw = this.tAssigned >= 0 ? this.tAssigned - this.tAccept : -1;
    const tc = this.tConnected >= 0 ? this.tConnected - this.tAssigned : -1;
    const tt = now - this.tAccept;
    const beName = this.be?.name ?? this.fe.name;
    const srvName = (this.server ?? this.failedServer)?.name ?? '<NOSRV>';
    const rec = {
      clientIp: this.ctx.src, clientPort: this.ctx.srcPort, date: this.tAccept, frontend: this.fe.name, ssl: this.ctx.tls !== undefined, backend: beName,
      server: srvName, tR: 0, tw, tc, tr: -1, ta: tt, status: 0, bytes: this.bytesOut, termination: this.termination + '--',
      // at the end this connection is already released; an early line is written while it still counts
      actconn: this.host.actconn + (early ? 0 : 1), feconn: this.fe.current + (early ? 0 : 1), beconn: this.be?.streams ?? 0,
      srvconn: (this.server ?? this.failedServer)?.served ?? 0, retries: this.retries, srvQueue: 0, beQueue: this.be?.queue.length ?? 0,
      requestLine: '', redispatched: this.redispatched, frontendIp: this.ctx.dst, frontendPort: this.sock.localPort ?? 0,
      bytesIn: this.bytesIn, ...(early ? { asap: true } : {}), captures: this.ctx.captures,
      ...(spec.logFormat ? { ctx: { ...this.ctx, backend: this.be?.spec ?? spec, server: this.server ?? undefined } } : {}),
    };
    this.host.log(spec, spec.logFormatter ? spec.logFormatter(rec) : formatTcpLog(rec));
  }
}
