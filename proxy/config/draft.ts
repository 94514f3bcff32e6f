// The mutable state a section builds while its lines are read; finalize() freezes it into the ConfigModel types.
// A new proxy starts as a copy of its defaults section's draft, as HAProxy's proxy_defproxy_cpy() does.
import { inheritCompression, type CompressionDraft } from '../compression/compression-keyword.ts';
import type { CacheSpec } from '../cache/cache-section.ts';
import { hostname } from 'node:os';
import type { SampleValue } from '../sample/sample.ts';
import type { ArgReference } from '../sample/arg-refs.ts';
import type { CompiledCondition } from '../acl/index.ts';
import type { SourceLoc } from './diagnostics.ts';
import { finalizeServerTls, newGlobalSslDraft, type GlobalSslDraft, type ServerTlsDraft } from './ssl-draft.ts';
import type { LogFormatter } from '../log/log-format.ts';
import type { ErrorPage } from '../http/error-pages.ts';
import type { HttpReply } from '../http/actions/http-reply.ts';
import type { RedirectRule } from '../http/actions/final-actions.ts';
import type { StickTableSpec } from '../stick/table-spec.ts';
import type {
  CheckTlsSpec,
  BalanceSpec,
  CaptureSlot,
  BindSpec,
  CookieSpec,
  GlobalSpec,
  HttpRequestRule,
  HttpResponseRule, HttpAfterResponseRule,
  HttpCheckExpect,
  LogTarget,
  Mode,
  ProxyOptions,
  PersistRule,
  ServerSpec,
  ServerOnError,
  StatsSocketSpec,
  ResolversSpec,
  PeersSpec,
  StatsSpec,
  TcpCheckRuleSpec,
  StickRule,
  TcpRequestRule,
  TcpResponseRule,
  Timeouts,
  UseBackendRule,
} from './model.ts';

export type ProxyKind = 'frontend' | 'backend' | 'listen' | 'defaults';

/** Server settings a "default-server" line sets and "server" lines start from. */
export interface ServerDefaults {
  weight: number;
  check: boolean;
  inter: number;
  fastinter?: number;
  downinter?: number;
  rise: number;
  fall: number;
  backup: boolean;
  disabled: boolean;
  maxconn: number;
  maxqueue: number;
  /** "pool-max-conn N": idle connections kept for reuse; absent or -1: no limit. */
  poolMaxConn?: number;
  checkAddr?: string;
  checkPort?: number;
  /** send-proxy / send-proxy-v2; 0 or absent: none. */
  sendProxy?: 0 | 1 | 2;
  /** send-proxy-v2-ssl (1) / send-proxy-v2-ssl-cn (2): the v2 header carries the client's TLS. */
  proxyV2Ssl?: 0 | 1 | 2;
  /** "cookie VALUE" (default-server may give one too). */
  cookie?: string;
  /** Server TLS settings as parsed; `use` says whether "ssl" was given (default-server may set options only). */
  ssl?: ServerTlsDraft;
  resolvers?: string;
  resolvePrefer?: 'ipv4' | 'ipv6';
  initAddr?: string[];
  /** agent-check and its agent-port / agent-addr / agent-inter / agent-send. */
  agentCheck?: boolean;
  agentPort?: number;
  agentAddr?: string;
  agentInter?: number;
  agentSend?: string;
  /** check-ssl (true) / no-check-ssl (false); absent: checks inherit "ssl" unless port or addr moves them. */
  checkSsl?: boolean;
  checkSni?: string;
  checkAlpn?: string[];
  /** "proto NAME": the multiplexer HAProxy speaks to the server with (h1, h2, fcgi, none). */
  proto?: string;
  /** observe none|layer4|layer7, error-limit, on-error: traffic errors count against the server's health. */
  observe?: 'layer4' | 'layer7';
  errorLimit?: number;
  onError?: ServerOnError;
  onMarkedDown?: 'shutdown-sessions';
  onMarkedUp?: 'shutdown-backup-sessions';
  /** slowstart, in whole seconds as HAProxy stores it. */
  slowstart?: number;
}

export interface ServerDraft extends ServerDefaults {
  name: string;
  host: string;
  fqdn?: string;
  port: number;
  /** Explicit "id N", else assigned after parsing. */
  id?: number;
  idLoc?: SourceLoc;
  loc: SourceLoc;
}

