// The engine: listeners → frontends → rules → backends. Owns the generations (one per loaded config), the
// listening sockets (kept across reloads so no connection is refused), limits, logging and runtime changes.
import { startPeerListeners, type PeerListeners } from './peers/peer-listeners.ts';
import type { StickTable } from './stick/stick-table.ts';
import type { SampleValue } from './sample/sample.ts';
import type { VarStore } from './sample/vars.ts';
import { hostname } from 'node:os';
import { ADMIN_ACTIONS, adminOutcome, authorized, DEFAULT_REALM, parseAdminForm, type AdminOutcome, type AdminRequest } from './stats/access.ts';
import { adminRedirect, pageAnswer, unauthorizedAnswer, type StatsAnswer } from './stats/handler.ts';
import type { RequestHead } from './http/request-head.ts';
import type { SampleContext } from './sample/context.ts';
import net from 'node:net';
import type { Engine, EngineOptions, EngineSnapshot, LoadResult, ConfigSource, ServerSnapshot } from './api.ts';
import type { BindSpec, ConfigModel, Mode, ProxySpec } from './config/model.ts';
import { ConfigError, formatDiagnostic } from './config/diagnostics.ts';
import { loadConfig } from './load-config.ts';
import { EventBus } from './events.ts';
import { HttpSession } from './http/http-session.ts';
import { normalizeAddress } from './io/address.ts';
import { OwnedReads } from './io/owned-reads.ts';
import { TcpSession } from './tcp/tcp-session.ts';
import { staticWeightError } from './balance/balancer.ts';
import { createLogSink, type LogLevel, type LogSink, type SyslogHeader } from './log/log-sink.ts';
import { Generation } from './live/generation.ts';
import type { LiveBackend } from './live/live-backend.ts';
import type { ListenerBinding, SessionHost } from './live/session-host.ts';
import { LAB_VERSION } from './runtime-api/views.ts';
import type { AdminState, ServerState } from './server/server-state.ts';
import {
  countUsable, createHealthScheduler, downTimeMs, drainEnterMessage, drainLeaveMessage, maintEnterMessage, maintFromDownMessage,
  maintLeaveMessage, noServerAvailableMessage, recordStateChange, serverDownMessage, serverUpMessage, type HealthScheduler,
} from './server/health/index.ts';
import { ResolverSet } from './dns/resolvers.ts';
import { serverRequester, type ResolutionHost } from './dns/server-resolution.ts';
import { handleStatsRequest } from './stats/index.ts';
import { bindContexts, type BindContexts } from './tls/bind-contexts.ts';
import { acceptTls, HANDSHAKE_FAILURE_TEXT } from './tls/tls-accept.ts';
import { PROXY_ERROR_TEXT, readProxyHeader } from './io/proxy-protocol.ts';
import { bindClientConnection, ClientConnection, clientConnectionOf } from './stream/client-connection.ts';
import { connectionVerdict } from './tcp/tcp-request-rules.ts';
import tls from 'node:tls';
import { haproxyDate } from './log/log-date.ts';

interface Listener {
  readonly key: string;
  readonly server: net.Server;
  binding: ListenerBinding;
  mode: Mode;
  /** A TLS bind's certificates (bind ... ssl), kept current across reloads. */
  tls: BindContexts | undefined;
  /** The listener's id in its frontend (HAProxy's luid: bind order from 1), for connection-error log lines. */
  bindId: number;
  /** bind ... accept-proxy */
  acceptProxy: boolean;
}

const DEFAULT_MAXCONN = 4096;

type ServerStateFrom = ServerState['op'] | AdminState;

export class ProxyEngine implements Engine, SessionHost {
  readonly events: EventBus;
  private gen: Generation;
  private generations = new Set<Generation>();
  private readonly listeners = new Map<string, Listener>();
  private source: ConfigSource;
  private ids = 0;
  private active = 0;
  private readonly waiting: { sock: net.Socket; listener: Listener }[] = [];
  private readonly sinks = new Map<ProxySpec, LogSink>();
  private health: HealthScheduler | null = null;
  private resolvers: ResolverSet[] = [];
  private statsSockets: { close(): Promise<void> } | null = null;
  private peerListeners: PeerListeners | null = null;
  private started = false;
  private readonly startedAt = Date.now();
  private generationCount = 1;
  readonly limits;

  constructor(private readonly opts: EngineOptions) {
    this.events = opts.events ?? new EventBus();
    this.source = opts.source;
    const loaded = loadConfig(opts.source, this.loadOptions());
    if (!loaded.model) throw new ConfigError(loaded.diagnostics);
    this.gen = new Generation(1, loaded.model);
    this.wire(this.gen);
    this.generations.add(this.gen);
    this.limits = headLimits(loaded.model);
    for (const d of loaded.diagnostics) this.events.emit({ kind: 'diagnostic', diagnostic: d });
  }

  get config(): ConfigModel {
    return this.gen.config;
  }

  stickTables(): ReadonlyMap<string, StickTable> {
    return this.gen.tables;
  }

  procVar(name: string): SampleValue | undefined {
    return this.gen.procVars.get(name);
  }

  procVars(): VarStore {
    return this.gen.procVars;
  }

