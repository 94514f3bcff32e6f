// What sample fetches read: a connection, maybe an HTTP request or response, the proxies' live state.
import type { VarSet } from './vars.ts';
import type { BufferedBody } from '../http/request-body.ts';
import type { HttpRequestView, HttpResponseView } from '../http/message-view.ts';
import type { TlsView } from '../tls/tls-info.ts';
import type { StickTable } from '../stick/stick-table.ts';
import type { Trackers } from '../stick/trackers.ts';
import type { StreamCaptures } from '../http/captures.ts';

export type { HttpRequestView, HttpResponseView };

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
  /** http-request set-src/set-dst/...-port changed the addresses above: the log and X-Forwarded-For follow them. */
  readonly addressesSet?: boolean;
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
  /** In mode http: the request body as buffered when the rules run (req.body*); absent with no HTTP request. */
  readonly reqBody?: () => BufferedBody;
  /** In mode tcp with tcp-request content rules: the bytes buffered so far. */
  readonly payload?: Buffer;
  /**
   * In mode http's tcp-request content rules: the size of the request as HAProxy's HTX holds it, which is what
   * req.len gives there (not the bytes received).
   */
  readonly htxSize?: number;
  /** In mode tcp: the buffer starts like an HTTP request whose head is not complete yet (see withBufferedRequest). */
  readonly reqIncomplete?: boolean;
  /** The client connection's TLS state (ssl_fc*, ssl_c_*); absent on clear-text connections. */
  readonly tls?: TlsView;
  /** Live proxy and server state for nbsrv(), be_conn(), srv_is_up() ...; absent → those give no sample. */
  readonly state?: ProxyStateView;
  /** The variables reachable here (proc always; sess, txn, req/res once there is a connection and a stream). */
  readonly vars?: VarSet;
  /** Stick tables and the counters tracked here (sc_*, src_*, table_* and the track-sc rules). */
  readonly stick?: StickView;
  /** In mode http: this request is its client connection's first (http_first_req; HAProxy's !TX_NOT_FIRST). */
  readonly firstRequest?: boolean;
  /** The stream's capture slots, its request line as received, its unique id (capture.*, unique-id). */
  readonly captures?: StreamCaptures;
}

/** What the stick-table fetches, converters and actions reach. */
export interface StickView {
  /** The tables of the config now serving, by name. */
  readonly tables: ReadonlyMap<string, StickTable>;
  /** The stream's tracked counters (a copy of its session's plus its own); the session's at connection level. */
  readonly ctrs?: Trackers;
  /** The session's own, for the tcp-request connection/session rules that track into them. */
  readonly sess?: Trackers;
  /** The stream's status once a response exists (http-response track-sc counts it). */
  readonly status?: number;
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
  /** A proxy's configured timeouts in ms (be_server_timeout ...); a missing one is "not set". */
  timeouts?(proxy: string): ProxyTimeouts | undefined;
  /** A server's weights (effective, as set by the config or `set weight`, initial) and queue (srv_weight ...). */
  serverLoad?(backend: string, server: string): ServerLoad | undefined;
}

export interface ProxyTimeouts {
  readonly client?: number;
  readonly server?: number;
  readonly tunnel?: number;
}

export interface ServerLoad {
  readonly weight: number;
  readonly userWeight: number;
  readonly initialWeight: number;
  readonly queued: number;
}