// The TLS a server's checks use (init_srv_check): check-ssl forces it, no-check-ssl refuses it, else checks
// inherit "ssl" when neither a check port nor a check address was given. check-sni / check-alpn are the
// checks' own; without check-alpn the server's ALPN (set on its TLS context) is sent.
function checkTls(s: ServerDraft): CheckTlsSpec | undefined {
  const uses = s.checkSsl === true || (s.checkSsl === undefined && s.ssl?.use === true && !s.checkPort && s.checkAddr === undefined);
  if (!uses || !s.ssl) return undefined;
  const base = finalizeServerTls(s.ssl);
  const { sni: _sni, ...rest } = base;
  return {
    ...rest,
    ...(s.checkAlpn ? { alpn: [...s.checkAlpn] } : {}),
    ...(s.checkSni !== undefined ? { checkSni: s.checkSni } : {}),
  };
}

export interface Named {
  readonly name: string;
  readonly loc: SourceLoc;
}

export interface ProxyDraft {
  /** "description TEXT": shown beside the proxy's name on the stats page. */
  description?: string;
  kind: ProxyKind;
  name: string;
  loc: SourceLoc;
  mode: Mode;
  binds: BindSpec[];
  defaultBackend?: Named;
  useBackends: UseBackendRule[];
  httpRequestRules: HttpRequestRule[];
  httpResponseRules: HttpResponseRule[];
  /** Standalone "redirect" rules (not allowed in defaults, so never inherited). */
  redirectRules: RedirectRule[];
  httpAfterResponseRules: HttpAfterResponseRule[];
  tcpRequestRules: TcpRequestRule[];
  tcpInspectDelay?: number;
  tcpResponseRules: TcpResponseRule[];
  tcpResponseInspectDelay?: number;
  stickTable?: StickTableSpec;
  stickRules: StickRule[];
  storeResponseRules: StickRule[];
  balance: { algorithm: BalanceSpec['algorithm']; arg?: string; options: string[]; loc?: SourceLoc };
  hashType: BalanceSpec['hashType'];
  servers: ServerDraft[];
  defaultServer: ServerDefaults;
  retries: number;
  fullconn?: number;
  timeouts: Timeouts;
  /** The timeouts as inherited, to tell when a line overwrites one already set in this section. */
  inheritedTimeouts: Timeouts;
  options: ProxyOptions;
  /** "http-check expect status N" (kept apart: it may come before or after "option httpchk"). */
  httpCheckExpect?: { statuses: number[]; expect?: HttpCheckExpect; loc: SourceLoc };
  httpCheckLoc?: SourceLoc;
  /** "tcp-check" lines in force here: this section's own once it wrote one, else its defaults'. */
  tcpCheckRules: TcpCheckRuleSpec[];
  tcpCheckOwnRules: boolean;
  /** "http-check send": request fields that override "option httpchk"'s. */
  httpCheckSend?: { method?: string; uri?: string; version?: string; host?: string; headers?: [string, string][]; body?: string; loc: SourceLoc };
  /** Where "monitor-uri" was set: HAProxy warns that it needs mode http. */
  monitorUriLoc?: SourceLoc;
  monitorUri?: string;
  monitorFail: CompiledCondition[];
  /** "dispatch ADDR:PORT" (never inherited: HAProxy refuses it in defaults). */
  dispatch?: { host: string; port: number; loc: SourceLoc };
  /** Where "option httplog" was set, for the tcp-mode fallback warning. */
  httplogLoc?: SourceLoc;
  /** Which directive set the log format ("option httplog", "log-format"...), for HAProxy's override warning. */
  logFormatSource?: string;
  maxconn: number;
  logs: LogTarget[];
  logTag?: string;
  logFormat?: string;
  stats?: { -readonly [K in keyof StatsSpec]: StatsSpec[K] };
  logFormatter?: LogFormatter;
  defaultsFrom?: string;
  /** How many leading rules of each list came from a named defaults section (they run first, HAProxy 2.5+). */
  inherited: { http: number; response: number; tcp: number };
  /** Every condition this section compiled, for the checks made after parsing. */
  conditions: CompiledCondition[];
  /** Proxies, servers and tables named in its fetch and converter arguments, resolved after parsing. */
  argRefs: ArgReference[];
  /** errorfile / errorloc pages by status. */
  errorPages: Map<number, ErrorPage>;
  cookie?: CookieSpec;
  /** "dynamic-cookie-key": the secret dynamic server cookies are hashed with. */
  dynamicCookieKey?: string;
  persistRules: PersistRule[];
  /** http-error replies by status (resolved with the pages once every section is read). */
  errorReplies: Map<number, HttpReply>;
  /** errorfile, errorloc, errorfiles and http-error lines in order, defaults' first (HAProxy's conf.errors). */
  errorDecls: ErrorDecl[];
  /** capture slots in declaration order (never inherited: HAProxy refuses them in defaults). */
  captures: { req: CaptureSlot[]; res: CaptureSlot[] };
  captureCookie?: { name: string; len: number };
  /** http-request/http-response capture ... id N rules, checked against the slots once the section is read. */
  captureIds: { side: 'req' | 'res'; index: number; loc: SourceLoc }[];
  uniqueIdFormat?: { format: string; formatter: LogFormatter; loc: SourceLoc };
  uniqueIdHeader?: string;
  /** `compression` lines: algorithms, types, offload (compression/compression-keyword.ts). */
  compression?: CompressionDraft;
  /** The first mode-http-only variable the log-format uses (HAProxy refuses it in mode tcp), and where. */
  logFormatHttpVars?: { first: string | undefined; loc: SourceLoc };
}