  get actconn(): number {
    return this.active;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) return;
    const opened: Listener[] = [];
    try {
      for (const fe of this.gen.config.frontends) {
        for (const b of fe.binds) opened.push(await this.openListener(fe, b));
      }
      this.peerListeners = await startPeerListeners(this.gen.config.global.peers.values(), this.gen.tables, { warn: this.peersWarn });
    } catch (err) {
      await Promise.all(opened.map((l) => closeServer(l.server)));
      for (const l of opened) this.listeners.delete(l.key);
      throw err;
    }
    this.started = true;
    this.startHealth(this.gen);
    this.startResolvers(this.gen);
    if (this.gen.config.global.statsSockets.length > 0) {
      // loaded only when a config declares a stats socket
      const { startStatsSockets } = await import('./runtime-api/index.ts');
      this.statsSockets = await startStatsSockets(this.gen.config.global.statsSockets, this);
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.health?.stop();
    this.health = null;
    this.stopResolvers();
    await this.statsSockets?.close();
    this.statsSockets = null;
    await this.peerListeners?.close();
    this.peerListeners = null;
    const closing = [...this.listeners.values()].map((l) => closeServer(l.server));
    this.listeners.clear();
    for (const w of this.waiting.splice(0)) w.sock.destroy();
    // connections still open (idle keep-alive, in flight) would keep their timers and the process alive
    for (const sock of this.clients) sock.destroy();
    this.clients.clear();
    for (const g of this.generations) for (const be of g.backends.values()) {
      be.closeIdle();
      be.stopTimers();
    }
    await Promise.all(closing);
    for (const sink of this.sinks.values()) sink.close();
    this.sinks.clear();
    this.globalSink?.close();
    this.globalSink = null;
  }

  async reload(source?: ConfigSource): Promise<LoadResult & { ok: boolean }> {
    const src = source ?? this.source;
    const loaded = loadConfig(src, this.loadOptions());
    if (!loaded.model) {
      this.events.emit({ kind: 'reloaded', ok: false, generation: this.gen.id, diagnostics: loaded.diagnostics });
      return { ...loaded, ok: false };
    }
    const next = new Generation(++this.generationCount, loaded.model);
    this.wire(next);
    // listeners first: a new bind that cannot open leaves the running config untouched
    const wanted = new Map<string, { fe: ProxySpec; bind: BindSpec }>();
    for (const fe of next.config.frontends) for (const b of fe.binds) wanted.set(this.listenKey(fe, b), { fe, bind: b });
    const opened: Listener[] = [];
    if (this.started) {
      try {
        for (const [key, { fe, bind }] of wanted) if (!this.listeners.has(key)) opened.push(await this.openListener(fe, bind));
      } catch (err) {
        await Promise.all(opened.map((l) => closeServer(l.server)));
        for (const l of opened) this.listeners.delete(l.key);
        const diagnostics = [...loaded.diagnostics, { severity: 'alert' as const, message: (err as Error).message }];
        this.events.emit({ kind: 'reloaded', ok: false, generation: this.gen.id, diagnostics });
        return { model: null, diagnostics, ok: false };
      }
    }
    const old = this.gen;
    this.gen = next;
    this.generations.add(next);
    this.source = src;
    for (const [key, l] of this.listeners) {
      const w = wanted.get(key);
      if (w) {
        l.binding = { frontend: w.fe.name, address: l.binding.address, port: l.binding.port, configPort: w.bind.port || l.binding.port };
        l.mode = w.fe.mode;
        l.tls = w.bind.ssl ? bindContexts(w.bind.ssl) : undefined;
        l.bindId = w.fe.binds.indexOf(w.bind) + 1;
        next.frontends.get(w.fe.name)?.listening.push(`${l.binding.address}:${l.binding.port}`);
      } else {
        this.listeners.delete(key);
        void closeServer(l.server);
      }
    }
    this.health?.stop();
    this.stopResolvers();
    if (this.started) {
      this.startHealth(next);
      this.startResolvers(next);
      // the old sections stop, then teach the new ones their tables (the lesson HAProxy's old process gives)
      const previous = this.peerListeners;
      await previous?.close();
      this.peerListeners = null;
      try {
        this.peerListeners = await startPeerListeners(next.config.global.peers.values(), next.tables, { previous, warn: this.peersWarn });
      } catch (err) {
        this.events.emit({ kind: 'diagnostic', diagnostic: { severity: 'alert', message: (err as Error).message } });
      }
    }
    this.retire(old);
    for (const d of loaded.diagnostics) this.events.emit({ kind: 'diagnostic', diagnostic: d });
    this.events.emit({ kind: 'reloaded', ok: true, generation: next.id, diagnostics: loaded.diagnostics });
    return { ...loaded, ok: true };
  }

  // A backend that loses its last usable server through a runtime change is logged as HAProxy logs it (the
  // health scheduler logs the same sentence itself for check-driven changes).
  private wire(g: Generation): void {
    for (const be of g.backends.values()) {
      be.onAvailability = (b, up) => {
        if (!up && !this.inHealthTransition) {
          this.logGlobal(noServerAvailableMessage(b.name, b.spec.kind === 'listen' ? 'listen' : 'backend'), 'emerg');
        }
      };
    }
  }

