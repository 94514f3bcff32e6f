// The configuration model: what a parsed haproxy.cfg means, after defaults are applied. Pure data plus
// compiled conditions and format strings; runtime state (connections, health) lives in proxy/server and the engine.
import type { CompressionSpec } from '../compression/compression-keyword.ts';
import type { CacheSpec } from '../cache/cache-section.ts';
import type { CacheRule } from '../cache/cache-actions.ts';
import type { PatternRefs } from '../acl/pattern-refs.ts';
import type { VarRule } from '../http/actions/var-actions.ts';
import type { StickAction } from '../stick/track-actions.ts';
import type { StickTableSpec } from '../stick/table-spec.ts';
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
  /** "fd@N": listen on this inherited socket (host null, port 0); no bind mapping applies to it. */
  readonly fd?: number;
  /** "ssl" and its options: the connection is TLS from the first byte. */
  readonly ssl?: BindTlsSpec;
  /** "accept-proxy": a PROXY protocol header (v1 or v2) comes first and gives the client's addresses. */
  readonly acceptProxy?: boolean;
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
  /** `sni` compiled when the config loaded. */
  readonly sniExpr?: SampleExpr;
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
  /** "pool-max-conn N": at most N idle connections kept for reuse (0: none); absent: no limit. */
  readonly poolMaxConn?: number;
  /** Address and port to send checks to, when they differ from the server's. */
  readonly checkAddr?: string;
  readonly checkPort?: number;
  /** "ssl": the connection to the server is TLS. */
  readonly ssl?: ServerTlsSpec;
  /** "resolvers NAME": the host name is resolved at run time through that section's name servers. */
  readonly resolvers?: string;
  readonly resolvePrefer?: 'ipv4' | 'ipv6';
  /** "proto h2": HTTP/2 to the server (clear-text with prior knowledge, or over TLS); h1 or absent: HTTP/1.1. */
  readonly proto?: string;
  /** "init-addr last,libc,none,IP": how the first address is found (HAProxy's default: last,libc). */
  readonly initAddr?: readonly string[];
  /** The host name as written, when the address is a name (HAProxy's srv->hostname). */
  readonly fqdn?: string;
  /** "send-proxy" (1) / "send-proxy-v2" (2): a PROXY header goes before the first byte to the server. */
  readonly sendProxy?: 1 | 2;
  /** "send-proxy-v2-ssl" (1) / "send-proxy-v2-ssl-cn" (2): the v2 header's SSL TLV (and the client certificate's CN). */
  readonly proxyV2Ssl?: 1 | 2;
  /** "cookie VALUE", or the value a dynamic cookie gave it: what persistence cookies name it by. */
  readonly cookie?: string;
  /** "agent-check": an agent on this address answers words that set the server's state and weight. */
  readonly agent?: AgentCheckSpec;
  /** Health checks over TLS (check-ssl, or inherited from "ssl"): the server's TLS settings with check-sni / check-alpn. */
  readonly checkTls?: CheckTlsSpec;
  /** "observe layer4|layer7" with its error-limit (default 10) and on-error (default fail-check). */
  readonly observe?: ObserveSpec;
  /** on-marked-down shutdown-sessions: a check taking it DOWN closes its sessions. */
  readonly onMarkedDown?: 'shutdown-sessions';
  /** on-marked-up shutdown-backup-sessions: a check taking it UP closes the backup servers' sessions. */
  readonly onMarkedUp?: 'shutdown-backup-sessions';
  /** slowstart in whole seconds (HAProxy rounds the delay up): the weight ramps up after it comes UP. */
  readonly slowstart?: number;
  readonly loc: SourceLoc;
}

/** What on-error does once error-limit consecutive errors were seen (HANA_ONERR_*). */
export type ServerOnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

export interface ObserveSpec {
  readonly mode: 'layer4' | 'layer7';
  readonly errorLimit: number;
  readonly onError: ServerOnError;
}

/** The TLS of a server's checks: no "sni" expression, an optional fixed check-sni instead. */
export interface CheckTlsSpec extends Omit<ServerTlsSpec, 'sni'> {
  readonly checkSni?: string;
}

