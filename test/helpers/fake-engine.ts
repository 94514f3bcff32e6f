// An in-memory Engine (proxy/api.ts) for tests of the runtime API, the stats page and the health checks:
// specs built from short descriptions, numbered as HAProxy numbers them, and server state changed the way
// HAProxy changes it (src/server.c srv_update_status), with no sockets.
import type { StickTable } from '../../proxy/stick/stick-table.ts';
import type { SampleValue } from '../../proxy/sample/sample.ts';
import { VarStore } from '../../proxy/sample/vars.ts';
import type { BackendSnapshot, Engine, EngineSnapshot, FrontendSnapshot, LoadResult, ServerSnapshot } from '../../proxy/api.ts';
import type {
  BalanceAlgorithm,
  ConfigModel,
  HttpCheckSpec,
  Mode,
  ProxyOptions,
  ProxySpec,
  ServerSpec,
  StatsSocketSpec,
  StatsSpec,
  Timeouts,
} from '../../proxy/config/model.ts';
import { EventBus } from '../../proxy/events.ts';
import type { HealthHost } from '../../proxy/server/health/scheduler.ts';
import { ServerState, type AdminState } from '../../proxy/server/server-state.ts';

const here = { file: 'fake.cfg', line: 1, col: 1 };

export interface ServerInit {
  readonly name: string;
  readonly host?: string;
  readonly port: number;
  readonly id?: number;
  readonly weight?: number;
  readonly check?: boolean;
  readonly inter?: number;
  readonly fastinter?: number;
  readonly downinter?: number;
  readonly rise?: number;
  readonly fall?: number;
  readonly backup?: boolean;
  readonly disabled?: boolean;
  readonly maxconn?: number;
  readonly maxqueue?: number;
  readonly checkPort?: number;
}

export interface ProxyInit {
  readonly kind: 'frontend' | 'backend' | 'listen';
  readonly name: string;
  readonly mode?: Mode;
  readonly algorithm?: BalanceAlgorithm;
  readonly hashType?: 'map-based' | 'consistent';
  readonly servers?: readonly ServerInit[];
  readonly binds?: readonly string[];
  readonly defaultBackend?: string;
  readonly httpchk?: Omit<HttpCheckSpec, 'loc'>;
  readonly timeouts?: Timeouts;
  readonly maxconn?: number;
  readonly fullconn?: number;
  readonly stats?: Omit<StatsSpec, 'loc'>;
  readonly retries?: number;
}

// A ServerSpec with HAProxy's defaults (weight 1, inter 2000, rise 2, fall 3).
export function serverSpec(init: ServerInit, position: number): ServerSpec {
  return {
    name: init.name,
    id: init.id ?? position,
    host: init.host ?? '127.0.0.1',
    port: init.port,
    weight: init.weight ?? 1,
    check: init.check ?? false,
    inter: init.inter ?? 2000,
    ...(init.fastinter !== undefined ? { fastinter: init.fastinter } : {}),
    ...(init.downinter !== undefined ? { downinter: init.downinter } : {}),
    rise: init.rise ?? 2,
    fall: init.fall ?? 3,
    backup: init.backup ?? false,
    disabled: init.disabled ?? false,
    maxconn: init.maxconn ?? 0,
    maxqueue: init.maxqueue ?? 0,
    ...(init.checkPort !== undefined ? { checkPort: init.checkPort } : {}),
    loc: here,
  };
}

function options(init: ProxyInit): ProxyOptions {
  return {
    httplog: false,
    httplogClf: false,
    logHealthChecks: false,
    tcplog: false,
    dontlognull: false, httpBufferRequest: false,
    httpServerClose: false,
    httpKeepAlive: true,
    httpClose: false,
    redispatch: false,
    allbackups: false,
    logasap: false,
    ...(init.httpchk ? { httpchk: { ...init.httpchk, loc: here } } : {}),
  };
}

// A ProxySpec with the given numeric id (HAProxy's proxy uuid).
export function proxySpec(init: ProxyInit, id: number): ProxySpec {
  return {
    kind: init.kind,
    name: init.name,
    errorPages: new Map(),
    redirectRules: [],
    stickRules: [],
    storeResponseRules: [],
    id,
    loc: here,
    mode: init.mode ?? 'http',
    binds: (init.binds ?? []).map((text) => {
      const i = text.lastIndexOf(':');
      return { host: text.slice(0, i) || null, port: Number(text.slice(i + 1)), loc: here, text };
    }),
    ...(init.defaultBackend ? { defaultBackend: init.defaultBackend } : {}),
    useBackends: [],
    httpRequestRules: [],
    httpResponseRules: [], httpAfterResponseRules: [],
    tcpRequestRules: [],
    tcpResponseRules: [],
    inheritedTcpRules: 0,
    balance: { algorithm: init.algorithm ?? 'roundrobin', options: [], hashType: init.hashType ?? 'map-based' },
    servers: (init.servers ?? []).map((s, i) => serverSpec(s, i + 1)),
    retries: init.retries ?? 3,
    ...(init.fullconn !== undefined ? { fullconn: init.fullconn } : {}),
    timeouts: init.timeouts ?? { connect: 1000, client: 5000, server: 5000 },
    options: options(init),
    maxconn: init.maxconn ?? 0,
    logs: [],
    ...(init.stats ? { stats: { ...init.stats, loc: here } } : {}),
  };
}