  private inHealthTransition = false;

  private loadOptions(): { localPeer?: string } {
    return this.opts.localPeer !== undefined ? { localPeer: this.opts.localPeer } : {};
  }

  private readonly peersWarn = (message: string): void => {
    this.events.emit({ kind: 'diagnostic', diagnostic: { severity: 'warning', message } });
  };

  private retire(g: Generation): void {
    if (g === this.gen || g.active > 0) return;
    for (const be of g.backends.values()) {
      be.closeIdle();
      be.stopTimers();
    }
    this.generations.delete(g);
    for (const fe of g.config.frontends) {
      const sink = this.sinks.get(fe);
      if (sink) {
        sink.close();
        this.sinks.delete(fe);
      }
    }
  }

  private listenKey(fe: ProxySpec, b: BindSpec): string {
    const { host, port } = this.bindAddress(fe, b);
    return `${fe.mode}|${host}|${port}`;
  }

  private bindAddress(fe: ProxySpec, b: BindSpec): { host: string; port: number } {
    // an inherited socket is already bound where its owner put it: the key is the fd, the address comes at listen
    if (b.fd !== undefined) return { host: `fd@${b.fd}`, port: 0 };
    if (this.opts.mapBind) return this.opts.mapBind(b, fe.name);
    return { host: b.host ?? this.opts.anyAddress ?? '0.0.0.0', port: b.port };
  }