/** One error declaration of a proxy: a page (errorfile, errorloc, http-error ... errorfile), a section's pages
 *  (errorfiles, http-error ... errorfiles), a reply (http-error with a payload), or the built-in page again. */
export type ErrorDecl =
  | { kind: 'page'; status: number; page: ErrorPage }
  | { kind: 'files'; name: string; codes: number[] | null; loc: SourceLoc }
  | { kind: 'reply'; status: number; reply: HttpReply }
  | { kind: 'default'; status: number };

/** An http-errors section: its pages by status. */
export interface HttpErrorsDraft {
  readonly name: string;
  readonly loc: SourceLoc;
  readonly pages: Map<number, ErrorPage>;
}

export interface GlobalDraft {
  maxconn: number;
  logs: LogTarget[];
  logTag?: string;
  logSendHostname?: string;
  statsSockets: StatsSocketSpec[];
  nbthread: number;
  bufsize: number;
  maxhdr: number;
  /** proc.* variables set by the global section's set-var / set-var-fmt, in order (name without scope). */
  procVars: Map<string, SampleValue>;
  /** crt-base, ca-base, ssl-default-*, tune.ssl.*: read by bind and server lines that follow. */
  ssl: GlobalSslDraft;
  resolvers: Map<string, ResolversSpec>;
  /** cache sections once each is read whole. */
  caches: Map<string, CacheSpec>;
  /** peers sections by name, frozen when the parse ends. */
  peers: Map<string, PeersSpec>;
  /** The local peer name (-L, else the host name); `localpeer` changes it before any peers section. */
  localPeer: string;
  /** The name came from -L: `localpeer` is then ignored. */
  localPeerFromCmdline?: boolean;
  /** A peers section was read: a later `localpeer` is ignored. */
  peersSeen?: boolean;
}

export const DEFAULT_SERVER: Readonly<ServerDefaults> = {
  weight: 1,
  check: false,
  inter: 2000,
  rise: 2,
  fall: 3,
  backup: false,
  disabled: false,
  maxconn: 0,
  maxqueue: 0,
};

// Fresh options, as a proxy without a defaults section has them.
export function defaultOptions(): ProxyOptions {
  return {
    httplog: false,
    httplogClf: false,
    tcplog: false,
    dontlognull: false,
    httpBufferRequest: false,
    httpServerClose: false,
    httpKeepAlive: false,
    httpClose: false,
    redispatch: false,
    allbackups: false,
    logHealthChecks: false,
    logasap: false,
    persist: false,
  };
}

