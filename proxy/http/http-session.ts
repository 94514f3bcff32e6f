// One client connection in mode http: parse each request head, apply the frontend's rules, pick a backend and a
// server, forward the request and stream the response back, then log. Keep-alive on both sides.
import net from 'node:net';
import { bufferedBody, NO_BODY, type BufferedBody } from './request-body.ts';
import tls from 'node:tls';
import { applyStickingRules } from '../stick/sticking-rules.ts';
import type { Trackers } from '../stick/trackers.ts';
import type { SampleContext } from '../sample/context.ts';
import type { VarStore, VarSet } from '../sample/vars.ts';
import type { ProxySpec } from '../config/model.ts';
import type { ServerState } from '../server/server-state.ts';
import type { LiveBackend } from '../live/live-backend.ts';
import type { LiveFrontend, Generation } from '../live/generation.ts';
import type { ListenerBinding, SessionHost } from '../live/session-host.ts';
import { chooseBackend } from '../stream/switching.ts';
import { assignChosenServer, assignServer, type AssignHooks } from '../stream/assign-server.ts';
import { holdWrites } from '../io/write-batch.ts';
import type { OwnedReads } from '../io/owned-reads.ts';
import { findHeadEnd, parseRequestHead, RequestHead } from './request-head.ts';
import { rawBadRequest, rawRequestTimeout } from './status-pages.ts';
import { buildRequestHead } from './rewrite.ts';
import { negotiateRequest } from '../compression/compressed-forward.ts';
import { complete as completeCacheStore } from '../cache/cache-exchange.ts';
import { cachedAnswer } from '../cache/cache-answer.ts';
import { takeResponseHead } from './response-arrival.ts';
import type { HttpReply } from './actions/http-reply.ts';
import { type ServerConn, Txn } from './exchange.ts';
import { captureRequestCookie } from './cookie-capture.ts';
import { applyRequestRules, noteAnsweringRule, type ResponseDenial } from './exchange-rules.ts';
import { abortPage, failureAnswer, ruleAnswer, statusAnswer, type OwnAnswer } from './local-answers.ts';
import { statsAnswer } from './stats-applet.ts';
import { dropWholeBody, forwardRequestBody, forwardResponseBody, sendHeadWithBody, startRequestBody, startResponseBody } from './body-forward.ts';
import { tarpit } from './tarpit.ts';
import { emitRequest, emitRoute, logAsap, logBadRequest, reportExchange, requestLogRecord } from './exchange-report.ts';
import { tlsView, type TlsView } from '../tls/tls-info.ts';
import { H2_PREFACE, isH2Preface } from '../h2/h2-preface.ts';
import { monitorAnswer } from './monitor-uri.ts';
import { originalToHeader } from './original-to.ts';
import { clientConnectionOf, type ClientConnection } from '../stream/client-connection.ts';
import { serverClosed, serverError, serverTimeout, setServerTimeout, useServer, type ServerSideSession } from './server-side.ts';
import { persistenceOnDeny, persistenceRedispatch, persistenceStart, persistentServer } from './persistence-hooks.ts';
import { lastServer } from './prefer-last-server.ts';
import { closesServerSide, dropServer, releaseServer } from './server-release.ts';
import { RequestBuffering } from './buffer-request.ts';
import { clientLeft } from './client-left.ts';
import { inspectResponse } from './response-inspection-http.ts';
import { backendContentRules, contentVerdict } from '../tcp/tcp-request-rules.ts';
import { htxHeadSize } from '../sample/fetches/payload.ts';
import { adoptStream, inspectHead } from './head-inspection.ts';
import { GenerationSeat } from './generation-seat.ts';

export class HttpSession implements ServerSideSession {
  private buf: Buffer | null = null;
  private txn: Txn | null = null;
  private closed = false;
  private tFirstByte = -1;
  /** Requests begun on this session (one for an HTTP/2 stream). */
  private requestsSeen = 0;
  private readonly seat: GenerationSeat;
  private get gen(): Generation | null {
    return this.seat.gen;
  }
  private get fe(): LiveFrontend | null {
    return this.seat.fe;
  }
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  private readonly aclDstPort: number;
  /** The client connection this session serves (all the streams of an HTTP/2 one share it). */
  readonly conn: ClientConnection;
  /** sess.* variables: they live as long as the client connection. */
  readonly sessVars: VarStore;
  /** The counters tcp-request connection/session rules track: they live as long as the client connection. */
  readonly sessStk: Trackers;
  /** The client connection's TLS state, when it came through a "bind ... ssl". */
  readonly tls: TlsView | undefined;
  private readonly tAccept = Date.now();
  /** Since when the connection waits for its next request: the accept, then the end of each exchange (%Ti). */
  private idleFrom = this.tAccept;