  private openListener(fe: ProxySpec, b: BindSpec): Promise<Listener> {
    const { host, port } = this.bindAddress(fe, b);
    const key = `${fe.mode}|${host}|${port}`;
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    const listener: Listener = {
      key, server, binding: { frontend: fe.name, address: host, port, configPort: b.port }, mode: fe.mode, tls: b.ssl ? bindContexts(b.ssl) : undefined,
      bindId: fe.binds.indexOf(b) + 1, acceptProxy: b.acceptProxy === true,
    };
    server.on('connection', (sock) => this.accept(sock, listener));
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'Address already in use' : err.code === 'EACCES' ? 'Permission denied' : err.message;
        reject(new Error(`Starting ${fe.kind === 'listen' ? 'proxy' : 'frontend'} ${fe.name}: cannot bind socket (${why}) [${host}:${port}]` +
          (err.code === 'EACCES' && port < 1024 ? ` — ports below 1024 need root; map it elsewhere (lab proxy --map ${port}=8${String(port).padStart(3, '0')})` : '')));
      });
      const listening = (): void => {
        const { address, port: bound } = listenedAddress(server, host);
        (listener as { binding: ListenerBinding }).binding = { frontend: fe.name, address, port: bound, configPort: b.port || bound };
        this.listeners.set(key, listener);
        this.gen.frontends.get(fe.name)?.listening.push(`${address}:${bound}`);
        if (this.events.wants.listening) {
          this.events.emit({ kind: 'listening', frontend: fe.name, address, port: bound, mode: fe.mode });
        }
        resolve(listener);
      };
      if (b.fd !== undefined) server.listen({ fd: b.fd, backlog: 1024 }, listening);
      else server.listen({ host, port, backlog: 1024 }, listening);
    });
  }

  // ---- connections -------------------------------------------------------------------------------------------

  // Whether the listener's frontend may take one more connection (global and frontend maxconn).
  private hasRoom(listener: Listener): boolean {
    const globalMax = this.gen.config.global.maxconn || DEFAULT_MAXCONN;
    if (this.active >= globalMax) return false;
    const fe = this.gen.frontends.get(listener.binding.frontend);
    return !fe || fe.current < (fe.spec.maxconn || globalMax);
  }

  private accept(sock: net.Socket, listener: Listener): void {
    if (!this.hasRoom(listener) || this.waiting.some((w) => w.listener === listener)) {
      // over maxconn: like a paused listener, the connection waits unread until a slot frees
      sock.pause();
      this.waiting.push({ sock, listener });
      sock.once('close', () => {
        const i = this.waiting.findIndex((w) => w.sock === sock);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      return;
    }
    this.open(sock, listener);
  }

  /** Every client connection open now, so stop() can close them as HAProxy's hard stop does. */
  private readonly clients = new Set<net.Socket>();

  private open(accepted: net.Socket, listener: Listener): void {
    const fe = this.gen.frontends.get(listener.binding.frontend);
    const conn = new ClientConnection(accepted, listener.binding.configPort);
    // tcp-request connection rules run at accept, on the socket's own addresses, before any PROXY header or TLS
    // handshake (session_accept_fd); expect-proxy asks for the header as accept-proxy does
    let expectProxy = listener.acceptProxy;
    const rules = fe?.spec.tcpRequestRules ?? [];
    if (fe && rules.some((r) => r.stage === 'connection')) {
      const v = connectionVerdict(rules, conn.context(this.gen, fe.spec));
      if (v.verdict === 'reject') {
        // closed before a session exists: no log line (HAProxy resets it)
        fe.totalConnections++;
        fe.denied++;
        conn.release();
        accepted.destroy();
        return;
      }
      expectProxy ||= v.expectProxy;
    }
    // a clear-text connection reads into a buffer of its own (no Buffer per read); TLS ones as Node reads them, and
    // so do those that wait for a PROXY header (read the ordinary way first). An HTTP session copies what it keeps
    // of each read, so its connections share one buffer.
    const owned = listener.tls || expectProxy ? null : OwnedReads.adopt(accepted, true, { copying: listener.mode !== 'tcp' });
    const sock = owned ? owned.sock : accepted;
    bindClientConnection(sock, conn);
    this.clients.add(sock);
    sock.once('close', () => {
      this.clients.delete(sock);
      conn.release();
    });
    if (expectProxy) {
      this.readProxyHeader(sock, listener, conn);
      return;
    }
    this.handshake(sock, listener, conn, owned);
  }

  // accept-proxy / expect-proxy: the PROXY header comes before anything else, TLS included (conn_recv_proxy).
  private readProxyHeader(sock: net.Socket, listener: Listener, conn: ClientConnection): void {
    const fe = this.gen.frontends.get(listener.binding.frontend);
    const accepted = Date.now();
    readProxyHeader(sock, fe?.spec.timeouts.client ?? 0, (r) => {
      if ('addrs' in r) {
        conn.carry(r.addrs);
        conn.handshaken = true;
        this.handshake(sock, listener, conn);
        return;
      }
      const client = `${normalizeAddress(sock.remoteAddress ?? '')}:${sock.remotePort ?? 0}`;
      if (fe && !(fe.spec.options.dontlognull && r.bytes === 0)) this.logEmbryonic(fe.spec, listener, client, accepted, PROXY_ERROR_TEXT[r.error]);
      sock.destroy();
    });
  }

  private handshake(sock: net.Socket, listener: Listener, conn: ClientConnection, owned: OwnedReads | null = null): void {
    // option clitcpka / tcpka: the kernel probes an idle client connection (SO_KEEPALIVE)
    if (this.gen.frontends.get(listener.binding.frontend)?.spec.options.cliTcpKa) sock.setKeepAlive(true);
    if (listener.tls) {
      const fe = this.gen.frontends.get(listener.binding.frontend);
      const accepted = Date.now();
      const client = `${normalizeAddress(sock.remoteAddress ?? '')}:${sock.remotePort ?? 0}`;
      acceptTls(sock, listener.tls, fe?.spec.timeouts.client ?? 0, {
        secure: (t) => {
          bindClientConnection(t, conn);
          // an HTTP/1 session copies what it keeps of a read, so its decrypted bytes can land in the shared buffer
          const owned = listener.mode === 'tcp' || t.alpnProtocol === 'h2' ? null : OwnedReads.adoptTls(t);
          this.startSession(t, listener, conn, true, owned);
        },
        failed: (why) => {
          const spec = fe?.spec;
          if (!spec || (spec.options.dontlognull && why !== 'handshake' && why !== 'timeout')) return;
          this.logEmbryonic(spec, listener, client, accepted, HANDSHAKE_FAILURE_TEXT[why]);
        },
      });
    } else this.startSession(sock, listener, conn, conn.handshaken, owned);
    sock.resume();
  }

  // The tcp-request session rules, then the session of the listener's mode; it finds its client connection through
  // its socket (bindClientConnection). `handshaken`: a PROXY header or a TLS handshake came first.
  private startSession(sock: net.Socket, listener: Listener, conn: ClientConnection, handshaken: boolean, owned: OwnedReads | null = null): void {
    const fe = this.gen.frontends.get(listener.binding.frontend);
    if (fe && conn.startSession(this.gen, fe.spec) === 'reject') {
      // a session refused after a handshake ends as an embryonic one, logged with no error ("Success" is
      // conn_err_code_str of none); without one it is freed silently (session_accept_fd)
      if (handshaken && !fe.spec.options.dontlognull) this.logEmbryonic(fe.spec, listener, `${conn.src}:${conn.srcPort}`, conn.acceptedAt, 'Success');
      fe.totalConnections++;
      fe.denied++;
      conn.release();
      sock.destroy();
      return;
    }
    if (listener.mode === 'tcp') new TcpSession(this, listener.binding, sock, owned);
    else if (sock instanceof tls.TLSSocket && sock.alpnProtocol === 'h2') this.serveH2(sock, null, listener.binding);
    else new HttpSession(this, listener.binding, sock, owned);
  }

  // An embryonic session's error line (session_kill_embryonic), when the frontend logs traffic.
  private logEmbryonic(spec: ProxySpec, listener: Listener, client: string, acceptedAt: number, text: string): void {
    if (!(spec.options.httplog || spec.options.tcplog || spec.logFormat !== undefined) || !this.wantsLog(spec, true)) return;
    this.log(spec, `${client} [${haproxyDate(acceptedAt)}] ${spec.name}/${listener.bindId}: ${text}`);
  }

  // node:http2 and the engine's HTTP/2 side are loaded on the first HTTP/2 connection, not at start: they are about
  // 2 MiB of the process's memory, and most configs never see one. The socket stays paused until then.
  serveH2(sock: net.Socket, head: Buffer | null, binding: ListenerBinding): void {
    // every stream is a session of the same client connection: its rules ran once, its counters count once
    const conn = clientConnectionOf(sock, binding.configPort);
    conn.multiplexed = true;
    sock.once('close', () => conn.release());
    sock.pause();
    loadH2().then(
      (h2) => {
        if (sock.destroyed) return;
        h2.serveH2(sock, head, (stream) => {
          bindClientConnection(stream, conn);
          new HttpSession(this, binding, stream);
        });
      },
      () => sock.destroy(),
    );
  }

  resolve(frontend: string) {
    const fe = this.gen.frontends.get(frontend);
    return fe ? { gen: this.gen, fe } : null;
  }

  nextId(): number {
    return ++this.ids;
  }

  sessionOpened(gen: Generation): void {
    this.active++;
    gen.active++;
  }

  sessionClosed(gen: Generation): void {
    this.active--;
    gen.active--;
    if (gen !== this.gen && gen.active === 0) this.retire(gen);
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (w.sock.destroyed) this.waiting.splice(i, 1);
      else if (this.hasRoom(w.listener)) {
        this.waiting.splice(i, 1);
        this.open(w.sock, w.listener);
      } else i++;
    }
  }

  wantsLog(proxy: ProxySpec, detailed: boolean): boolean {
    if (proxy.logs.length > 0 || this.opts.logSink !== undefined) return true;
    return this.events.wants.log && (detailed || !this.events.capped);
  }

  log(proxy: ProxySpec, line: string, level: LogLevel = 'info'): void {
    if (this.events.wants.log) this.events.emit({ kind: 'log', line });
    if (this.opts.logSink) {
      this.opts.logSink(line);
      return;
    }
    let sink = this.sinks.get(proxy);
    if (!sink) this.sinks.set(proxy, (sink = createLogSink(proxy.logs, this.syslogHeader(proxy.logTag))));
    sink.write(line, level);
  }

  // A message about the process or a server (state changes), sent to the global log targets.
  private logGlobal(line: string, level: LogLevel): void {
    if (this.events.wants.log) this.events.emit({ kind: 'log', line });
    if (this.opts.logSink) return this.opts.logSink(line);
    const targets = this.gen.config.global.logs;
    if (targets.length === 0) return;
    this.globalSink ??= createLogSink(targets, this.syslogHeader(undefined));
    this.globalSink.write(line, level);
  }

  private globalSink: LogSink | null = null;

  private syslogHeader(proxyTag: string | undefined): SyslogHeader {
    const g = this.gen.config.global;
    const tag = proxyTag ?? g.logTag ?? 'haproxy';
    return g.logSendHostname !== undefined ? { tag, hostname: g.logSendHostname } : { tag };
  }

  addressOf(server: ServerState): { host: string; port: number } {
    if (this.opts.mapServer) {
      const mapped = this.opts.mapServer(server.spec, server.backend);
      // a resolved server's address is DNS's (only its port is the caller's to move)
      return this.resolvers.length > 0 && server.spec.resolvers !== undefined ? { host: server.host, port: mapped.port } : mapped;
    }
    return { host: server.host, port: server.port };
  }

  isStatsRequest(px: ProxySpec, path: string, query: string | null): boolean {
    if (!px.stats?.enabled) return false;
    return (query === null ? path : `${path}?${query}`).startsWith(px.stats.uri);
  }

  stats(px: ProxySpec, req: RequestHead, ctx: SampleContext, body: string): StatsAnswer {
    const spec = px.stats!;
    if (!authorized(spec, req.header('authorization'))) return unauthorizedAnswer(spec.realm ?? DEFAULT_REALM);
    const uri = spec.uri;
    const full = req.query === null ? req.path : `${req.path}?${req.query}`;
    const rest = full.slice(uri.length);
    const admin = spec.admin ? spec.admin.test(ctx) === (spec.admin.polarity === 'if') : false;
    if (req.method === 'POST') return adminRedirect(uri, admin ? this.statsAdmin(parseAdminForm(body)) : 'DENY');
    const snapshot = scoped(this.snapshot(), spec.scope, px.name);
    const refresh = spec.refresh !== undefined && !rest.includes(';norefresh') ? Math.round(spec.refresh / 1000) : undefined;
    // the page's links depend on a refresh being configured, whether or not ;norefresh turned it off
    const configured = spec.refresh !== undefined ? Math.round(spec.refresh / 1000) : undefined;
    const page = handleStatsRequest(rest, snapshot, {
      uri, config: this.gen.config, ...(configured !== undefined ? { refresh: configured } : {}), admin, hideVersion: spec.hideVersion ?? false,
      showLegends: spec.showLegends ?? false, version: LAB_VERSION,
      ...(spec.showNode !== undefined ? { node: spec.showNode || hostname() } : {}),
      ...(spec.showDesc !== undefined && spec.showDesc !== '' ? { desc: spec.showDesc } : {}),
      ...(/;st=([A-Z]+)/.exec(rest) ? { outcome: /;st=([A-Z]+)/.exec(rest)![1]! } : {}),
    });
    return pageAnswer(page, refresh);
  }

  // Carries out the page form's action on the named servers of one backend ("#ID" or its name).
  private statsAdmin(form: AdminRequest): AdminOutcome {
    const action = ADMIN_ACTIONS[form.action];
    const key = form.backend;
    const be = [...this.gen.backends.values()].find((b) => (key.startsWith('#') ? `#${b.spec.id}` === key : b.name === key));
    if (!action || !be) return 'ERRP';
    let changed = 0;
    // HAProxy reads the form from its end, so the last checked server changes first
    for (const name of [...form.servers].reverse()) {
      if (!be.servers.some((s) => s.name === name)) continue;
      if (action.kind === 'admin') this.setServerAdmin(be.name, name, action.state);
      else this.setServerHealth(be.name, name, action.state);
      changed++;
    }
    return adminOutcome(form.servers.length, changed);
  }

  // ---- health ------------------------------------------------------------------------------------------------

  private startHealth(gen: Generation): void {
    if (this.opts.healthChecks === false) return;
    const backends = [...gen.backends.values()].map((be) => ({
      spec: be.spec, servers: be.servers, dynamic: !be.isStatic, load: () => ({ connections: be.served, queued: be.queue.length }),
    }));
    if (!backends.some((b) => b.servers.some((s) => s.spec.check || s.spec.agent))) return;
    this.health = createHealthScheduler(backends, {
      transition: (server, to, message) => {
        const be = gen.backends.get(server.backend);
        if (!be) return;
        const from = server.op;
        this.inHealthTransition = true;
        try {
          if (to === 'stopping') be.setStopping(server);
          else be.setOperational(server, to === 'up');
        } finally {
          this.inHealthTransition = false;
        }
        // the scheduler logs HAProxy's sentences itself (host.log below)
        if (this.events.wants['server-state']) {
          this.events.emit({ kind: 'server-state', backend: be.name, server: server.name, from, to, message });
        }
      },
      log: (line) => this.logGlobal(line, line.includes('has no server available') ? 'emerg' : line.includes(' is DOWN') ? 'alert' : 'notice'),
      emitCheck: (e) => this.events.emit(e),
      wantsCheck: () => this.events.wants.check,
      agentAdmin: (server, state) => this.setServerAdmin(server.backend, server.name, state),
      agentWeight: (server, weight) => gen.backends.get(server.backend)?.setWeight(server, weight),
      agentMaxconn: (server, maxconn) => gen.backends.get(server.backend)?.setMaxconn(server, maxconn),
    }, { addressOf: (s) => this.checkAddress(s), agentAddressOf: (s) => this.agentAddress(s) });
    this.health.start();
  }

  // The agent's address goes through the same mapping as the server's and its check's (the lab keeps it on loopback).
  private agentAddress(s: ServerState): { host: string; port: number } {
    const agent = s.spec.agent!;
    // mapped, the agent goes to the server's place on agent-port (agent-addr is dropped, as the lab's haproxy copy drops it)
    if (this.opts.mapServer) return { host: this.opts.mapServer(s.spec, s.backend).host, port: agent.port };
    return { host: agent.addr ?? this.addressOf(s).host, port: agent.port };
  }

  private checkAddress(s: ServerState): { host: string; port: number } {
    // A check address ("addr", "port") is an address too: whoever moves servers (the lab keeps every packet on
    // loopback) moves it the same way.
    if (this.opts.mapServer && (s.spec.checkAddr !== undefined || s.spec.checkPort !== undefined)) {
      return this.opts.mapServer({ ...s.spec, host: s.spec.checkAddr ?? s.spec.host, port: s.spec.checkPort ?? s.spec.port }, s.backend);
    }
    const a = this.addressOf(s);
    return { host: s.spec.checkAddr ?? a.host, port: s.spec.checkPort ?? a.port };
  }

  // ---- DNS resolution ----------------------------------------------------------------------------------------

  // One ResolverSet per resolvers section some server uses (unless the caller turned them off: the lab's
  // episodes and playground map every server onto its own stand-ins).
  private startResolvers(gen: Generation): void {
    if (this.opts.resolvers === false) {
      // nothing will answer for "init-addr none" servers: the caller's mapping places them instead
      for (const be of gen.backends.values()) {
        for (const s of be.servers) {
          if (s.maintCause !== 'resolution') continue;
          delete s.maintCause;
          s.host = s.spec.host;
          s.health = s.spec.rise;
          be.setOperational(s, true);
          be.setAdmin(s, 'ready');
        }
      }
      return;
    }
    const sets = new Map<string, ResolverSet>();
    for (const be of gen.backends.values()) {
      for (const s of be.servers) {
        const name = s.spec.resolvers;
        const spec = name !== undefined ? gen.config.global.resolvers.get(name) : undefined;
        if (!spec || s.spec.fqdn === undefined) continue;
        let set = sets.get(spec.name);
        if (!set) sets.set(spec.name, (set = new ResolverSet(spec, { warn: (m) => this.logGlobal(m, 'warning') })));
        set.add(serverRequester(s, spec, this.resolutionHost(be)));
      }
    }
    this.resolvers = [...sets.values()];
    for (const r of this.resolvers) r.start();
  }

  private stopResolvers(): void {
    for (const r of this.resolvers) r.stop();
    this.resolvers = [];
  }

  private resolutionHost(be: LiveBackend): ResolutionHost {
    return {
      changeAddress: (s, ip, via) => {
        const old = s.host || '(none)';
        s.host = ip;
        this.logGlobal(`${s.backend}/${s.name} changed its IP from ${old} to ${ip} by ${via}.`, 'notice');
      },
      enterResolutionMaint: (s, cause) => {
        const from = s.admin;
        const wasUp = s.op !== 'down';
        const counts = countUsable(be.servers, { server: s, admin: 'maint' });
        const message = wasUp ? maintEnterMessage(s, counts, cause) : maintFromDownMessage(s, cause);
        if (wasUp) recordStateChange(s, 'down', Date.now());
        const hadUsable = be.hasUsableServer;
        this.inHealthTransition = true;
        try {
          s.maintCause = 'resolution';
          be.setAdmin(s, 'maint');
          s.health = 0;
          be.setOperational(s, false);
        } finally {
          this.inHealthTransition = false;
        }
        // the address is forgotten until a valid answer brings one (snr_resolution_error_cb)
        s.host = '';
        this.announce(be, s, from, 'maint', message);
        if (hadUsable && !be.hasUsableServer) this.logGlobal(noServerAvailableMessage(be.name, be.spec.kind === 'listen' ? 'listen' : 'backend'), 'emerg');
      },
      leaveResolutionMaint: (s) => {
        recordStateChange(s, 'up', Date.now());
        // checks restart at rise; a server without checks keeps the 0 maintenance left (srv_update_status)
        s.health = s.spec.check ? s.spec.rise : 0;
        delete s.maintCause;
        be.setOperational(s, true);
        be.setAdmin(s, 'ready');
        const label = `${s.backup ? 'Backup ' : ''}Server ${s.backend}/${s.name}`;
        this.announce(be, s, 'maint', 'ready', `${label} ('${s.spec.fqdn}') is UP/READY (resolves again).`);
        this.logGlobal(`Server ${s.backend}/${s.name} administratively READY thanks to valid DNS answer.`, 'notice');
      },
    };
  }

  // ---- runtime changes ---------------------------------------------------------------------------------------

  private find(backend: string, server: string): { be: LiveBackend; s: ServerState } {
    const be = this.gen.backends.get(backend);
    if (!be) throw new Error('No such backend.');
    const s = be.byName.get(server);
    if (!s) throw new Error('No such server.');
    return { be, s };
  }

  setWeight(backend: string, server: string, weight: number): void {
    const { be, s } = this.find(backend, server);
    if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new Error('Absolute value out of range.\n');
    const refused = staticWeightError(!be.isStatic, s.spec.weight, weight);
    if (refused) throw new Error(`${refused}\n`);
    be.setWeight(s, weight);
  }

  // Maintenance and drain as HAProxy's CLI sets them: maint takes the server DOWN with health 0, leaving it
  // brings it back at health = rise; each change is logged with HAProxy's sentence.
  setServerAdmin(backend: string, server: string, state: AdminState): void {
    const { be, s } = this.find(backend, server);
    const from = s.admin;
    if (from === state) return;
    const wasUp = s.op !== 'down';
    const now = Date.now();
    let message: string;
    if (state === 'maint') {
      const counts = countUsable(be.servers, { server: s, admin: 'maint' });
      message = wasUp ? maintEnterMessage(s, counts) : maintFromDownMessage(s);
      if (wasUp) recordStateChange(s, 'down', now);
      const hadUsable = be.hasUsableServer;
      this.inHealthTransition = true; // the backend's alert follows the server's sentence, as HAProxy logs them
      try {
        be.setAdmin(s, 'maint');
        s.health = 0;
        be.setOperational(s, false);
      } finally {
        this.inHealthTransition = false;
      }
      this.announce(be, s, from, state, message);
      if (hadUsable && !be.hasUsableServer) this.logGlobal(noServerAvailableMessage(be.name, be.spec.kind === 'listen' ? 'listen' : 'backend'), 'emerg');
      return;
    } else if (from === 'maint') {
      recordStateChange(s, 'up', now);
      s.health = s.spec.rise;
      be.setOperational(s, true);
      be.setAdmin(s, state);
      message = maintLeaveMessage(s, true, state === 'drain');
    } else if (state === 'drain') {
      message = drainEnterMessage(s, countUsable(be.servers, { server: s, admin: 'drain' }));
      be.setAdmin(s, 'drain');
    } else {
      be.setAdmin(s, 'ready');
      message = drainLeaveMessage(s, s.op !== 'down');
    }
    this.announce(be, s, from, state, message);
  }

  // `set server BE/SRV health up|down`: forces the check state, as HAProxy logs "changed from CLI".
  setServerHealth(backend: string, server: string, state: 'up' | 'down'): void {
    const { be, s } = this.find(backend, server);
    const from = s.op;
    const up = state === 'up';
    s.health = up ? s.spec.rise + s.spec.fall - 1 : 0;
    if ((from !== 'down') === up) return;
    recordStateChange(s, up ? 'up' : 'down', Date.now());
    const counts = countUsable(be.servers, { server: s, op: up ? 'up' : 'down' });
    be.setOperational(s, up);
    if (s.admin === 'maint') return;
    const message = up ? serverUpMessage(s, 'changed from CLI', counts) : serverDownMessage(s, 'changed from CLI', counts);
    this.announce(be, s, from, s.op, message);
  }

  private announce(be: LiveBackend, s: ServerState, from: ServerStateFrom, to: ServerStateFrom, message: string): void {
    this.logGlobal(message, to === 'up' || to === 'ready' ? 'notice' : 'alert');
    if (this.events.wants['server-state']) {
      this.events.emit({ kind: 'server-state', backend: be.name, server: s.name, from, to, message });
    }
  }

  snapshot(): EngineSnapshot {
    const g = this.gen;
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      generation: g.id,
      frontends: [...g.frontends.values()].map((f) => ({
        name: f.name, id: f.spec.id, mode: f.spec.mode, listening: [...f.listening], current: f.current,
        maxconn: f.spec.maxconn || g.config.global.maxconn || DEFAULT_MAXCONN, responses: [...f.responses],
        totalConnections: f.totalConnections, requests: f.requests, denied: f.denied, deniedResponses: f.deniedResponses, errors: f.errors,
        bytesIn: f.bytesIn, bytesOut: f.bytesOut,
      })),
      backends: [...g.backends.values()].map((b) => ({
        name: b.name, id: b.spec.id, mode: b.spec.mode, algorithm: b.spec.balance.algorithm,
        servers: b.servers.map((s) => this.serverSnapshot(s)), queued: b.queue.length,
        totalConnections: b.totalConnections, bytesIn: b.bytesIn, bytesOut: b.bytesOut, deniedResponses: b.deniedResponses,
        fullconn: b.spec.fullconn, downTransitions: b.downTransitions, lastStateChange: b.lastStateChange,
        responses: [...b.responses],
        downTimeMs: b.downTimeMs + (b.hasUsableServer ? 0 : Date.now() - b.lastStateChange),
      })),
    };
  }

  private serverSnapshot(s: ServerState): ServerSnapshot {
    const a = this.addressOf(s);
    return {
      name: s.name, id: s.id, address: `${a.host}:${a.port}`, weight: s.userWeight, effectiveWeight: s.effectiveWeight,
      op: s.op, admin: s.admin, backup: s.backup, check: s.spec.check, health: s.health, rise: s.spec.rise,
      fall: s.spec.fall, served: s.served, queued: s.queued, maxconn: s.maxconnSetting, totalConnections: s.totalConnections,
      bytesIn: s.bytesIn, bytesOut: s.bytesOut, failedConnects: s.failedConnects, deniedResponses: s.deniedResponses, lastCheck: s.lastCheck, checkRunning: s.checkRunning,
      ...(s.maintCause ? { maintCause: s.maintCause } : {}), ...(s.spec.fqdn !== undefined ? { fqdn: s.spec.fqdn } : {}),
      lastStateChange: s.lastStateChange, failedChecks: s.failedChecks, failedHana: s.failedHana,
      ...(s.warmSince !== undefined ? { warmSince: s.warmSince } : {}), downTransitions: s.downTransitions,
      downTimeMs: downTimeMs(s, Date.now()), responses: [...s.responses],
      ...(s.agent && s.spec.agent
        ? {
            agent: {
              health: s.agent.health, running: s.agent.running, port: s.spec.agent.port,
              ...(s.spec.agent.addr !== undefined ? { addr: s.spec.agent.addr } : {}),
              ...(s.agent.lastCheck ? { lastCheck: s.agent.lastCheck } : {}),
            },
          }
        : {}),
    };
  }
}