// A section with HAProxy's built-in defaults (mode tcp, roundrobin, retries 3, ...).
export function newProxyDraft(kind: ProxyKind, name: string, loc: SourceLoc): ProxyDraft {
  return {
    kind,
    name,
    loc,
    mode: 'tcp',
    binds: [],
    useBackends: [],
    httpRequestRules: [],
    httpResponseRules: [],
    redirectRules: [],
    httpAfterResponseRules: [],
    tcpRequestRules: [],
    tcpResponseRules: [],
    stickRules: [],
    storeResponseRules: [],
    balance: { algorithm: 'roundrobin', options: [] },
    hashType: 'map-based',
    servers: [],
    defaultServer: { ...DEFAULT_SERVER },
    retries: 3,
    timeouts: {},
    inheritedTimeouts: {},
    options: defaultOptions(),
    maxconn: 0,
    logs: [],
    inherited: { http: 0, response: 0, tcp: 0 },
    conditions: [],
    argRefs: [],
    errorPages: new Map(),
    tcpCheckRules: [],
    tcpCheckOwnRules: false,
    persistRules: [],
    monitorFail: [],
    errorReplies: new Map(),
    errorDecls: [],
    captures: { req: [], res: [] },
    captureIds: [],
  };
}

// What a proxy inherits from a defaults section: settings are copied, rules are shared (run first).
export function inheritDraft(kind: ProxyKind, name: string, loc: SourceLoc, from: ProxyDraft): ProxyDraft {
  const d = newProxyDraft(kind, name, loc);
  d.mode = from.mode;
  if (from.defaultBackend) d.defaultBackend = from.defaultBackend;
  d.httpRequestRules = [...from.httpRequestRules];
  d.httpResponseRules = [...from.httpResponseRules];
  d.httpAfterResponseRules = [...from.httpAfterResponseRules];
  d.tcpRequestRules = [...from.tcpRequestRules];
  d.inherited = { http: from.httpRequestRules.length, response: from.httpResponseRules.length, tcp: from.tcpRequestRules.length };
  if (from.tcpInspectDelay !== undefined) d.tcpInspectDelay = from.tcpInspectDelay;
  d.tcpResponseRules = [...from.tcpResponseRules];
  if (from.tcpResponseInspectDelay !== undefined) d.tcpResponseInspectDelay = from.tcpResponseInspectDelay;
  d.balance = { ...from.balance, options: [...from.balance.options] };
  d.hashType = from.hashType;
  d.defaultServer = { ...from.defaultServer };
  d.retries = from.retries;
  if (from.fullconn !== undefined) d.fullconn = from.fullconn;
  d.timeouts = { ...from.timeouts };
  d.inheritedTimeouts = { ...from.timeouts };
  d.options = { ...from.options };
  // The log format (option httplog/tcplog, log-format) is only handed to sections that have a frontend side.
  if (kind === 'backend') {
    d.options.httplog = d.options.httplogClf = d.options.tcplog = false;
  }
  if (from.httpCheckExpect) d.httpCheckExpect = from.httpCheckExpect;
  if (from.httpCheckSend) d.httpCheckSend = { ...from.httpCheckSend };
  d.tcpCheckRules = [...from.tcpCheckRules];
  if (from.httplogLoc && kind !== 'backend') d.httplogLoc = from.httplogLoc;
  if (from.monitorUriLoc && kind !== 'backend') d.monitorUriLoc = from.monitorUriLoc;
  if (from.monitorUri !== undefined && kind !== 'backend') d.monitorUri = from.monitorUri;
  if (from.logFormatSource && kind !== 'backend') d.logFormatSource = from.logFormatSource;
  d.maxconn = from.maxconn;
  d.logs = [...from.logs];
  if (from.logTag !== undefined) d.logTag = from.logTag;
  if (from.logFormat !== undefined && kind !== 'backend') d.logFormat = from.logFormat;
  if (from.logFormatter !== undefined && kind !== 'backend') d.logFormatter = from.logFormatter;
  if (from.logFormatHttpVars && kind !== 'backend') d.logFormatHttpVars = from.logFormatHttpVars;
  if (from.stats) d.stats = { ...from.stats };
  d.errorPages = new Map(from.errorPages);
  if (from.cookie) d.cookie = from.cookie;
  if (from.dynamicCookieKey !== undefined) d.dynamicCookieKey = from.dynamicCookieKey;
  d.errorReplies = new Map(from.errorReplies);
  d.errorDecls = [...from.errorDecls];
  if (from.uniqueIdFormat) d.uniqueIdFormat = from.uniqueIdFormat;
  if (from.uniqueIdHeader !== undefined) d.uniqueIdHeader = from.uniqueIdHeader;
  const comp = inheritCompression(from.compression);
  if (comp) d.compression = comp;
  d.defaultsFrom = from.name;
  return d;
}