  constructor(
    readonly host: SessionHost,
    private readonly binding: ListenerBinding,
    private readonly sock: net.Socket,
    /** The client socket's own read buffer, when the engine could give it one (OwnedReads.adopt). */
    private readonly owned: OwnedReads | null = null,
  ) {
    this.seat = new GenerationSeat(host);
    // a PROXY header's addresses stand for the connection's (accept-proxy, expect-proxy)
    this.conn = clientConnectionOf(sock, binding.configPort);
    this.sessVars = this.conn.sessVars;
    this.sessStk = this.conn.sessStk;
    this.src = this.conn.src;
    this.srcPort = this.conn.srcPort;
    this.dst = this.conn.dst;
    this.dstPort = this.conn.dstPort;
    this.aclDstPort = this.conn.aclDstPort;
    this.tls = sock instanceof tls.TLSSocket ? tlsView(sock) : (sock as { tlsView?: TlsView }).tlsView;
    const r = host.resolve(binding.frontend);
    if (!r) {
      sock.destroy();
      this.closed = true;
      return;
    }
    this.seat.attach(r.gen, r.fe);
    // the tcp-request connection rules ran when the engine accepted the connection; the session rules run here,
    // once per connection
    if (this.conn.startSession(r.gen, r.fe.spec) === 'reject') {
      // HAProxy closes a rejected connection before any HTTP, and logs nothing
      r.fe.denied++;
      sock.destroy();
      this.close(null);
      return;
    }
    sock.setNoDelay(true);
    for (const [event, fn] of this.listeners) if (!owned || event !== 'data') sock.on(event, fn);
    // what is kept of a read (a head being parsed, a pipelined request, a body) is a copy; a small one comes from
    // Node's shared pool, where Node's own reads cost a 64 KiB allocation each
    owned?.setReader({ onData: (view) => this.onClientData(Buffer.from(view)) });
    this.armIdleTimeout();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket listeners of several signatures
  private readonly listeners: [string, (...a: any[]) => void][] = [
    ['data', (d: Buffer) => this.onClientData(d)],
    ['end', () => this.onClientEnd()],
    ['error', () => this.close('CD')],
    ['close', () => this.close('CD')],
    ['timeout', () => this.onClientTimeout()],
    ['drain', () => this.txn?.conn?.sock.resume()],
  ];

  // The client opened with HTTP/2's preface (prior knowledge on a clear-text bind): the connection leaves this
  // session for the HTTP/2 one, which runs one exchange per stream (as HAProxy's mux upgrades from h1 to h2).
  private upgradeToH2(buf: Buffer): void {
    for (const [event, fn] of this.listeners) this.sock.off(event, fn);
    this.sock.setTimeout(0);
    this.closed = true;
    this.buf = null;
    this.seat.detach();
    // the HTTP/2 connection reads 'data' events: an owned socket hands it copies that way
    const sock = this.sock;
    this.owned?.setReader({ onData: (view) => sock.emit('data', Buffer.from(view)) });
    this.host.serveH2(this.sock, buf, this.binding);
  }

  /** An HTTP/2 stream's absolute request target, which the log shows in place of the origin form. */
  get h2Uri(): string | undefined {
    return (this.sock as { h2Uri?: string }).h2Uri;
  }

  /** The exchange in progress, if any. */
  get current(): Txn | null {
    return this.txn;
  }

  /** This exchange is its client connection's first request (over all its HTTP/2 streams). */
  get firstRequest(): boolean {
    return this.conn.requests === 1;
  }

  /** Who owns the server connections this session's requests take, for http-reuse: the client connection. */
  get reuseOwner(): object {
    return this.conn;
  }

  /** `strm`: the stream's tracked counters (see stick/trackers.ts). */
  sampleContext(req: RequestHead, vars: VarSet, strm?: Trackers): SampleContext {
    const fe = this.fe;
    // every key present from the start (backend is filled in once chosen), so all contexts share one shape
    return {
      src: this.src, srcPort: this.srcPort, dst: this.dst, dstPort: this.aclDstPort, req, state: this.gen ?? undefined, tls: this.tls,
      frontend: fe ? fe.spec : undefined, backend: fe && fe.spec.kind === 'listen' ? fe.spec : undefined,
      vars, stick: strm && this.gen ? { tables: this.gen.tables, ctrs: strm, sess: this.sessStk } : undefined,
      reqBody: this.readBody, httpMajor: this.h2Uri !== undefined ? 2 : 1, firstRequest: this.requestsSeen === 1,
    };
  }

  // req.body* read the body bytes held after the head of the request in progress (one closure per session)
  private readonly readBody = (): BufferedBody => {
    const t = this.txn;
    if (!t) return NO_BODY;
    return bufferedBody(t.req, t.bodyDropped ? t.droppedBody : this.buf);
  };

  private readonly buffering = new RequestBuffering({
    bodyNow: () => this.readBody(),
    setClientTimeout: (ms) => this.setClientTimeout(ms),
    isCurrent: (t) => !this.closed && this.txn === t,
  });

  // ---- client side -------------------------------------------------------------------------------------------

  private onClientData(d: Buffer): void {
    if (this.fe) this.fe.bytesIn += d.length;
    const t = this.txn;
    if (t && !t.reqDone && t.conn && this.buf === null) {
      this.forwardRequestBody(t, d);
      return;
    }
    if (this.buf === null) {
      this.buf = d;
      if (!t) this.tFirstByte = Date.now();
    } else this.buf = Buffer.concat([this.buf, d]);
    if (!t) this.parseNext();
    else if (this.bodyWait) this.takeBody();
    else if (this.buffering.active) this.buffering.check();
    else if (this.buf.length > this.host.limits.maxHeadBytes) this.sock.pause(); // pipelining: wait our turn
  }

  private onClientEnd(): void {
    // a half-closed client still gets its response; with nothing in flight there is nothing left to do
    const t = this.txn;
    if (!t) {
      // a client that closes in the middle of a head, or before the first byte of its connection, leaves a bad
      // request to HAProxy (h1_process); dontlognull and http-ignore-probes spare only the empty connection's line
      const opts = this.fe?.spec.options;
      if (this.buf && this.buf.length > 0) this.logBadRequest(400, 'CR--', 0);
      else if (this.requestsSeen === 0 && opts && !opts.dontlognull && !opts.httpIgnoreProbes) {
        this.tFirstByte = this.tAccept;
        this.logBadRequest(400, 'CR--', 0);
      }
      this.close('CD');
    } else if (t.queued && t.backend?.spec.options.abortOnClose) {
      // option abortonclose: a client that closes its side while its request waits in a queue gives it up
      // (process_stream's SI_ST_QUE abort); without it the request stays queued and is still answered
      this.close('CQ');
    } else if (t.conn && t.reqDone && !t.resp && !t.tunnel && t.backend?.spec.options.abortOnClose) {
      // and once the request is on the server, HAProxy 2.6 gives the response up with a 400 page to the half-closed
      // client, logged CH-- with its server (http_wait_for_response's client abort)
      t.termination = 'CH--';
      this.abort(t, 400);
    } else if (t.tunnel) t.conn?.sock.end(); // the half-close goes on to the server, which says when it is done
  }

  private armIdleTimeout(): void {
    const t = this.fe!.spec.timeouts;
    const ms = this.requestsSeen === 0 ? t.httpRequest ?? t.client : t.httpKeepAlive ?? t.httpRequest ?? t.client;
    this.setClientTimeout(ms ?? 0);
  }

  // Socket timeouts are timer-list operations: change one only when its value changes (usually never, since
  // keep-alive, http-request and client timeouts default to each other).
  private setClientTimeout(ms: number): void {
    if (ms === this.clientTimeoutMs) return;
    this.clientTimeoutMs = ms;
    this.sock.setTimeout(ms);
  }

  private clientTimeoutMs = -1;

  private onClientTimeout(): void {
    const t = this.txn;
    if (t && this.buffering.active) {
      // option http-buffer-request waited for a body that did not come: 408, logged cR-- without a request time
      this.buffering.cancel();
      t.termination = 'cR--';
      t.bodyTimedOut = true;
      t.closeClient = true;
      this.answerStatus(t, 408);
      return;
    }
    if (!t) {
      if (this.buf && this.buf.length > 0) {
        // a head that never completed: HAProxy answers 408 and logs it
        this.logBadRequest(408, 'cR--');
        this.sock.end(rawRequestTimeout());
      } else if (this.requestsSeen === 0) {
        // a client that sent nothing before timeout http-request still gets the 408 page; dontlognull only
        // spares the log line
        if (!this.fe!.spec.options.dontlognull) {
          this.tFirstByte = this.tAccept;
          this.logBadRequest(408, 'cR--', 0);
        }
        this.sock.end(rawRequestTimeout());
      } else this.sock.destroy();
      this.close('cR');
      return;
    }
    // waiting for the server: the client owes nothing, so its timeout does not run (HAProxy's CF_READ_NOEXP)
    if (t.resp === null && t.reqDone) return;
    // client went silent while sending its body or while we were writing to it
    t.termination = 'cD--';
    this.abort(t);
  }

  private parseNext(): void {
    const buf = this.buf;
    if (!buf || this.closed) return;
    if (this.requestsSeen === 0 && buf[0] === 0x50 && isH2Preface(buf)) {
      if (buf.length >= H2_PREFACE.length) this.upgradeToH2(buf);
      return;
    }
    const end = findHeadEnd(buf);
    if (end < 0) {
      if (buf.length >= this.host.limits.maxHeadBytes) this.badRequest();
      return;
    }
    const head = parseRequestHead(buf, end, this.host.limits);
    if (!(head instanceof RequestHead)) {
      this.badRequest();
      return;
    }
    this.buf = buf.length > end ? buf.subarray(end) : null;
    const tHead = Date.now();
    const tStart = this.tFirstByte >= 0 ? this.tFirstByte : tHead;
    this.tFirstByte = this.buf ? tHead : -1;
    this.requestsSeen++;
    this.conn.requests++;
    // a reload since the last request: this one runs on the newest config
    const r = this.host.resolve(this.binding.frontend);
    if (!r) {
      this.sock.destroy();
      this.close('CD');
      return;
    }
    this.seat.attach(r.gen, r.fe);
    const stream = inspectHead(this, r.gen, r.fe, head, buf.subarray(0, end));
    if (stream === 'reject') {
      // in mode http the content rules see each parsed request head; a reject closes silently, logged as a bad request
      r.fe.denied++;
      this.tFirstByte = tStart;
      this.logBadRequest(-1, 'PR--');
      this.sock.destroy();
      this.close('PR');
      return;
    }
    this.setClientTimeout(r.fe.spec.timeouts.client ?? 0);
    const t = new Txn(this, r.gen, r.fe, head, tStart, tHead, stream.caps);
    adoptStream(t, stream);
    t.tIdle = Math.max(0, tStart - this.idleFrom);
    this.start(t);
  }

  private badRequest(): void {
    this.fe!.errors++;
    this.logBadRequest(400, 'PR--');
    this.sock.end(rawBadRequest());
    this.buf = null;
    this.close('PR');
  }

  private logBadRequest(status: number, termination: string, bytes = 0): void {
    logBadRequest(this, this.fe!, this.tFirstByte, status, termination, bytes);
  }

  // ---- rules and routing -------------------------------------------------------------------------------------

  private start(t: Txn): void {
    this.txn = t;
    const fe = t.fe;
    fe.countRequest();
    const ev = this.host.events;
    t.detailed = ev.wantsDetail && ev.detailed();
    emitRequest(this, t);
    // header captures read the request as it arrived, before any rule (http_wait_for_request)
    if (fe.spec.captures && fe.spec.captures.req.length > 0) t.captures.captureHeaders('req', t.req.headers);
    const uid = fe.spec.uniqueId;
    if (uid) t.captures.makeUniqueId = () => uid.formatter(requestLogRecord(this, t));
    const monitor = fe.spec.monitorUri !== undefined ? monitorAnswer(fe.spec, t.req, t.ctx) : null;
    if (monitor !== null) {
      // before any http-request rule, as http_wait_for_request does
      t.monitor = true;
      t.termination = 'LR--';
      this.answerStatus(t, monitor);
      return;
    }
    // option http-buffer-request: the rules wait for the body (buffer-request.ts)
    // (no closure made per request when the frontend does not buffer)
    if (!fe.spec.options.httpBufferRequest || !this.buffering.hold(t, () => this.afterBody(t))) this.afterBody(t);
  }

  // The frontend's rules and what follows them: routing, the backend's rules, the server.
  private afterBody(t: Txn): void {
    const fe = t.fe;
    if (this.applyRequestRules(t, fe.spec)) return;
    if (t.cache?.hit) return this.serveFromCache(t);
    if (this.serveStats(t, fe.spec)) return;
    const be = this.route(t);
    if (!be) {
      // no default_backend and no rule matched: HAProxy answers 503
      t.termination = 'SC--';
      emitRoute(this, t, undefined);
      this.answerStatus(t, 503);
      return;
    }
    t.backend = be;
    be.countSession();
    t.backendChosen();
    persistenceStart(t, be);
    emitRoute(this, t, be.name);
    // option http-buffer-request in the backend only: the wait starts as the stream enters it (AN_REQ_HTTP_BODY
    // comes back before the backend's own analysers)
    if (be.spec !== fe.spec && !fe.spec.options.httpBufferRequest && this.buffering.hold(t, () => this.inBackend(t, be), be.spec)) return;
    this.inBackend(t, be);
  }

  // The backend's rules and what follows them: persistence, the unique id, the server.
  private inBackend(t: Txn, be: LiveBackend): void {
    const fe = t.fe;
    const uid = fe.spec.uniqueId;
    if (this.backendContentRejects(t, be.spec)) return;
    if (be.spec !== fe.spec && this.applyRequestRules(t, be.spec)) return;
    if (t.cache?.hit) return this.serveFromCache(t);
    if (be.spec !== fe.spec && this.serveStats(t, be.spec)) return;
    // http_process_request: capture cookie reads the Cookie headers the rules left, before persistence edits them
    this.captureCookie(t);
    // http_process_request: the unique id is made now at the latest, and sent in unique-id-header
    if (uid) {
      const id = t.captures.uniqueIdNow()!;
      if (uid.header !== undefined) t.req.headers.push(uid.header, id);
    }
    // stick match/on: the entry's server takes the request directly (SF_DIRECT), or queues on it when full; else
    // the balancer chooses
    negotiateRequest(t);
    const sticky = be.spec.stickRules.length > 0 ? applyStickingRules(be.spec, t.ctx, be.servers, t.stores) : undefined;
    if (sticky) t.queued = assignChosenServer(be, sticky, { src: t.builtCtx?.src ?? this.src, req: t.req }, this.assignHooks, t);
    else this.assign(t, undefined);
  }

  // The backend's own tcp-request content rules run as the stream enters it, before its http-request rules
  // (AN_REQ_INSPECT_BE); a reject closes the connection without an answer, logged PR-- with no request time.
  private backendContentRejects(t: Txn, be: ProxySpec): boolean {
    const rules = backendContentRules(t.fe.spec, be);
    if (rules.length === 0) return false;
    const head = t.req;
    const htxSize = htxHeadSize(head.method, head.uri, `HTTP/${head.wireVersion}`, head.headers);
    if (contentVerdict(rules, { ...t.ctx, htxSize }, true, undefined, true) !== 'reject') return false;
    t.fe.denied++;
    t.termination = 'PR--';
    t.noRequestTime = true;
    this.abort(t);
    return true;
  }

  // A cache hit: the stored answer in place of a server's (cache/cache-answer.ts).
  private serveFromCache(t: Txn): void {
    this.dropWholeBody(t);
    const a = cachedAnswer(t);
    if ('denial' in a) return this.denyResponse(t, a.denial);
    this.sock.write(a.wire);
    t.respDone = true;
    t.reqDone = true;
    this.finish(t);
  }

  // The stats applet of `px` answers when the request is for its page; an admin POST's form is read first.
  private serveStats(t: Txn, px: ProxySpec): boolean {
    if (!this.host.isStatsRequest(px, t.req.path, t.req.query)) return false;
    t.decidedBy = 'stats';
    const reply = (form: string): void => {
      if (this.closed || this.txn !== t) return;
      this.local(t, statsAnswer(t, this.host.stats(px, t.req, { ...t.ctx, backend: px }, form)));
    };
    const need = t.req.method === 'POST' ? Math.max(0, t.req.contentLength) : 0;
    if (need === 0) reply('');
    else this.awaitBody(need, (body) => reply(body.toString('latin1')));
    return true;
  }

  private bodyWait: { need: number; done: (body: Buffer) => void } | null = null;

  // Collects `need` body bytes of the request being answered here (they would otherwise go to a server).
  private awaitBody(need: number, done: (body: Buffer) => void): void {
    this.bodyWait = { need, done };
    this.takeBody();
  }

  private takeBody(): void {
    const w = this.bodyWait;
    if (!w || !this.buf || this.buf.length < w.need) return;
    const body = this.buf.subarray(0, w.need);
    this.buf = this.buf.length > w.need ? this.buf.subarray(w.need) : null;
    this.bodyWait = null;
    w.done(body);
  }

  // Runs a proxy's http-request rules; returns true when one of them answered the request.
  private applyRequestRules(t: Txn, spec: ProxySpec): boolean {
    const rule = applyRequestRules(t, spec);
    if (!rule) return false;
    if (rule.action === 'deny' || rule.action === 'tarpit') {
      // a denied request's cookies are still read for the log (the deny and tarpit paths of http_process_req_common)
      this.captureCookie(t);
      persistenceOnDeny(t);
    }
    emitRoute(this, t, undefined);
    this.dropWholeBody(t);
    if (rule.action === 'tarpit') {
      tarpit(t, () => !this.closed && this.txn === t, () => {
        const a = ruleAnswer(t, rule);
        if (a) this.local(t, a);
      });
      return true;
    }
    const a = ruleAnswer(t, rule);
    noteAnsweringRule(t, rule);
    if (a) this.local(t, a);
    return true;
  }

  // capture cookie: the request's first cookie that starts with the name, for %CC.
  private captureCookie(t: Txn): void {
    const cc = t.fe.spec.captureCookie;
    if (cc && t.captures.cliCookie === undefined) t.captures.cliCookie = captureRequestCookie(cc, t.req.headers);
  }

  // Before an answer of the proxy's own, a request body that arrived whole is dropped (body-forward.ts).
  private dropWholeBody(t: Txn): void {
    const rest = dropWholeBody(t, this.buf);
    if (rest === undefined) return;
    this.buf = rest;
    // the next request's clock starts once this one ends
    if (!rest) this.tFirstByte = -1;
  }

  // An http-response deny: the server's response is dropped (its connection with it) and the client gets the
  // error page; a keep-alive client connection stays open, as with haproxy.
  private denyResponse(t: Txn, { rule, ctx }: ResponseDenial): void {
    // the reply is built once the server's response is dropped: response fetches find nothing, as in HAProxy
    this.failResponse(t, rule.reply, { ...ctx, res: undefined }, () => noteAnsweringRule(t, rule));
  }

  private route(t: Txn): LiveBackend | undefined {
    const d = chooseBackend(t.fe.spec, t.gen, t.ctx);
    if (d.decidedBy) t.decidedBy = d.decidedBy;
    if (d.rule) t.rule = d.rule;
    return d.backend;
  }

  // ---- server selection and connection -----------------------------------------------------------------------

  assign(t: Txn, avoid: ServerState | undefined): void {
    const direct = avoid === undefined ? persistentServer(t) ?? lastServer(t.backend!, this.conn) : null;
    if (direct) {
      t.queued = assignChosenServer(t.backend!, direct, { src: t.builtCtx?.src ?? this.src, req: t.req }, this.assignHooks, t);
      if (t.queued && t.cookie?.force) t.queued.forced = true;
      return;
    }
    t.queued = assignServer(t.backend!, { src: t.builtCtx?.src ?? this.src, req: t.req, avoid }, t.detailed ? this.host.events : null, t.id, this.assignHooks, t);
  }

  private readonly assignHooks: AssignHooks<Txn> = {
    use: (t, server) => useServer(this, t, server),
    refuse: (t, why) => {
      t.termination = `${why}--`;
      this.answerStatus(t, 503);
    },
    leftQueue: (t) => {
      if (t.queued) t.queuePos = { server: t.queued.server !== undefined, pos: t.queued.pos };
      t.queued = null;
    },
    alive: (t) => this.txn === t,
    // srv_redispatch_connect on SRV_STATUS_FULL: a cookie's server with a full queue is left under option
    // redispatch (unless force-persist chose it), else the request is refused, naming that server
    full: (t, server) => {
      if (t.backend!.spec.options.redispatch && !t.cookie?.force) {
        this.redispatchFrom(t, server);
        return t.queued;
      }
      server.failedConnects++;
      t.failedServer = server;
      t.termination = 'SQ--';
      this.answerStatus(t, 503);
      return null;
    },
    redistributed: (t, server) => this.redispatchFrom(t, server),
  };

  // The request leaves the server its persistence chose: the balancer picks again (logged with '+').
  private redispatchFrom(t: Txn, server: ServerState): void {
    t.redispatched = true;
    persistenceRedispatch(t, server, () => this.assign(t, server));
  }

  sendRequest(t: Txn, conn: ServerConn): void {
    const be = t.backend!;
    const head = buildRequestHead(t.req, {
      forwardFor: be.forwardFor ?? t.fe.forwardFor,
      src: t.builtCtx?.src ?? this.src, // set-src changes what X-Forwarded-For says
      closeServer: closesServerSide(t) || t.req.closeAfter,
      pretendKeepAlive: be.spec.options.httpPretendKeepalive === true,
      originalTo: originalToHeader(t.fe.spec, be.spec, t.builtCtx?.dst ?? this.dst),
    });
    const sock = conn.sock;
    // a body read with the head follows it in the same loop turn: let them leave together
    if (t.req.hasBody) holdWrites(sock);
    sock.write(head, 'latin1');
    be.bytesIn += head.length;
    t.server!.bytesIn += head.length;
    if (be.spec.tcpResponseRules.length > 0) inspectResponse(this, t, conn);
    startRequestBody(t);
    const pending = this.buf;
    if (pending && !t.reqDone) {
      this.buf = null;
      this.forwardRequestBody(t, pending);
    }
  }

  private forwardRequestBody(t: Txn, d: Buffer): void {
    const take = forwardRequestBody(t, d, this.sock);
    if (take < 0) {
      t.termination = 'PR--';
      this.abort(t, 400);
    } else if (!t.tunnel) this.afterRequestBody(t, d, take);
  }

  private afterRequestBody(t: Txn, d: Buffer, take: number): void {
    if (take < d.length) {
      // the rest is the next pipelined request
      this.buf = d.subarray(take);
      this.tFirstByte = Date.now();
    }
    if (t.reqDone && t.respDone) this.finish(t);
  }

  resumeClient(): void {
    if (!this.closed) this.sock.resume();
  }

  // ---- server side -------------------------------------------------------------------------------------------

  onServerData(conn: ServerConn, d: Buffer): void {
    const t = conn.txn!;
    if (t.resInspect?.active) {
      t.resInspect.push(Buffer.from(d));
      return;
    }
    if (t.resp === null) {
      const head = takeResponseHead(t, d, this.sock);
      if (head === null) return;
      if (head === 'malformed') {
        t.termination = 'PH--';
        this.failResponse(t, 502);
      } else if ('denial' in head) this.denyResponse(t, head.denial);
      else this.sendResponseHead(t, conn, head.out, head.rest);
      return;
    }
    this.forwardResponseBody(t, d);
    if (t.respDone) this.responseComplete(t);
  }

  // The final head goes to the client with the body bytes that came with it, or starts a tunnel (101).
  private sendResponseHead(t: Txn, conn: ServerConn, out: string, rest: Buffer | null): void {
    if (t.resp!.status === 101) {
      holdWrites(this.sock);
      this.sock.write(out, 'latin1');
      this.startTunnel(t, conn, rest);
      return;
    }
    startResponseBody(t, t.resp!);
    const body = rest && !t.respDone ? rest : null;
    if (body && t.resp!.framing === 'length' && !t.compressor) sendHeadWithBody(t, out, body, this.sock);
    else if (body) {
      // a chunked body is re-chunked in parts: they leave with the head at the end of this loop turn
      holdWrites(this.sock);
      this.sock.write(out, 'latin1');
      this.forwardResponseBody(t, body);
    } else this.sock.write(out, 'latin1');
    logAsap(this, t);
    if (t.respDone) this.responseComplete(t);
  }

  // The upgrade is done: from here the exchange is a tunnel, like mode tcp. With `timeout tunnel` one idle timer
  // covers both directions (the client socket's, which any byte in or out refreshes), as HAProxy's tunnel timeout
  // does; without it the client and server timeouts go on.
  private startTunnel(t: Txn, conn: ServerConn, early: Buffer | null): void {
    t.tunnel = true;
    t.reqDone = false;
    t.closeClient = true;
    const tunnelMs = t.timeouts.tunnel ?? t.backend?.spec.timeouts.tunnel;
    if (tunnelMs !== undefined) {
      this.setClientTimeout(tunnelMs);
      setServerTimeout(conn, 0);
    } else this.setClientTimeout(t.fe.spec.timeouts.client ?? 0);
    if (early) this.forwardResponseBody(t, early);
    // bytes the client sent after its upgrade request, before the 101
    const pending = this.buf;
    this.buf = null;
    if (pending) this.forwardRequestBody(t, pending);
    this.sock.resume();
  }

  private forwardResponseBody(t: Txn, d: Buffer): void {
    if (forwardResponseBody(t, d, this.sock)) return;
    t.termination = 'SD--';
    this.abort(t);
  }

  private responseComplete(t: Txn): void {
    if (t.cache?.storing) completeCacheStore(t.cache);
    if (t.reqDone) this.finish(t);
    // else: the server answered before the whole body arrived; finish once the body is through
  }

  // the server connection's events (exchange.ts) go to the server side
  onServerClosed(conn: ServerConn): void {
    // the tcp-response rules decide first, on what came (their verdict may end the exchange)
    conn.txn?.resInspect?.serverEnded();
    serverClosed(this, conn);
  }

  onServerError(conn: ServerConn, err: NodeJS.ErrnoException): void {
    serverError(this, conn, err);
  }

  onServerTimeout(conn: ServerConn): void {
    serverTimeout(this, conn);
  }

  // ---- answers and endings -----------------------------------------------------------------------------------

  answerStatus(t: Txn, status: number): void {
    this.dropWholeBody(t);
    this.local(t, statusAnswer(t, status));
  }

  // An answer of the engine's own goes out in place of a server's; the exchange ends with it.
  private local(t: Txn, a: OwnAnswer): void {
    t.status = a.status;
    t.bytesOut += a.size;
    this.sock.write(a.wire);
    t.respDone = true;
    t.reqDone = true;
    this.finish(t);
  }

  // A response that failed before its head reached the client: HAProxy's error page. The client connection stays
  // open when its request was read whole, as HAProxy keeps it.
  failResponse(t: Txn, answer: number | HttpReply, ctx: SampleContext = t.ctx, built?: () => void): void {
    dropServer(t);
    if (!t.reqDone) t.closeClient = true;
    const a = failureAnswer(t, answer, ctx);
    built?.();
    this.local(t, a);
  }

  // Something broke mid-stream: close both sides, log what we had.
  abort(t: Txn, status?: number): void {
    dropServer(t);
    if (status && !t.resp) {
      const a = abortPage(t, status);
      t.status = a.status;
      this.sock.write(a.wire);
      t.bytesOut += a.size;
    }
    if (!t.status) t.status = -1;
    t.closeClient = true;
    t.respDone = true;
    t.reqDone = true;
    this.finish(t, true);
  }

  finish(t: Txn, serverGone = false): void {
    if (this.txn !== t) return;
    this.txn = null;
    this.idleFrom = Date.now();
    const be = t.backend;
    const server = t.server;
    if (t.queued && be) be.dequeue(t.queued);
    releaseServer(t, this.conn, serverGone);
    if (be && server) {
      server.bytesOut += t.bytesOut;
      be.bytesOut += t.bytesOut;
      be.drop(server);
    }
    t.fe.bytesOut += t.bytesOut;
    reportExchange(this, t);
    if (t.closeClient || this.closed) {
      this.sock.end();
      this.close(null);
      return;
    }
    this.sock.resume();
    this.armIdleTimeout();
    if (this.buf) this.parseNext();
  }

  private close(_why: string | null): void {
    if (this.closed) return;
    this.closed = true;
    const t = this.txn;
    if (t) {
      // the client left mid-exchange
      this.txn = null;
      clientLeft(this, t);
    }
    if (!this.sock.destroyed) this.sock.destroySoon();
    // an HTTP/2 stream's connection lives on; the engine releases it when the connection closes
    if (!this.conn.multiplexed) this.conn.release();
    this.seat.detach();
  }
}