/** The agent check of a server (agent-port, agent-addr or addr, agent-inter, agent-send). */
export interface AgentCheckSpec {
  readonly port: number;
  /** Absent: the server's own address. */
  readonly addr?: string;
  readonly inter: number;
  /** Sent once connected (agent-send); absent: nothing is sent. */
  readonly send?: string;
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

export type HeaderMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

export interface HttpCheckExpect {
  readonly inverse: boolean;
  readonly type: 'status' | 'rstatus' | 'string' | 'rstring' | 'hdr' | 'fhdr';
  /** status: the code list; rstatus/rstring: a regex; string: the text; hdr/fhdr: the name pattern. */
  readonly pattern: string;
  readonly statuses?: readonly number[];
  readonly nameMatch?: HeaderMatch;
  readonly value?: string;
  readonly valueMatch?: HeaderMatch;
}

export interface HttpCheckSpec {
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  /** http-check expect status N (or the default 2xx/3xx when absent). */
  readonly expectStatus?: readonly number[];
  /** The other "http-check expect" forms: [!] status|rstatus|string|rstring|hdr|fhdr. */
  readonly expect?: HttpCheckExpect;
  readonly host?: string;
  /** "http-check send hdr NAME VALUE"...: sent in this order, names lower-cased (they replace `host`'s place). */
  readonly headers?: readonly (readonly [string, string])[];
  /** "http-check send body TEXT": sent with its content-length. */
  readonly body?: string;
  readonly loc: SourceLoc;
}

/** What a tcp-check "expect" rule matches (src/tcpcheck.c TCPCHK_EXPECT_*). */
export type TcpCheckExpectType = 'string' | 'rstring' | 'binary' | 'rbinary' | 'string-lf' | 'binary-lf';

/** One "tcp-check" line, in the order written; comments keep their place (they count in the step numbers). */
export type TcpCheckRuleSpec =
  | {
      readonly kind: 'connect';
      readonly port?: number;
      readonly addr?: string;
      readonly linger: boolean;
      readonly comment?: string;
      readonly loc: SourceLoc;
    }
  | {
      readonly kind: 'send';
      readonly type: 'send' | 'send-lf' | 'send-binary' | 'send-binary-lf';
      /** As written: text, hex digits, or a log-format string. */
      readonly data: string;
      readonly comment?: string;
      readonly loc: SourceLoc;
    }
  | {
      readonly kind: 'expect';
      readonly type: TcpCheckExpectType;
      readonly pattern: string;
      readonly inverse: boolean;
      /** -1: no minimum (wait for more data on a mismatch). */
      readonly minRecv: number;
      readonly okStatus?: 'L4OK' | 'L6OK' | 'L7OK' | 'L7OKC';
      readonly errorStatus?: 'L4CON' | 'L6RSP' | 'L7RSP' | 'L7STS' | 'L7OKC';
      readonly toutStatus?: 'L4TOUT' | 'L6TOUT' | 'L7TOUT';
      /** on-success / on-error log-format strings. */
      readonly onSuccess?: string;
      readonly onError?: string;
      readonly comment?: string;
      readonly loc: SourceLoc;
    }
  | { readonly kind: 'comment'; readonly text: string; readonly loc: SourceLoc };

/** The check a backend runs when it is not a plain connect or option httpchk (PR_O2_TCPCHK_CHK rulesets). */
export type TcpCheckSpec =
  | { readonly kind: 'tcp-check'; readonly rules: readonly TcpCheckRuleSpec[] }
  | { readonly kind: 'redis-check' }
  | { readonly kind: 'ssl-hello-chk' }
  | { readonly kind: 'ldap-check' }
  /** "HELO localhost" unless EHLO|HELO DOMAIN was given. */
  | { readonly kind: 'smtpchk'; readonly command: string }
  | { readonly kind: 'pgsql-check'; readonly user: string }
  | { readonly kind: 'mysql-check'; readonly user?: string; readonly post41: boolean };

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

/** "capture cookie NAME len N": the first request Cookie and response Set-Cookie starting with NAME, for %CC/%CS. */
export interface CaptureCookie {
  readonly name: string;
  readonly len: number;
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
      /** http-request redirect: the target as a log-format string (the standalone keyword's is plain text). */
      readonly format?: (ctx: SampleContext) => string;
      /** ignore-empty: a location format that prints nothing redirects nowhere, and the rules go on. */
      readonly ignoreEmpty: boolean;
      /** set-cookie / clear-cookie: the Set-Cookie header value sent with the redirect. */
      readonly setCookie?: string;
    })
  | (RuleBase & { readonly action: 'set-header' | 'add-header'; readonly name: string; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & DelHeaderRule)
  | (RuleBase & ReplaceHeaderRule)
  /** set-method, set-path, set-pathq, set-query, set-uri: `value` is a log-format string. */
  | (RuleBase & { readonly action: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri'; readonly value: string; readonly format: RuleFormat })
  /** replace-path, replace-pathq, replace-uri: where `regex` matches, the whole part becomes `value` (\1... refs). */
  | (RuleBase & { readonly action: 'replace-path' | 'replace-pathq' | 'replace-uri'; readonly regex: RegExp; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & VarRule)
  /** set-src / set-dst / set-src-port / set-dst-port: the stream's addresses from a sample. */
  | (RuleBase & { readonly action: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port'; readonly expr: SampleExpr })
  | (RuleBase & StickAction)
  | (RuleBase & CaptureRule)
  /** set-timeout server|tunnel: this stream's timeout, a fixed time in ms or an expression giving ms. */
  | (RuleBase & { readonly action: 'set-timeout'; readonly which: 'server' | 'tunnel'; readonly ms?: number; readonly expr?: SampleExpr })
  /** cache-use NAME: a stored answer for this request is sent instead of asking a server. */
  | (RuleBase & CacheRule & { readonly action: 'cache-use' });

/** A rule's log-format string (`value`), compiled when the config loads. */
export type RuleFormat = Formatter<SampleContext>;

/** replace-header (whole values) / replace-value (each comma-separated value) where `regex` matches. */
/** del-header NAME [-m str|beg|end|sub|reg]: which header names go (parse_http_del_header; str by default). */
export interface DelHeaderRule {
  readonly action: 'del-header';
  readonly name: string;
  readonly match: 'str' | 'beg' | 'end' | 'sub' | 'reg';
  /** -m reg: the name as a case-sensitive regex, matched on the lower-case names HTX holds. */
  readonly regex?: RegExp;
}

export interface ReplaceHeaderRule {
  readonly action: 'replace-header' | 'replace-value';
  readonly name: string;
  readonly regex: RegExp;
  readonly value: string;
  readonly format: RuleFormat;
}

export type HttpResponseRule =
  | (RuleBase & { readonly action: 'set-header' | 'add-header'; readonly name: string; readonly value: string; readonly format: RuleFormat })
  | (RuleBase & DelHeaderRule)
  | (RuleBase & ReplaceHeaderRule)
  | (RuleBase & { readonly action: 'set-status'; readonly status: number; readonly reason?: string })
  | (RuleBase & { readonly action: 'deny' | 'return'; readonly reply: HttpReply })
  /** allow: ends this proxy's http-response rules (the frontend's still run after a backend's). */
  | (RuleBase & { readonly action: 'allow' })
  | (RuleBase & VarRule)
  | (RuleBase & StickAction)
  | (RuleBase & CaptureRule)
  /** cache-store NAME: this response is stored as it leaves. */
  | (RuleBase & CacheRule & { readonly action: 'cache-store' });

/** http-after-response: what http-response has minus deny and the stick actions, plus allow (ends this proxy's list) and strict-mode. */
export type HttpAfterResponseRule =
  | Exclude<HttpResponseRule, { action: 'deny' | 'return' | StickAction['action'] | 'cache-store' }>
  | (RuleBase & { readonly action: 'strict-mode'; readonly on: boolean });

/** tcp-request connection|session|content: accept and reject end the stage; variable and tracking actions run and go on. */
export type TcpRequestRule =
  | (RuleBase & { readonly stage: TcpRuleStage; readonly action: 'accept' | 'reject' })
  | (RuleBase & { readonly stage: TcpRuleStage } & VarRule)
  | (RuleBase & { readonly stage: TcpRuleStage } & StickAction)
  /** "expect-proxy layer4": a PROXY header is read before anything else, as "accept-proxy" on the bind would. */
  | (RuleBase & { readonly stage: 'connection'; readonly action: 'expect-proxy' })
  /** tcp-request content capture EXPR len N: a request slot of its own (the stage check refuses the others). */
  | (RuleBase & { readonly stage: TcpRuleStage } & CaptureRule);
export type TcpRuleStage = 'connection' | 'session' | 'content';

/**
 * tcp-response content (a backend's, src/tcp_rules.c tcp_parse_response_rule): accept and reject end the rules,
 * close ends them too after shutting the server's connection; the variable and counter actions run and go on.
 */
export type TcpResponseRule =
  | (RuleBase & { readonly action: 'accept' | 'reject' | 'close' })
  | (RuleBase & VarRule)
  | (RuleBase & Exclude<StickAction, { action: 'track-sc' }>);

/** "stick on|match|store-request|store-response EXPR [table T] [if|unless COND]" (persistence by server_id). */
export interface StickRule {
  readonly kind: 'on' | 'match' | 'store-request' | 'store-response';
  readonly expr: SampleExpr;
  /** The table's name; absent: the section's own. */
  readonly table?: string;
  readonly cond?: Condition;
  readonly loc: SourceLoc;
  readonly text: string;
}

export interface UseBackendRule {
  /** The backend's name, or the format string of a dynamic rule. */
  readonly backend: string;
  /**
   * A dynamic rule's name (`backend` is its format string), built per request; a name no backend has ends the
   * rules (default_backend then). Compiled by the post-read checks, as HAProxy does.
   */
  readonly dynamic?: { build?: (ctx: SampleContext) => string };
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
  /** option http-buffer-request: the frontend's http-request rules wait for the request body (as much as fits). */
  httpBufferRequest: boolean;
  forwardfor?: ForwardForSpec;
  httpServerClose: boolean;
  httpKeepAlive: boolean;
  httpClose: boolean;
  redispatch: boolean;
  allbackups: boolean;
  /** option log-health-checks: every change of a check's result is logged, and state changes drop the reason. */
  logHealthChecks: boolean;
  httpchk?: HttpCheckSpec;
  /** http-check disable-on-404: a 404 to a check of a server that is not DOWN sets it NOLB (stopping). */
  disableOn404?: boolean;
  /** http-check send-state: checks carry an X-Haproxy-Server-State header. */
  sendState?: boolean;
  /** option tcp-check, redis-check, smtpchk, mysql-check, pgsql-check, ldap-check, ssl-hello-chk (exclusive with httpchk). */
  tcpCheck?: TcpCheckSpec;
  logasap: boolean;
  /** option persist: a cookie still leads to its server while that server is down. */
  persist?: boolean;
  /** option clitcpka / srvtcpka (tcpka sets both): SO_KEEPALIVE on client / server sockets. */
  cliTcpKa?: boolean;
  srvTcpKa?: boolean;
  /** option originalto [except NET] [header NAME]: the destination address goes to the server in a header. */
  originalto?: { readonly header?: string; readonly except?: string };
  /** option http-ignore-probes: a connection closed before its first byte is not logged. */
  httpIgnoreProbes?: boolean;
  /** option abortonclose: a client that closes while its request waits (queue, connect) aborts it. */
  abortOnClose?: boolean;
  /** option prefer-last-server: a keep-alive client's next request goes to the server of its last one. */
  preferLastServer?: boolean;
  /** option http-pretend-keepalive: the server is not told the connection closes (PR_O2_FAKE_KA). */
  httpPretendKeepalive?: boolean;
  /** http-reuse: which idle server connections a request may take (default safe). */
  httpReuse?: 'never' | 'safe' | 'aggressive' | 'always';
  /** option http-restrict-req-hdr-names delete|reject: request headers whose name is not [0-9A-Za-z-] are removed,
   *  or the request is refused (403); preserve (the default) leaves it unset. */
  restrictReqHdrNames?: { readonly how: 'delete' | 'reject'; readonly loc: SourceLoc; readonly text: string };
}

/** "cookie NAME [rewrite|insert|prefix] [indirect] ..." (a backend's persistence cookie, cfgparse-listen.c). */
export interface CookieSpec {
  readonly name: string;
  /** passive: no mode word, the cookie is only read (the server sets it itself). */
  readonly mode: 'passive' | 'insert' | 'rewrite' | 'prefix';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  readonly dynamic: boolean;
  /** "domain D" words joined as HAProxy sends them ("a.com; domain=b.com"). */
  readonly domain?: string;
  /** "attr A" words joined with "; ". */
  readonly attrs?: string;
  /** Seconds; 0 = unset. */
  readonly maxidle: number;
  readonly maxlife: number;
  readonly loc: SourceLoc;
}

/** force-persist / ignore-persist: decided once the backend is known (process_switching_rules). */
export interface PersistRule {
  readonly kind: 'force' | 'ignore';
  readonly cond: Condition;
  readonly loc: SourceLoc;
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
  /** "description TEXT": shown beside the proxy's name on the stats page. */
  readonly description?: string;
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
  /** Backend side: tcp-response content rules (its named defaults' first) and their inspect delay. */
  readonly tcpResponseRules: readonly TcpResponseRule[];
  readonly tcpResponseInspectDelay?: number;
  /**
   * How many leading tcp-request content rules came from the named defaults section: a backend with the same
   * defaults as its frontend does not run them a second time (tcp_inspect_request's def_rules).
   */
  readonly inheritedTcpRules: number;
  /** The section's own stick table ("stick-table ..."), named after it. */
  readonly stickTable?: StickTableSpec;
  /** stick on/match/store-request rules (request side, in order) and store-response rules. */
  readonly stickRules: readonly StickRule[];
  readonly storeResponseRules: readonly StickRule[];
  /** Frontend side: the capture slots of its streams. */
  readonly captures?: CaptureSlots;
  /** capture cookie NAME len N (its length already cut to what HAProxy keeps). */
  readonly captureCookie?: CaptureCookie;
  /** unique-id-format, compiled; unique-id-header: the request header that carries the id to the server. */
  readonly uniqueId?: UniqueIdSpec;
  /** `compression algo/type/offload` (compression/compression-keyword.ts). */
  readonly compression?: CompressionSpec;
  /** Backend side (backend, listen). */
  readonly balance: BalanceSpec;
  readonly servers: readonly ServerSpec[];
  /** "dispatch ADDR:PORT" without a balancing algorithm: every stream goes there, logged <NOSRV>. */
  readonly dispatch?: { readonly host: string; readonly port: number };
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
  /** The persistence cookie (backend side), its servers' values in ServerSpec.cookie. */
  readonly cookie?: CookieSpec;
  readonly persistRules?: readonly PersistRule[];
  /** monitor-uri (frontend side) and the "monitor fail" conditions that turn its 200 into a 503. */
  readonly monitorUri?: string;
  readonly monitorFail?: readonly Condition[];
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

/** A "resolvers" section (src/resolvers.c cfg_parse_resolvers), with HAProxy's defaults filled in. */
export interface ResolversSpec {
  readonly name: string;
  /** stream: a `tcp@` address, asked over TCP with each message length-prefixed (dns_stream in src/dns.c). */
  readonly nameservers: readonly { readonly name: string; readonly host: string; readonly port: number; readonly loc: SourceLoc; readonly stream?: boolean }[];
  /** parse-resolv-conf was given (its nameservers are in the list above, named like HAProxy names them). */
  readonly parseResolvConf: boolean;
  readonly acceptedPayloadSize: number;
  readonly resolveRetries: number;
  /** ms */
  readonly timeoutResolve: number;
  readonly timeoutRetry: number;
  /** hold periods in ms: how long a status is kept before it acts (nx/other/refused/timeout) or is trusted (valid). */
  readonly hold: { readonly nx: number; readonly other: number; readonly refused: number; readonly timeout: number; readonly valid: number; readonly obsolete: number };
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
  /** resolvers sections by name. */
  readonly resolvers: ReadonlyMap<string, ResolversSpec>;
  /** `cache` sections by name (cache/cache-section.ts). */
  readonly caches: ReadonlyMap<string, CacheSpec>;
  /** peers sections by name, in declaration order. */
  readonly peers: ReadonlyMap<string, PeersSpec>;
  /** This process's peer name: `localpeer`, else the host name (HAProxy's -L). */
  readonly localPeer: string;
}

/** One peer of a peers section. */
export interface PeerSpec {
  /** Empty while a "bind" line started the local peer and no "server" line named it yet. */
  readonly name: string;
  /** This process: its name is the local peer name. */
  readonly local: boolean;
  readonly address?: { readonly host: string; readonly port: number };
  readonly loc: SourceLoc;
}

/** A "peers" section (cfg_parse_peers): its peers, its tables ("NAME/TABLE"), where the local peer listens. */
export interface PeersSpec {
  readonly name: string;
  readonly loc: SourceLoc;
  readonly peers: readonly PeerSpec[];
  readonly tables: readonly StickTableSpec[];
  readonly disabled: boolean;
  readonly localPeer: string;
  /** The local peer's listener; absent when the section has no local peer (HAProxy removes the section). */
  readonly listen?: { readonly host: string; readonly port: number };
  /** Enabled and with a named local peer: HAProxy keeps the section and listens. */
  readonly complete: boolean;
  /** Some line besides the header was read (HAProxy's peers_fe exists). */
  readonly hasFrontend: boolean;
}

export interface ConfigModel {
  readonly files: readonly string[];
  readonly global: GlobalSpec;
  /** Frontends and listens, in declaration order. */
  readonly frontends: readonly ProxySpec[];
  /** Backends and listens, by name, in declaration order. */
  readonly backends: ReadonlyMap<string, ProxySpec>;
  readonly diagnostics: readonly Diagnostic[];
  /** Pattern files and ACL patterns, which the runtime API's map/acl commands read and change. */
  readonly patterns?: PatternRefs;
}
