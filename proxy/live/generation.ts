// One loaded config while it serves: frontends and backends with their live state. A reload builds a new
// generation; requests in flight keep the one they started on.
import { ObjectCache } from '../cache/object-cache.ts';
import { VarStore } from '../sample/vars.ts';
import type { ProxyStateView, ProxyTimeouts, ServerLoad } from '../sample/context.ts';
import type { ConfigModel, ProxySpec } from '../config/model.ts';
import { LiveBackend } from './live-backend.ts';
import { compileForwardFor, type ForwardFor } from '../http/forward-for.ts';
import { StickTable } from '../stick/stick-table.ts';
import { newFreqCtr, readFreqCtr, updateFreqCtr } from '../stick/freq-ctr.ts';
import type { ServerState } from '../server/server-state.ts';

export class LiveFrontend {
  readonly name: string;
  current = 0;
  totalConnections = 0;
  requests = 0;
  denied = 0;
  /** Responses an http-response deny replaced (dresp). */
  deniedResponses = 0;
  errors = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** HTTP responses by class: 1xx..5xx, other. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  /** Sessions and HTTP requests per second (fe_sess_per_sec, fe_req_per_sec: fe_sess_rate, fe_req_rate). */
  readonly sessRate = newFreqCtr();
  readonly reqRate = newFreqCtr();
  /** Where it really listens ("127.0.0.1:8080"), filled by the engine. */
  readonly listening: string[] = [];

  /** `option forwardfor`, compiled with the generation. */
  readonly forwardFor: ForwardFor | undefined;

  constructor(readonly spec: ProxySpec) {
    this.name = spec.name;
    this.forwardFor = compileForwardFor(spec.options.forwardfor);
  }

  /** A session accepted past the tcp-request connection and session rules (proxy_inc_fe_sess_ctr). */
  countSession(): void {
    this.totalConnections++;
    updateFreqCtr(this.sessRate, Date.now(), 1000, 1);
  }

  /** An HTTP request received (proxy_inc_fe_req_ctr). */
  countRequest(): void {
    this.requests++;
    updateFreqCtr(this.reqRate, Date.now(), 1000, 1);
  }
}

// SRV_ST_STOPPED: down, or in maintenance (which stops it)
const stopped = (s: ServerState): boolean => s.op === 'down' || s.admin === 'maint';

// srv_conn_free: -1 without a maxconn, else the places left (never below 0)
function freeConns(s: ServerState): number {
  if (s.maxconn === 0) return -1;
  return s.maxconn > s.served ? s.maxconn - s.served : 0;
}

export class Generation implements ProxyStateView {
  readonly frontends = new Map<string, LiveFrontend>();
  readonly backends = new Map<string, LiveBackend>();
  /** Sessions still running on this generation (to know when an old one may be dropped). */
  active = 0;

  /** The proc.* variables: this generation is HAProxy's process, so a reload starts again from global set-var. */
  readonly procVars = new VarStore('proc');

  /** Stick tables by name; a reload starts them empty unless a peers section with the local peer teaches them (proxy/peers/reload-lesson.ts). */
  readonly tables = new Map<string, StickTable>();

  /** cache sections' objects; a reload starts them empty, as a new HAProxy process does. */
  readonly caches = new Map<string, ObjectCache>();

  constructor(readonly id: number, readonly config: ConfigModel, random?: () => number) {
    for (const [name, value] of config.global.procVars) this.procVars.set(name, value);
    for (const fe of config.frontends) this.frontends.set(fe.name, new LiveFrontend(fe));
    for (const [name, be] of config.backends) this.backends.set(name, new LiveBackend(be, random));
    // in declaration order (the order of their lines), which "show table" lists backwards
    const specs = [...config.frontends, ...config.backends.values()].flatMap((px) => (px.stickTable ? [px.stickTable] : []));
    for (const s of config.global.peers.values()) specs.push(...s.tables);
    const fileIndex = (f: string): number => config.files.indexOf(f);
    specs.sort((a, b) => fileIndex(a.loc.file) - fileIndex(b.loc.file) || a.loc.line - b.loc.line);
    for (const spec of specs) if (!this.tables.has(spec.name)) this.tables.set(spec.name, new StickTable(spec));
    for (const c of config.global.caches.values()) this.caches.set(c.name, new ObjectCache(c));
  }

