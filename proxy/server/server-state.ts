// A server's live state: what the balancers choose from and what health checks, the runtime API and the
// TUI change. Mirrors HAProxy's split of operational state (from checks) and administrative state (from us).
import { newFreqCtr } from '../stick/freq-ctr.ts';
import type { ServerSpec } from '../config/model.ts';

/** An agent check's own state (HAProxy's srv->agent): its counter, last result and whether it runs now. */
export interface AgentState {
  /** 0..AGENT_RISE+AGENT_FALL-1; the agent lets the server up while health >= AGENT_RISE. */
  health: number;
  lastCheck?: { status: string; code?: number; desc: string; durationMs: number; at: number };
  running: boolean;
}

/** What the traffic told of a server, as HAProxy's HANA_STATUS_* (analyze_statuses). */
export type TrafficOutcome =
  | 'L4_OK'
  | 'L4_ERR'
  | 'HTTP_OK'
  | 'HTTP_STS'
  | 'HTTP_HDRRSP'
  | 'HTTP_RSP'
  | 'HTTP_READ_ERROR'
  | 'HTTP_READ_TIMEOUT'
  | 'HTTP_BROKEN_PIPE';

export type OperationalState = 'up' | 'down' | 'starting' | 'stopping';
export type AdminState = 'ready' | 'maint' | 'drain';

export class ServerState {
  readonly name: string;
  readonly backend: string;
  readonly id: number;
  readonly backup: boolean;
  host: string;
  port: number;
  /** The weight the config (or `set weight`) gave: 0..256. */
  userWeight: number;
  /** The effective weight balancers use (0 while draining). */
  effectiveWeight: number;
  op: OperationalState;
  admin: AdminState;
  /** Connections currently served (HAProxy's srv->served). */
  served = 0;
  /** Requests waiting in this server's queue. */
  queued = 0;
  /** The connection limit in force (slowstart ramps it up); 0 = none. */
  maxconn: number;
  /** The limit set: the config's, or an agent's maxconn:N (srv->maxconn); what stats show as slim. */
  maxconnSetting: number;
  /** Counters for stats and the TUI. */
  totalConnections = 0;
  /** Sessions per second on this server (sess_per_sec, srv_sess_rate). */
  readonly sessRate = newFreqCtr();
  bytesIn = 0;
  bytesOut = 0;
  failedConnects = 0;
  /** Responses an http-response deny replaced (dresp). */
  deniedResponses = 0;
  /** HTTP responses by class: 1xx..5xx, other. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  /** Health: 0..rise+fall-1; up when >= rise (HAProxy's check->health). */
  health: number;
  lastCheck?: { status: string; code?: number; desc: string; durationMs: number; at: number };
  /** Why admin is 'maint' when it is not the CLI's or the config's doing: DNS resolution (SRV_ADMF_RMAINT). */
  maintCause?: 'resolution';
  /** A health check is in flight (HAProxy's CHK_ST_INPROGRESS). */
  checkRunning = false;
  lastStateChange = Date.now();
  /** Failed checks counted while health > 0 (HAProxy's failed_checks, stats "chkfail"). */
  failedChecks = 0;
  /** UP to DOWN transitions (HAProxy's down_trans, stats "chkdown"). */
  downTransitions = 0;
  /** Time spent DOWN before the current state, in ms (stats "downtime" adds the current DOWN period). */
  downTimeMs = 0;
  /** While STARTING under slowstart: the clock second it came UP (HAProxy's last_change). */
  warmSince?: number;
  /** Consecutive traffic errors seen by "observe" (HAProxy's consecutive_errors). */
  consecutiveErrors = 0;
  /** Times "observe" reached error-limit (stats "hanafail"). */
  failedHana = 0;
  /** Streams on this server that on-marked-down / on-marked-up may shut (srv_shutdown_streams). */
  readonly streams = new Set<{ shutdown(why: 'D' | 'U'): void }>();
  /** Set by the health scheduler when the server observes its traffic: one traffic outcome (health_adjust). */
  observer?: (event: TrafficOutcome) => void;
  /** The agent check, when the server line has agent-check (it starts at health = rise, as HAProxy's). */
  agent?: AgentState;
  /** The backend's dispatch address, not a server: logged <NOSRV>, no stats row, its connections private. */
  dispatch = false;
  /** Private slot for the backend's balancer (tree position, hash slots...). */
  lb: unknown = undefined;

  constructor(readonly spec: ServerSpec, backend: string) {
    this.name = spec.name;
    this.backend = backend;
    this.id = spec.id;
    this.backup = spec.backup;
    this.host = spec.host;
    this.port = spec.port;
    this.userWeight = spec.weight;
    this.effectiveWeight = spec.weight;
    this.maxconn = spec.maxconn;
    this.maxconnSetting = spec.maxconn;
    this.op = 'up';
    this.admin = spec.disabled ? 'maint' : 'ready';
    // init-addr (srv_iterate_initaddr): "last" needs a state file and is skipped; "libc" keeps the name (resolved
    // when connecting); an IP is taken as it is; "none" leaves the server without address, in maintenance for
    // resolution until a resolvers answer comes
    if (spec.fqdn !== undefined && spec.initAddr) {
      const first = spec.initAddr.find((m) => m !== 'last');
      if (first === 'none') {
        this.host = '';
        this.admin = 'maint';
        this.maintCause = 'resolution';
      } else if (first !== undefined && first !== 'libc') {
        this.host = first;
      }
    }
    // HAProxy starts every server at health = rise: up, and one failed check from DOWN until it was once fully up
    this.health = spec.rise;
    if (spec.agent) this.agent = { health: 1, running: false };
    if (this.maintCause === 'resolution') {
      this.op = 'down';
      this.health = 0;
    }
  }

  // Usable for new traffic by the balancers (HAProxy's srv_currently_usable): up, ready, and a weight.
  get usable(): boolean {
    return this.effectiveWeight > 0 && this.admin === 'ready' && (this.op === 'up' || this.op === 'starting');
  }

  // Whether it may take one more connection now (maxconn 0 = no limit).
  get hasRoom(): boolean {
    return this.maxconn === 0 || (this.queued === 0 && this.served < this.maxconn);
  }
}