export function newGlobalDraft(): GlobalDraft {
  return { maxconn: 0, logs: [], statsSockets: [], nbthread: 1, bufsize: 16384, maxhdr: 101, procVars: new Map(), ssl: newGlobalSslDraft(), resolvers: new Map(), caches: new Map(), peers: new Map(), localPeer: hostname() };
}

export function finalizeGlobal(g: GlobalDraft): GlobalSpec {
  const { ssl: _ssl, localPeerFromCmdline: _cmdline, peersSeen: _seen, ...rest } = g;
  return { ...rest, logs: [...g.logs], statsSockets: [...g.statsSockets], procVars: new Map(g.procVars), resolvers: new Map(g.resolvers), caches: new Map(g.caches), peers: new Map(g.peers) };
}

// Servers get ids like HAProxy: explicit ones kept, the others take the first free id in declaration order.
export function assignServerIds(servers: readonly ServerDraft[]): ServerSpec[] {
  const used = new Set(servers.flatMap((s) => (s.id !== undefined ? [s.id] : [])));
  let next = 1;
  return servers.map((s) => {
    let id = s.id;
    if (id === undefined) {
      while (used.has(next)) next++;
      id = next;
      used.add(id);
      next++;
    }
    const spec: ServerSpec = {
      name: s.name,
      id,
      host: s.host,
      port: s.port,
      weight: s.weight,
      check: s.check,
      inter: s.inter,
      rise: s.rise,
      fall: s.fall,
      backup: s.backup,
      disabled: s.disabled,
      maxconn: s.maxconn,
      maxqueue: s.maxqueue,
      loc: s.loc,
      ...(s.fastinter !== undefined ? { fastinter: s.fastinter } : {}),
      ...(s.downinter !== undefined ? { downinter: s.downinter } : {}),
      ...(s.checkAddr !== undefined ? { checkAddr: s.checkAddr } : {}),
      ...(s.checkPort !== undefined ? { checkPort: s.checkPort } : {}),
      ...(s.ssl?.use ? { ssl: finalizeServerTls(s.ssl) } : {}),
      ...(s.resolvers !== undefined ? { resolvers: s.resolvers } : {}),
      ...(s.resolvePrefer !== undefined ? { resolvePrefer: s.resolvePrefer } : {}),
      ...(s.proto !== undefined ? { proto: s.proto } : {}),
      ...(s.initAddr !== undefined ? { initAddr: [...s.initAddr] } : {}),
      ...(s.fqdn !== undefined ? { fqdn: s.fqdn } : {}),
      ...(s.cookie !== undefined ? { cookie: s.cookie } : {}),
      ...(s.sendProxy ? { sendProxy: s.sendProxy } : {}),
      ...(s.observe ? { observe: { mode: s.observe, errorLimit: s.errorLimit ?? 10, onError: s.onError ?? 'fail-check' } } : {}),
      ...(s.onMarkedDown ? { onMarkedDown: s.onMarkedDown } : {}),
      ...(s.onMarkedUp ? { onMarkedUp: s.onMarkedUp } : {}),
      ...(s.slowstart ? { slowstart: s.slowstart } : {}),
      ...(s.sendProxy === 2 && s.proxyV2Ssl ? { proxyV2Ssl: s.proxyV2Ssl } : {}),
      ...(s.poolMaxConn !== undefined && s.poolMaxConn >= 0 ? { poolMaxConn: s.poolMaxConn } : {}),
      ...(checkTls(s) ? { checkTls: checkTls(s)! } : {}),
      ...(s.agentCheck && s.agentPort
        ? {
            agent: {
              port: s.agentPort,
              // "addr" moves the agent too unless agent-addr was given (SRV_F_AGENTADDR)
              ...((s.agentAddr ?? s.checkAddr) !== undefined ? { addr: (s.agentAddr ?? s.checkAddr)! } : {}),
              // the agent's interval defaults to the check's (init_srv_agent_check)
              inter: s.agentInter ?? s.inter,
              ...(s.agentSend !== undefined ? { send: s.agentSend } : {}),
            },
          }
        : {}),
    };
    return spec;
  });
}