  backendOf(fe: ProxySpec): LiveBackend | undefined {
    return fe.kind === 'listen' ? this.backends.get(fe.name) : undefined;
  }

  // What nbsrv(), be_conn, fe_conn, queue, srv_is_up and srv_conn read.
  // be_usable_srv: the usable active servers; without one, the backup that takes the traffic (1), or every
  // usable backup with allbackups
  nbsrv(backend: string): number | undefined {
    const be = this.backends.get(backend);
    if (!be) return undefined;
    let act = 0;
    let bck = 0;
    for (const s of be.servers) if (s.usable) s.backup ? bck++ : act++;
    if (act > 0) return act;
    return bck > 0 && !be.spec.options.allbackups ? 1 : bck;
  }

  beConn(backend: string): number | undefined {
    return this.backends.get(backend)?.served;
  }

  feConn(frontend: string): number | undefined {
    return this.frontends.get(frontend)?.current;
  }

  queue(backend: string): number | undefined {
    return this.backends.get(backend)?.queue.length;
  }

  srvIsUp(backend: string, server: string): boolean | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? s.op !== 'down' && s.admin !== 'maint' : undefined;
  }

  srvConn(backend: string, server: string): number | undefined {
    return this.backends.get(backend)?.byName.get(server)?.served;
  }

  // The rates over the last second, as read_freq_ctr reads them.
  feSessRate(frontend: string): number | undefined {
    const fe = this.frontends.get(frontend);
    return fe ? readFreqCtr(fe.sessRate, Date.now(), 1000) : undefined;
  }

  feReqRate(frontend: string): number | undefined {
    const fe = this.frontends.get(frontend);
    return fe ? readFreqCtr(fe.reqRate, Date.now(), 1000) : undefined;
  }

  beSessRate(backend: string): number | undefined {
    const be = this.backends.get(backend);
    return be ? readFreqCtr(be.sessRate, Date.now(), 1000) : undefined;
  }

  srvSessRate(backend: string, server: string): number | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? readFreqCtr(s.sessRate, Date.now(), 1000) : undefined;
  }

  // connslots: free connection and queue places on the servers not down; -1 when one of them has no limit on
  // either (smp_fetch_connslots)
  connSlots(backend: string): number | undefined {
    const be = this.backends.get(backend);
    if (!be) return undefined;
    let n = 0;
    for (const s of be.servers) {
      if (stopped(s)) continue;
      if (s.maxconn === 0 || s.spec.maxqueue === 0) return -1;
      n += s.maxconn - s.served + (s.spec.maxqueue - s.queued);
    }
    return n;
  }

  // be_conn_free: free connection places on the servers that would take traffic now: usable ones, backups only
  // when no active server is (all of them with allbackups, else the first); -1 when one has no maxconn
  beConnFree(backend: string): number | undefined {
    const be = this.backends.get(backend);
    if (!be) return undefined;
    const active = be.servers.some((s) => !s.backup && s.usable);
    const firstBackup = be.servers.find((s) => s.backup && s.usable);
    let n = 0;
    for (const s of be.servers) {
      if (!s.usable) continue;
      if (s.backup && (active || (s !== firstBackup && !be.spec.options.allbackups))) continue;
      if (s.maxconn === 0) return -1;
      if (s.maxconn > s.served) n += s.maxconn - s.served;
    }
    return n;
  }

  srvConnFree(backend: string, server: string): number | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? freeConns(s) : undefined;
  }

  // avg_queue: the backend's queued requests per usable server, rounded up; twice the total without one
  avgQueue(backend: string): number | undefined {
    const be = this.backends.get(backend);
    if (!be) return undefined;
    const n = this.nbsrv(backend)!;
    const pending = be.queue.length;
    return n > 0 ? Math.floor((pending + n - 1) / n) : pending * 2;
  }

  defaultBackend(frontend: string): string | undefined {
    return this.frontends.get(frontend)?.spec.defaultBackend;
  }

  timeouts(proxy: string): ProxyTimeouts | undefined {
    return (this.backends.get(proxy)?.spec ?? this.frontends.get(proxy)?.spec)?.timeouts;
  }

  serverLoad(backend: string, server: string): ServerLoad | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? { weight: s.effectiveWeight, userWeight: s.userWeight, initialWeight: s.spec.weight, queued: s.queued } : undefined;
  }
}