export interface ModelInit {
  readonly proxies: readonly ProxyInit[];
  readonly statsSockets?: readonly string[];
  readonly maxconn?: number;
}

// A ConfigModel numbered like HAProxy: proxies in declaration order from 1, or from 2 when a `stats socket`
// is declared (the CLI frontend takes id 1).
export function configModel(init: ModelInit): ConfigModel {
  const sockets: StatsSocketSpec[] = (init.statsSockets ?? []).map((address) => ({ address, level: 'admin', loc: here }));
  const first = sockets.length > 0 ? 2 : 1;
  const specs = init.proxies.map((p, i) => proxySpec(p, first + i));
  return {
    files: ['fake.cfg'],
    global: { maxconn: init.maxconn ?? 4096, logs: [], statsSockets: sockets, nbthread: 1, bufsize: 16384, maxhdr: 101, procVars: new Map(), resolvers: new Map(), caches: new Map(), peers: new Map(), localPeer: "lab" },
    frontends: specs.filter((p) => p.kind !== 'backend'),
    backends: new Map(specs.filter((p) => p.kind !== 'frontend').map((p) => [p.name, p])),
    diagnostics: [],
  };
}

/** Counters a test may bump to see them in stats. */
export interface FakeFrontendCounters {
  current: number;
  totalConnections: number;
  requests: number;
  denied: number;
  errors: number;
  bytesIn: number;
  bytesOut: number;
}

// The in-memory engine: servers as ServerState, runtime changes as HAProxy makes them, a snapshot like the engine's.
export class FakeEngine implements Engine {
  readonly events = new EventBus();
  readonly servers = new Map<string, ServerState[]>();
  readonly frontendCounters = new Map<string, FakeFrontendCounters>();
  readonly startedAt: number;
  readonly calls: string[] = [];
  /** Per backend: times it lost its last usable server, and when its state last changed (set_backend_down). */
  readonly backendDowns = new Map<string, { count: number; at: number }>();
  /** Log lines the engine would write ("backend X has no server available!"). */
  readonly logs: string[] = [];

  stickTables(): ReadonlyMap<string, StickTable> {
    return new Map<string, StickTable>();
  }

  procVar(name: string): SampleValue | undefined {
    return this.procVars().get(name);
  }

  private procStore: VarStore | undefined;

  // the config's global set-var values, then what `set var` changed
  procVars(): VarStore {
    if (!this.procStore) {
      this.procStore = new VarStore('proc');
      for (const [k, v] of this.config.global.procVars) this.procStore.set(k, v);
    }
    return this.procStore;
  }

