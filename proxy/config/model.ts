// The configuration model: what a parsed haproxy.cfg means, after defaults are applied. Pure data plus
// compiled conditions and format strings; runtime state (connections, health) lives in proxy/server and the engine.
import type { VarRule } from '../http/actions/var-actions.ts';
import type { SampleExpr } from '../sample/sample-expr.ts';
import type { SourceLoc, Diagnostic } from './diagnostics.ts';
import type { Condition } from '../acl/types.ts';
import type { SampleContext } from '../sample/context.ts';
import type { SampleValue } from '../sample/sample.ts';
import type { Formatter } from '../sample/format-string.ts';
import type { LogFormatter } from '../log/log-format.ts';
import type { HttpReply } from '../http/actions/http-reply.ts';
import type { ErrorPage } from '../http/error-pages.ts';

export type Mode = 'http' | 'tcp';

/** All timeouts in milliseconds; undefined means "not set" (HAProxy then waits forever or warns). */
export interface Timeouts {
  connect?: number;
  client?: number;
  server?: number;
  httpRequest?: number;
  httpKeepAlive?: number;
  check?: number;
  queue?: number;
  tunnel?: number;
  clientFin?: number;
  serverFin?: number;
  /** "timeout tarpit": how long tarpitted requests are held (HAProxy falls back to "timeout connect"). */
  tarpit?: number;
}

export interface LogTarget {
  /** 'stdout' | 'stderr' | an address such as '127.0.0.1:514' (UDP syslog). */
  readonly target: string;
  /** 'raw' | 'rfc3164' | 'rfc5424' | 'short' ... ; stdout defaults to what HAProxy uses. */
  readonly format: string;
  readonly facility: string;
  readonly level?: string;
  /** `len N`: a line (header included) is cut to this many bytes; 1024 by default. */
  readonly maxLen: number;
  /** `sample RANGES:SIZE`: of every SIZE lines, only those at the 1-based positions in RANGES are sent. */
  readonly sample?: { readonly ranges: readonly (readonly [number, number])[]; readonly size: number };
  readonly loc: SourceLoc;
}

export interface BindSpec {
  /** null for "*" / "" (all addresses). The lab binds those on 127.0.0.1 unless told otherwise. */
  readonly host: string | null;
  readonly port: number;
  readonly loc: SourceLoc;
  /** As written, e.g. "*:80". */
  readonly text: string;
  /** "ssl" and its options: the connection is TLS from the first byte. */
  readonly ssl?: BindTlsSpec;
}

/** TLS protocol versions as HAProxy names them (ssl-min-ver, ssl-max-ver). */
export type TlsVersionName = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** One certificate a bind can present: PEM text, and the SNI names that select it. */
export interface CertEntry {
  readonly file: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Lower-cased names (exact or "*.domain") that select it; from crt-list filters, else its CN and DNS SANs. */
  readonly names: readonly string[];
  /** crt-list "!name" filters: names this entry never answers. */
  readonly excluded: readonly string[];
}

export interface TlsVersionRange {
  readonly min?: TlsVersionName;
  readonly max?: TlsVersionName;
  /** no-sslv3, no-tlsv10 ...: versions switched off. */
  readonly disabled: readonly TlsVersionName[];
}

export interface BindTlsSpec {
  /** In load order; the first one is the default certificate (no SNI, or no match without strict-sni). */
  readonly certs: readonly CertEntry[];
  readonly alpn?: readonly string[];
  readonly versions: TlsVersionRange;
  readonly ciphers?: string;
  readonly ciphersuites?: string;
  readonly curves?: string;
  readonly caFile?: string;
  readonly caPem?: string;
  readonly crlPem?: string;
  readonly verify: 'none' | 'optional' | 'required';
  readonly strictSni: boolean;
  readonly preferClientCiphers: boolean;
  readonly noTlsTickets: boolean;
  /** tune.ssl.default-dh-param, in bits (for DHE ciphers). */
  readonly dhParamBits: number;
}

