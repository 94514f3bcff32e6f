// The engine's public contract: what the lab (TUI, `lab run`, `lab proxy`) and the runtime API use.
import type { StickTable } from './stick/stick-table.ts';
import type { SampleValue } from './sample/sample.ts';
import type { VarStore } from './sample/vars.ts';
import type { Diagnostic } from './config/diagnostics.ts';
import type { BindSpec, ConfigModel, Mode, ServerSpec } from './config/model.ts';
import type { EventBus } from './events.ts';
import type { AdminState, OperationalState } from './server/server-state.ts';

/** Config text from files (as `haproxy -f a -f b`), or from memory (the TUI's editor, tests). */
export type ConfigSource =
  | { readonly files: readonly string[] }
  | { readonly text: string; readonly name: string };

export interface LoadResult {
  /** null when there were alerts. */
  readonly model: ConfigModel | null;
  readonly diagnostics: readonly Diagnostic[];
  /** diagnostics[0, readCount) came from reading the files; the rest from the checks HAProxy runs once every file
   * is read (check_config_validity), which it skips, printing nothing of them, when reading raised an alert. */
  readonly readCount?: number;
}

export interface EngineOptions {
  readonly source: ConfigSource;
  /** Where '*' and '' binds listen; default '127.0.0.1' for the lab (HAProxy itself uses 0.0.0.0). */
  readonly anyAddress?: string;
  /** Move a bind elsewhere (the lab maps the documents' port 80 onto a free port). */
  readonly mapBind?: (bind: BindSpec, frontend: string) => { host: string; port: number };
  /** Move a server elsewhere (the lab maps "app1:5001" onto 127.0.0.1:PORT). */
  readonly mapServer?: (server: ServerSpec, backend: string) => { host: string; port: number };
  /** Receives every log line (httplog/tcplog, server state); default: per the config's `log` targets. */
  readonly logSink?: (line: string) => void;
  /** Events bus to use (the TUI passes one with a backlog). */
  readonly events?: EventBus;
  /** Disable health-check timers (tests drive checks by hand). */
  readonly healthChecks?: boolean;
  /** Run `resolvers` sections (default true). Off where the caller's mapServer alone must say where servers are. */
  readonly resolvers?: boolean;
  /** HAProxy's -L: this process's peer name, over the global `localpeer` and the host name. */
  readonly localPeer?: string;
}

export interface ServerSnapshot {
  readonly name: string;
  readonly id: number;
  readonly address: string;
  readonly weight: number;
  readonly effectiveWeight: number;
  readonly op: OperationalState;
  readonly admin: AdminState;
  readonly backup: boolean;
  readonly check: boolean;
  readonly health: number;
  readonly rise: number;
  readonly fall: number;
  readonly served: number;
  readonly queued: number;
  readonly maxconn: number;
  readonly totalConnections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly failedConnects: number;
  /** Responses an http-response deny replaced (stats dresp); 0 when absent. */
  readonly deniedResponses?: number;
  /** Maintenance comes from DNS resolution (HAProxy's RMAINT: "MAINT (resolution)"). */
  readonly maintCause?: 'resolution';
  /** The host name the server line gave, when it gave one. */
  readonly fqdn?: string;
  /** A check is running now (HAProxy's CHK_ST_INPROGRESS: stats show "* L7OK" and an empty last_chk). */
  readonly checkRunning?: boolean;
  readonly lastCheck?: { readonly status: string; readonly code?: number; readonly desc: string; readonly durationMs: number; readonly at: number };
  readonly lastStateChange: number;
  /** While STARTING under slowstart: the clock second it came UP. */
  readonly warmSince?: number;
  /** Times "observe" reached error-limit (stats "hanafail"). */
  readonly failedHana?: number;
  /** Stats "chkfail", "chkdown", "downtime" (ServerState.failedChecks, downTransitions, downTimeMs). */
  readonly failedChecks?: number;
  readonly downTransitions?: number;
  readonly downTimeMs?: number;
  /** HTTP responses by class: 1xx, 2xx, 3xx, 4xx, 5xx, other (stats hrsp_*). */
  readonly responses?: readonly number[];
  /** The agent check (agent-check): its counter (rise and fall are 1), last result, target, and whether it runs now. */
  readonly agent?: AgentSnapshot;
}

export interface AgentSnapshot {
  readonly health: number;
  readonly running: boolean;
  readonly port: number;
  readonly addr?: string;
  readonly lastCheck?: { readonly status: string; readonly code?: number; readonly desc: string; readonly durationMs: number; readonly at: number };
}

export interface BackendSnapshot {
  readonly name: string;
  readonly id: number;
  readonly mode: Mode;
  readonly algorithm: string;
  readonly servers: readonly ServerSnapshot[];
  readonly queued: number;
  readonly totalConnections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Responses an http-response deny replaced (stats dresp); 0 when absent. */
  readonly deniedResponses?: number;
  /** Stats "slim" (fullconn), "chkdown" (times it had no server left), "lastchg", "downtime". */
  readonly fullconn?: number;
  readonly downTransitions?: number;
  readonly lastStateChange?: number;
  readonly downTimeMs?: number;
  /** HTTP responses by class: 1xx, 2xx, 3xx, 4xx, 5xx, other (stats hrsp_*). */
  readonly responses?: readonly number[];
}

export interface FrontendSnapshot {
  readonly name: string;
  readonly id: number;
  readonly mode: Mode;
  /** Where it actually listens, "127.0.0.1:8080". */
  readonly listening: readonly string[];
  readonly current: number;
  readonly totalConnections: number;
  readonly requests: number;
  readonly denied: number;
  /** Responses an http-response deny replaced (stats dresp); 0 when absent. */
  readonly deniedResponses?: number;
  readonly errors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Stats "slim": the frontend's maxconn (the global one when unset). */
  readonly maxconn?: number;
  /** HTTP responses by class: 1xx, 2xx, 3xx, 4xx, 5xx, other (stats hrsp_*). */
  readonly responses?: readonly number[];
}

export interface EngineSnapshot {
  readonly pid: number;
  readonly startedAt: number;
  readonly generation: number;
  readonly frontends: readonly FrontendSnapshot[];
  readonly backends: readonly BackendSnapshot[];
}

export interface Engine {
  readonly events: EventBus;
  /** The config now serving. */
  readonly config: ConfigModel;
  /** A proc.* variable of the config now serving (`get var` on the runtime API), by name without the scope. */
  procVar(name: string): SampleValue | undefined;
  /** The proc.* variables of the config now serving, which `set var` on the runtime API changes. */
  procVars(): VarStore;
  /** The stick tables of the config now serving, by name, in declaration order. */
  stickTables(): ReadonlyMap<string, StickTable>;
  /** Starts listening; rejects (and listens nowhere) when a bind fails, naming it. */
  start(): Promise<void>;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
  /** Checks the new config first; an invalid one changes nothing. Requests in flight finish on the old one. */
  reload(source?: ConfigSource): Promise<LoadResult & { readonly ok: boolean }>;
  snapshot(): EngineSnapshot;
  /** Runtime changes, as the runtime API and the TUI make them. Each throws an Error with HAProxy's wording. */
  setWeight(backend: string, server: string, weight: number): void;
  setServerAdmin(backend: string, server: string, state: AdminState): void;
  setServerHealth(backend: string, server: string, state: 'up' | 'down'): void;
}