  constructor(readonly config: ConfigModel, readonly now: () => number = Date.now) {
    this.startedAt = now();
    for (const [name, spec] of config.backends) {
      const list = spec.servers.map((s) => new ServerState(s, name));
      for (const s of list) {
        s.lastStateChange = this.startedAt;
        // HAProxy starts every server's check counter at rise, checked or not (src/server.c).
        s.health = s.spec.rise;
        if (s.admin === 'maint') {
          s.op = 'down';
          s.health = 0;
        }
      }
      this.servers.set(name, list);
    }
    for (const f of config.frontends) {
      this.frontendCounters.set(f.name, { current: 0, totalConnections: 0, requests: 0, denied: 0, errors: 0, bytesIn: 0, bytesOut: 0 });
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async reload(): Promise<LoadResult & { readonly ok: boolean }> {
    return { ok: true, model: this.config, diagnostics: [] };
  }

  // The server named in HAProxy's terms, or an Error worded as HAProxy's CLI words it.
  server(backend: string, server: string): ServerState {
    const list = this.servers.get(backend);
    if (!list) throw new Error('No such backend.');
    const s = list.find((x) => x.name === server);
    if (!s) throw new Error('No such server.');
    return s;
  }

  // Runs a change and records it when the backend is left with no usable server, as set_backend_down() does.
  private tracked(backend: string, change: () => void): void {
    const usable = () => (this.servers.get(backend) ?? []).filter((s) => s.usable).length;
    const before = usable();
    change();
    if (before > 0 && usable() === 0) {
      const d = this.backendDowns.get(backend) ?? { count: 0, at: this.startedAt };
      this.backendDowns.set(backend, { count: d.count + 1, at: this.now() });
      if (!this.logs.at(-1)?.endsWith('has no server available!')) this.logs.push(`backend ${backend} has no server available!`);
    } else if (before === 0 && usable() > 0) {
      const d = this.backendDowns.get(backend) ?? { count: 0, at: this.startedAt };
      this.backendDowns.set(backend, { count: d.count, at: this.now() });
    }
  }

  setWeight(backend: string, server: string, weight: number): void {
    this.calls.push(`setWeight ${backend}/${server} ${weight}`);
    const s = this.server(backend, server);
    this.tracked(backend, () => {
      s.userWeight = weight;
      s.effectiveWeight = s.admin === 'drain' ? 0 : weight;
    });
  }

  setServerAdmin(backend: string, server: string, state: AdminState): void {
    this.calls.push(`setServerAdmin ${backend}/${server} ${state}`);
    const s = this.server(backend, server);
    if (state === s.admin) return;
    this.tracked(backend, () => this.applyAdmin(s, state));
  }

  private applyAdmin(s: ServerState, state: AdminState): void {
    const t = this.now();
    if (state === 'maint') {
      if (s.op !== 'down') {
        s.op = 'down';
        s.downTransitions++;
        s.lastStateChange = t;
      }
      s.health = 0;
    } else if (s.admin === 'maint') {
      // Leaving maintenance: checks restart at rise ("start OK but check immediately"), the server is UP.
      if (s.spec.check) s.health = s.spec.rise;
      s.downTimeMs += t - s.lastStateChange;
      s.op = 'up';
      s.lastStateChange = t;
    } else {
      s.lastStateChange = t;
    }
    s.admin = state;
    s.effectiveWeight = state === 'drain' ? 0 : s.userWeight;
  }

  setServerHealth(backend: string, server: string, state: 'up' | 'down'): void {
    this.calls.push(`setServerHealth ${backend}/${server} ${state}`);
    const s = this.server(backend, server);
    this.tracked(backend, () => this.applyHealth(s, state));
  }

  private applyHealth(s: ServerState, state: 'up' | 'down'): void {
    const t = this.now();
    if (state === 'up') {
      s.health = s.spec.rise + s.spec.fall - 1;
      if (s.admin !== 'maint' && s.op === 'down') {
        s.downTimeMs += t - s.lastStateChange;
        s.op = 'up';
        s.lastStateChange = t;
      }
    } else {
      s.health = 0;
      if (s.admin !== 'maint' && s.op !== 'down') {
        s.op = 'down';
        s.downTransitions++;
        s.lastStateChange = t;
      }
    }
  }

  // What the engine hands the health scheduler: transitions change op and count backend downs; logs are kept.
  healthHost(): HealthHost {
    return {
      transition: (server, to) => this.tracked(server.backend, () => void (server.op = to)),
      log: (line) => void this.logs.push(line),
    };
  }

  snapshot(): EngineSnapshot {
    const frontends: FrontendSnapshot[] = this.config.frontends.map((f) => {
      const c = this.frontendCounters.get(f.name)!;
      return {
        name: f.name,
        id: f.id,
        mode: f.mode,
        listening: f.binds.map((b) => `${b.host ?? '127.0.0.1'}:${b.port}`),
        maxconn: f.maxconn || this.config.global.maxconn,
        ...c,
      };
    });
    const backends: BackendSnapshot[] = [...this.config.backends.values()].map((b) => {
      const servers: ServerSnapshot[] = (this.servers.get(b.name) ?? []).map((s) => ({
        name: s.name,
        id: s.id,
        address: `${s.host}:${s.port}`,
        weight: s.userWeight,
        effectiveWeight: s.effectiveWeight,
        op: s.op,
        admin: s.admin,
        backup: s.backup,
        check: s.spec.check,
        health: s.health,
        rise: s.spec.rise,
        fall: s.spec.fall,
        served: s.served,
        queued: s.queued,
        maxconn: s.maxconn,
        totalConnections: s.totalConnections,
        bytesIn: s.bytesIn,
        bytesOut: s.bytesOut,
        failedConnects: s.failedConnects,
        failedChecks: s.failedChecks,
        downTransitions: s.downTransitions,
        downTimeMs: s.downTimeMs,
        ...(s.lastCheck ? { lastCheck: { ...s.lastCheck } } : {}),
        lastStateChange: s.lastStateChange,
      }));
      return {
        name: b.name,
        id: b.id,
        mode: b.mode,
        algorithm: b.balance.algorithm,
        servers,
        queued: 0,
        totalConnections: servers.reduce((n, s) => n + s.totalConnections, 0),
        bytesIn: servers.reduce((n, s) => n + s.bytesIn, 0),
        bytesOut: servers.reduce((n, s) => n + s.bytesOut, 0),
        lastStateChange: this.backendDowns.get(b.name)?.at ?? this.startedAt,
        downTransitions: this.backendDowns.get(b.name)?.count ?? 0,
      };
    });
    return { pid: process.pid, startedAt: this.startedAt, generation: 1, frontends, backends };
  }
}