export interface ServerTlsSpec {
  readonly verify: 'none' | 'required';
  readonly caFile?: string;
  readonly caPem?: string;
  /** The "sni" sample expression as written (e.g. "req.hdr(host)", "str(app.example)"). */
  readonly sni?: string;
  /** verifyhost NAME: the name the certificate must carry (default: the SNI sent). */
  readonly verifyHost?: string;
  readonly alpn?: readonly string[];
  readonly versions: TlsVersionRange;
  readonly ciphers?: string;
  readonly ciphersuites?: string;
  /** crt FILE: a client certificate for the server (PEM with cert and key). */
  readonly cert?: { readonly certPem: string; readonly keyPem: string };
  readonly noTlsTickets: boolean;
}

export interface ServerSpec {
  readonly name: string;
  /** Numeric id (puid): 1-based declaration order unless "id" is given. */
  readonly id: number;
  readonly host: string;
  /** 0 when the server line gave no port (then the client's destination port is used). */
  readonly port: number;
  readonly weight: number;
  readonly check: boolean;
  readonly inter: number;
  readonly fastinter?: number;
  readonly downinter?: number;
  readonly rise: number;
  readonly fall: number;
  readonly backup: boolean;
  readonly disabled: boolean;
  /** 0 = unlimited. */
  readonly maxconn: number;
  /** 0 = unlimited. */
  readonly maxqueue: number;
  /** Address and port to send checks to, when they differ from the server's. */
  readonly checkAddr?: string;
  readonly checkPort?: number;
  /** "ssl": the connection to the server is TLS. */
  readonly ssl?: ServerTlsSpec;
  readonly loc: SourceLoc;
}

export type BalanceAlgorithm =
  | 'roundrobin'
  | 'static-rr'
  | 'leastconn'
  | 'first'
  | 'source'
  | 'uri'
  | 'url_param'
  | 'hdr'
  | 'random';

export interface BalanceSpec {
  readonly algorithm: BalanceAlgorithm;
  /** hdr(name): the header name; url_param: the parameter name. */
  readonly arg?: string;
  /** uri: "whole", "len N", "depth N"; random: draws; kept as written. */
  readonly options: readonly string[];
  /** hash-type map-based (default) or consistent. */
  readonly hashType: 'map-based' | 'consistent';
  /** hash-type's function (third word); absent = sdbm. */
  readonly hashFunction?: 'sdbm' | 'djb2' | 'wt6' | 'crc32';
  /** hash-type's "avalanche" modifier; absent = HAProxy's default (on for a bare "hash-type consistent"). */
  readonly hashAvalanche?: boolean;
  readonly loc?: SourceLoc;
}

export interface HttpCheckSpec {
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  /** http-check expect status N (or the default 2xx/3xx when absent). */
  readonly expectStatus?: readonly number[];
  readonly host?: string;
  readonly loc: SourceLoc;
}

/** One capture slot of a frontend: a `capture ... header` names its header (lower case); declared slots do not. */
export interface CaptureSlot {
  readonly header?: string;
  readonly len: number;
}

/** A frontend's capture slots by index, request and response side (HAProxy's req_cap / rsp_cap lists). */
export interface CaptureSlots {
  readonly req: readonly CaptureSlot[];
  readonly res: readonly CaptureSlot[];
}

/** http-request/http-response/http-after-response capture: the sample stored, as a string, in slot `index`. */
export interface CaptureRule {
  readonly action: 'capture';
  readonly expr: SampleExpr;
  readonly index: number;
}

interface RuleBase {
  readonly cond?: Condition;
  readonly loc: SourceLoc;
  /** The whole rule as written, for the explain view and logs. */
  readonly text: string;
}

