// What ACL fetches read (a connection, maybe an HTTP request) and what compiled conditions offer the engine.
import type { SourceLoc } from '../config/diagnostics.ts';
import type { TlsView } from '../tls/tls-info.ts';

/** The request head as the HTTP parser produced it; fetches read it, nothing writes it. */
export interface HttpRequestView {
  readonly method: string;
  /** The request target exactly as received (origin-form "/a?b", or absolute-form). */
  readonly uri: string;
  /** "1.0" or "1.1" (what req.ver returns). */
  readonly version: string;
  /**
   * The path part of the target, without the query string. The `path` fetch uses it for origin-form targets
   * ("/a?b"); for absolute-form ones it reads the path from `uri` itself, as HAProxy does.
   */
  readonly path: string;
  /** Everything after the first '?', or null when there is none. */
  readonly query: string | null;
  /** Headers as received, flattened: [name0, value0, name1, value1, ...]; names keep their case. */
  readonly headers: readonly string[];
}

/** The response head as the server sent it, for http-response rules; nothing writes it while rules read it. */
export interface HttpResponseView {
  readonly status: number;
  /** "1.0" or "1.1" (what res.ver returns). */
  readonly version: string;
  /** Headers as received (minus what earlier rules removed), flattened like HttpRequestView's. */
  readonly headers: readonly string[];
}

/** A proxy or a server as the identity fetches (fe_name, be_id, srv_name ...) see it. */
export interface NamedId {
  readonly name: string;
  readonly id: number;
}

/** Everything a sample fetch may look at. */
export interface SampleContext {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** Absent in mode tcp (and before the request head is parsed), and in http-response rules (see reqPersist). */
  readonly req?: HttpRequestView;
  /**
   * In http-response rules: the request, for the few fetches HAProxy keeps once the request has left (method,
   * req.proto_http); the others (path, hdr ...) find the request buffer empty there and give no sample.
   */
  readonly reqPersist?: HttpRequestView;
  /** In http-response rules: the server's response head. */
  readonly res?: HttpResponseView;
  /** The frontend that accepted the connection; the backend once chosen; the server once connected. */
  readonly frontend?: NamedId;
  readonly backend?: NamedId;
  readonly server?: NamedId;
  /** In mode tcp with tcp-request content rules: the bytes buffered so far. */
  readonly payload?: Buffer;
  /** In mode tcp: the buffer starts like an HTTP request whose head is not complete yet (see withBufferedRequest). */
  readonly reqIncomplete?: boolean;
  /** The client connection's TLS state (ssl_fc*, ssl_c_*); absent on clear-text connections. */
  readonly tls?: TlsView;
  /** Live proxy and server state for nbsrv(), be_conn(), srv_is_up() ...; absent → those give no sample. */
  readonly state?: ProxyStateView;
}

/** What state fetches read; names are proxy and server names as configured. undefined = unknown name. */
export interface ProxyStateView {
  /** Usable servers of a backend (nbsrv): up, not in maintenance, with a non-zero weight. */
  nbsrv(backend: string): number | undefined;
  /** Current connections of a backend (be_conn) or frontend (fe_conn). */
  beConn(backend: string): number | undefined;
  feConn(frontend: string): number | undefined;
  /** Requests waiting in a backend's queue (queue). */
  queue(backend: string): number | undefined;
  srvIsUp(backend: string, server: string): boolean | undefined;
  /** Current connections of a server (srv_conn). */
  srvConn(backend: string, server: string): number | undefined;
}

/**
 * A compiled if/unless condition. test() is the fast path; explain() re-evaluates for the explain view.
 * Both give the ACLs' result before polarity, as acl_exec_cond does: a rule applies when
 * `test(ctx) === (polarity === 'if')`.
 */
export interface Condition {
  readonly polarity: 'if' | 'unless';
  /** The condition's words as written, e.g. "is_admin_path !is_internal_network". */
  readonly text: string;
  readonly loc: SourceLoc;
  test(ctx: SampleContext): boolean;
  /**
   * For tcp-request content rules while data may still arrive: like test(), or undefined when the answer
   * depends on bytes not received yet (HAProxy's ACL_TEST_MISS: wait for more data or the inspect delay,
   * then decide with test()).
   */
  testPartial?(ctx: SampleContext): boolean | undefined;
  explain(ctx: SampleContext): ConditionTrace;
}

export interface AclTrace {
  /** The ACL's name, or "{ ... }" for an anonymous one. */
  readonly name: string;
  readonly negated: boolean;
  /** The fetch expression, e.g. "path_beg" or "req.hdr(User-Agent)". */
  readonly fetch: string;
  /** The sample values the fetch returned (stringified), empty when it found nothing. */
  readonly values: readonly string[];
  /** The ACL's own result, before negation. */
  readonly matched: boolean;
  /** Which pattern matched, when one did. */
  readonly pattern?: string;
  readonly loc?: SourceLoc;
}

export interface ConditionTrace {
  readonly result: boolean;
  /** Every ACL evaluated, in order (short-circuited ones are absent). */
  readonly acls: readonly AclTrace[];
}