function headLimits(model: ConfigModel) {
  const bufsize = model.global.bufsize || 16384;
  // HAProxy keeps tune.maxrewrite (1024 by default) of the buffer free for rewrites
  return { maxHeadBytes: bufsize - Math.min(1024, bufsize / 2), maxHeaders: model.global.maxhdr || 101 };
}

// Where a listener listens: the address asked for, or for an inherited fd@ socket what getsockname says (a UNIX
// socket's path, with port 0).
function listenedAddress(server: net.Server, asked: string): { address: string; port: number } {
  const addr = server.address();
  if (typeof addr === 'string') return { address: addr, port: 0 };
  if (addr === null) return { address: asked, port: 0 };
  return { address: asked.startsWith('fd@') ? addr.address : asked, port: addr.port };
}

function closeServer(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

// Builds an engine from a config; throws ConfigError (with every diagnostic) when the config has alerts.
let h2Module: Promise<typeof import('./h2/h2-connection.ts')> | null = null;
function loadH2(): Promise<typeof import('./h2/h2-connection.ts')> {
  return (h2Module ??= import('./h2/h2-connection.ts'));
}

export function createEngine(opts: EngineOptions): Engine {
  return new ProxyEngine(opts);
}

export { formatDiagnostic };

// `stats scope`: only the named proxies ("." is the stats proxy itself) appear on the page and in the CSV.
function scoped(snap: EngineSnapshot, scope: readonly string[] | undefined, self: string): EngineSnapshot {
  if (!scope || scope.length === 0) return snap;
  const names = new Set(scope.map((n) => (n === '.' ? self : n)));
  return { ...snap, frontends: snap.frontends.filter((f) => names.has(f.name)), backends: snap.backends.filter((b) => names.has(b.name)) };
}