export type HttpRequestRule =
  | (RuleBase & { readonly action: 'allow' })
  /** deny / tarpit / return: what the client gets instead of a server's answer. */
  | (RuleBase & { readonly action: 'deny' | 'tarpit' | 'return'; readonly reply: HttpReply })
  | (RuleBase & {
      readonly action: 'redirect';
      readonly type: 'location' | 'prefix' | 'scheme';
      readonly value: string;
      readonly code: number;
      readonly dropQuery: boolean;
      readonly appendSlash: boolean;
    })
  | (RuleBase & { readonly action: 'set-header' | 'add-header'; readonly name: string; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & { readonly action: 'del-header'; readonly name: string })
  | (RuleBase & ReplaceHeaderRule)
  /** set-method, set-path, set-pathq, set-query, set-uri: `value` is a log-format string. */
  | (RuleBase & { readonly action: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri'; readonly value: string; readonly format: RuleFormat })
  /** replace-path, replace-pathq, replace-uri: where `regex` matches, the whole part becomes `value` (\1... refs). */
  | (RuleBase & { readonly action: 'replace-path' | 'replace-pathq' | 'replace-uri'; readonly regex: RegExp; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & VarRule)
  | (RuleBase & CaptureRule);

/** A rule's log-format string (`value`), compiled when the config loads. */
export type RuleFormat = Formatter<SampleContext>;

/** replace-header (whole values) / replace-value (each comma-separated value) where `regex` matches. */
export interface ReplaceHeaderRule {
  readonly action: 'replace-header' | 'replace-value';
  readonly name: string;
  readonly regex: RegExp;
  readonly value: string;
  readonly format: RuleFormat;
}

export type HttpResponseRule =
  | (RuleBase & { readonly action: 'set-header' | 'add-header'; readonly name: string; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & { readonly action: 'del-header'; readonly name: string })
  | (RuleBase & ReplaceHeaderRule)
  | (RuleBase & { readonly action: 'set-status'; readonly status: number; readonly reason?: string })
  | (RuleBase & { readonly action: 'deny' | 'return'; readonly reply: HttpReply })
  | (RuleBase & VarRule)
  | (RuleBase & CaptureRule);

/** http-after-response: what http-response has minus deny, plus allow (ends this proxy's list) and strict-mode. */
export type HttpAfterResponseRule =
  | Exclude<HttpResponseRule, { action: 'deny' | 'return' }>
  | (RuleBase & { readonly action: 'allow' })
  | (RuleBase & { readonly action: 'strict-mode'; readonly on: boolean });

export type TcpRequestRule = RuleBase & {
  readonly stage: 'connection' | 'content';
  readonly action: 'accept' | 'reject';
};

export interface UseBackendRule {
  readonly backend: string;
  readonly cond?: Condition;
  readonly loc: SourceLoc;
  readonly text: string;
}

export interface ForwardForSpec {
  readonly header: string;
  /** Network (CIDR) whose clients get no header. */
  readonly except?: string;
  readonly ifNone: boolean;
}

export interface ProxyOptions {
  httplog: boolean;
  /** "option httplog clf" */
  httplogClf: boolean;
  tcplog: boolean;
  dontlognull: boolean;
  forwardfor?: ForwardForSpec;
  httpServerClose: boolean;
  httpKeepAlive: boolean;
  httpClose: boolean;
  redispatch: boolean;
  allbackups: boolean;
  /** option log-health-checks: every change of a check's result is logged, and state changes drop the reason. */
  logHealthChecks: boolean;
  httpchk?: HttpCheckSpec;
  logasap: boolean;
}

export interface StatsSpec {
  readonly enabled: boolean;
  readonly uri: string;
  readonly refresh?: number;
  /** `stats auth USER:PASS` accounts (HTTP basic); none: no authentication. */
  readonly auth?: readonly string[];
  /** `stats realm`, for the 401's WWW-Authenticate ("HAProxy Statistics" by default). */
  readonly realm?: string;
  /** `stats scope NAME`: only these proxies are shown ("." is this one); none: all. */
  readonly scope?: readonly string[];
  /** `stats admin if|unless COND`: who may change server states through the page's forms. */
  readonly admin?: Condition;
  readonly hideVersion?: boolean;
  readonly showLegends?: boolean;
  /** `stats show-node [NAME]`: the node name shown (the host name when empty). */
  readonly showNode?: string;
  /** `stats show-desc [TEXT]`: the description shown (the proxy's `description` when empty). */
  readonly showDesc?: string;
  readonly loc: SourceLoc;
}

export interface ProxySpec {
  readonly kind: 'frontend' | 'backend' | 'listen';
  readonly name: string;
  /** Numeric id, in declaration order from 1 (HAProxy's proxy uuid order: listeners/frontends first). */
  readonly id: number;
  readonly loc: SourceLoc;
  readonly mode: Mode;
  /** Frontend side (frontend, listen). */
  readonly binds: readonly BindSpec[];
  readonly defaultBackend?: string;
  readonly useBackends: readonly UseBackendRule[];
  readonly httpRequestRules: readonly HttpRequestRule[];
  readonly httpResponseRules: readonly HttpResponseRule[];
  /** Standalone "redirect" rules, run after the http-request rules. */
  readonly redirectRules: readonly Extract<HttpRequestRule, { action: 'redirect' }>[];
  /** errorfile / errorloc pages by status, used for the answers the proxy makes itself. */
  readonly errorPages: ReadonlyMap<number, ErrorPage>;
  /** http-error replies by status, in place of a page (a status has a page or a reply, never both). */
  readonly errorReplies?: ReadonlyMap<number, HttpReply>;
  readonly httpAfterResponseRules: readonly HttpAfterResponseRule[];
  readonly tcpRequestRules: readonly TcpRequestRule[];
  readonly tcpInspectDelay?: number;
  /** Frontend side: the capture slots of its streams. */
  readonly captures?: CaptureSlots;
  /** unique-id-format, compiled; unique-id-header: the request header that carries the id to the server. */
  readonly uniqueId?: UniqueIdSpec;
  /** Backend side (backend, listen). */
  readonly balance: BalanceSpec;
  readonly servers: readonly ServerSpec[];
  readonly retries: number;
  readonly fullconn?: number;
  /** Shared. */
  readonly timeouts: Timeouts;
  readonly options: ProxyOptions;
  /** Frontend maxconn (0 = use global). */
  readonly maxconn: number;
  readonly logs: readonly LogTarget[];
  /** `log-tag`: the syslog tag of this proxy's lines (else the global one, else "haproxy"). */
  readonly logTag?: string;
  /** The log-format string as written, or undefined for the option's default format. */
  readonly logFormat?: string;
  /** `logFormat`, compiled when the config loads. */
  readonly logFormatter?: LogFormatter;
  readonly stats?: StatsSpec;
  /** Which defaults section this proxy inherited from (its name, or "" for an anonymous one). */
  readonly defaultsFrom?: string;
}

export interface UniqueIdSpec {
  readonly format: string;
  /** Built from what a log line knows at the request (log-format's variables). */
  readonly formatter: LogFormatter;
  readonly header?: string;
}

export interface StatsSocketSpec {
  /** A unix socket path, or "ipv4@127.0.0.1:PORT" / "127.0.0.1:PORT". */
  readonly address: string;
  readonly level: 'user' | 'operator' | 'admin';
  readonly loc: SourceLoc;
}

export interface GlobalSpec {
  readonly maxconn: number;
  readonly logs: readonly LogTarget[];
  readonly logTag?: string;
  /** `log-send-hostname [NAME]`: the host name syslog headers carry (the machine's by default). */
  readonly logSendHostname?: string;
  readonly statsSockets: readonly StatsSocketSpec[];
  readonly nbthread: number;
  readonly bufsize: number;
  readonly maxhdr: number;
  /** proc.* variables the global section sets (global set-var / set-var-fmt), by name without the scope. */
  readonly procVars: ReadonlyMap<string, SampleValue>;
}

export interface ConfigModel {
  readonly files: readonly string[];
  readonly global: GlobalSpec;
  /** Frontends and listens, in declaration order. */
  readonly frontends: readonly ProxySpec[];
  /** Backends and listens, by name, in declaration order. */
  readonly backends: ReadonlyMap<string, ProxySpec>;
  readonly diagnostics: readonly Diagnostic[];
}
