// A backend while it serves: its servers' live state, its balancer, idle server connections and its queue.
// Every change of a server's usability goes through here so the balancer hears about it exactly once.
import type net from 'node:net';
import type { ProxySpec } from '../config/model.ts';
import { followsWeightChanges, type Balancer, type PickContext, type PickResult } from '../balance/balancer.ts';
import { createBalancer } from '../balance/algorithms.ts';
import { compileForwardFor, type ForwardFor } from '../http/forward-for.ts';
import { ServerState, type AdminState } from '../server/server-state.ts';
import type { EventBus } from '../events.ts';
import { newFreqCtr, updateFreqCtr } from '../stick/freq-ctr.ts';
import { clockSecond, warmingUp, warmupMaxconn, warmupWeight } from '../server/slowstart.ts';

export interface QueuedRequest {
  readonly ctx: PickContext;
  /** The server it waits for (its own queue), or none: the first server the balancer finds room on. */
  readonly server?: ServerState;
  /** Its queue's grant count when it was added, less one (pendconn_add's queue_idx, for logging only). */
  readonly idxAtAdd: number;
  /** Once out of the queue: how many were granted from it before this one left, itself included (%sq / %bq). */
  pos: number;
  /** Called with the server once one has room, or null when the queue timeout expired. */
  grant(server: ServerState | null): void;
  /** A stream on its server's own queue, handed back when that server goes away under option redispatch. */
  redistribute?: () => void;
  /** force-persist chose the server: it is never taken away (SF_FORCE_PRST). */
  forced?: boolean;
  timer: NodeJS.Timeout | null;
}

/** A pooled server connection (the HTTP side's wrapper around its socket). */
export interface IdleConn {
  readonly sock: net.Socket;
}

/** Up and out of maintenance: what srv_update_status calls RUNNING or STARTING. */
function running(s: ServerState): boolean {
  return s.op !== 'down' && s.admin !== 'maint';
}

// The dispatch address as a server the balancer never sees: HAProxy's stream targets the proxy itself there
// (assign_server), logs <NOSRV> and counts no server connection.
function dispatchServer(spec: ProxySpec): ServerState {
  const d = spec.dispatch!;
  const s = new ServerState({
    name: '<NOSRV>', id: 0, host: d.host, port: d.port, weight: 1, check: false, inter: 2000, rise: 2, fall: 3,
    backup: false, disabled: false, maxconn: 0, maxqueue: 0, loc: spec.loc,
  }, spec.name);
  s.dispatch = true;
  return s;
}

export class LiveBackend {
  readonly name: string;
  readonly servers: ServerState[];
  readonly byName = new Map<string, ServerState>();
  readonly balancer: Balancer;
  /** Connections currently open to this backend (HAProxy's beconn). */
  served = 0;
  totalConnections = 0;
  /** Streams that reached this backend, per second (be_sess_per_sec, be_sess_rate). */
  readonly sessRate = newFreqCtr();
  bytesIn = 0;
  bytesOut = 0;
  /** Responses an http-response deny replaced (dresp). */
  deniedResponses = 0;
  readonly queue: QueuedRequest[] = [];
  /** HTTP responses by class: 1xx..5xx, other. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  /** Times the backend lost its last usable server, when, and how long it has been down in all. */
  downTransitions = 0;
  lastStateChange = Date.now();
  downTimeMs = 0;
  /** Idle keep-alive connections per server, most recent last. */
  readonly idle = new Map<ServerState, IdleConn[]>();
  /** Per server: the most connections it carried at once (est_need_conns, without its decay). */
  private readonly needConns = new Map<ServerState, number>();

  /** `dispatch ADDR:PORT` (no balancing algorithm): where every stream goes, as a stand-in server. */
  readonly dispatch: ServerState | undefined;

  /** `option forwardfor`, compiled with the generation. */
  readonly forwardFor: ForwardFor | undefined;

  constructor(readonly spec: ProxySpec, random?: () => number) {
    this.name = spec.name;
    this.forwardFor = compileForwardFor(spec.options.forwardfor);
    this.servers = spec.servers.map((s) => new ServerState(s, spec.name));
    for (const s of this.servers) this.byName.set(s.name, s);
    this.dispatch = spec.dispatch ? dispatchServer(spec) : undefined;
    this.balancer = createBalancer(spec.balance, this.servers, { allBackups: spec.options.allbackups, random });
  }

  /** Whether weights change at run time; the balancer says (followsWeightChanges). */
  get isStatic(): boolean {
    return !followsWeightChanges(this.balancer);
  }

  pick(ctx: PickContext): PickResult {
    return this.balancer.pick(ctx);
  }

  // Picks a server; with a bus, also emits the balance event: the state the pick was made from and who was skipped.
  pickReported(ctx: PickContext, bus: EventBus | null, id: number): PickResult {
    if (!bus || !bus.wants.balance) return this.balancer.pick(ctx);
    const before = this.balancer.snapshot();
    const r = this.balancer.pick(ctx);
    const skipped: { server: string; why: string }[] = [];
    for (const s of this.servers) {
      const why = LiveBackend.skipReason(s);
      if (why !== null) skipped.push({ server: s.name, why });
    }
    const algorithm = this.spec.balance.algorithm;
    bus.emit({
      kind: 'balance', id, backend: this.name, server: r.server?.name ?? null, algorithm,
      reason: r.server ? r.note ?? `chosen by ${algorithm}` : r.reason, before, skipped,
    });
    return r;
  }

  /** A stream was given this backend (stream_set_backend's proxy_inc_be_ctr), before its rules run. */
  countSession(): void {
    updateFreqCtr(this.sessRate, Date.now(), 1000, 1);
  }

  // Counts a connection taken on s, for maxconn, leastconn and the stats.
  take(s: ServerState): void {
    s.served++;
    updateFreqCtr(s.sessRate, Date.now(), 1000, 1);
    // HAProxy's est_need_conns: how many connections s was seen to need at once (it bounds the idle pool)
    if ((this.needConns.get(s) ?? 0) < s.served) this.needConns.set(s, s.served);
    s.totalConnections++;
    this.served++;
    this.totalConnections++;
    this.balancer.taken?.(s);
  }

  // Releases a connection of s and lets the head of the queue in when there is room again: on the next turn, as
  // HAProxy wakes the queued stream's task (the ending stream logs first, without it on the server).
  drop(s: ServerState): void {
    s.served--;
    this.served--;
    this.balancer.dropped?.(s);
    if (this.queue.length > 0 && !this.serveScheduled) {
      this.serveScheduled = true;
      setImmediate(() => {
        this.serveScheduled = false;
        this.serveQueue();
      });
    }
  }

  private serveScheduled = false;

  /** Streams this backend holds at log time (HAProxy's beconn): on a server connection, or waiting in a queue. */
  get streams(): number {
    return this.served + this.queue.length;
  }

  /**
   * s went away (DOWN or maintenance): under option redispatch without option persist, the streams waiting in its
   * own queue go back to the balancer, force-persisted ones excepted (pendconn_redistribute).
   */
  private redistribute(s: ServerState): void {
    const opts = this.spec.options;
    if (!opts.redispatch || opts.persist) return;
    for (const q of [...this.queue]) {
      if (q.server !== s || q.forced || !q.redistribute) continue;
      this.dequeue(q);
      q.redistribute();
    }
  }

  // Queues a request until some server has room (HAProxy's backend queue), or until `server` has (that server's own
  // queue, for a stream already assigned to it), for at most timeoutMs.
  enqueue(ctx: PickContext, timeoutMs: number, grant: (server: ServerState | null) => void, server?: ServerState): QueuedRequest {
    const q: QueuedRequest = { ctx, grant, timer: null, ...(server ? { server } : {}), idxAtAdd: this.grantsOf(server) - 1, pos: 0 };
    q.timer = setTimeout(() => {
      if (this.unqueue(q)) grant(null);
    }, timeoutMs);
    this.queue.push(q);
    if (server) server.queued++;
    return q;
  }

  dequeue(q: QueuedRequest): void {
    this.unqueue(q);
    if (q.timer) clearTimeout(q.timer);
  }

  private unqueue(q: QueuedRequest): boolean {
    const i = this.queue.indexOf(q);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    if (q.server) q.server.queued--;
    q.pos = this.grantsOf(q.server) - q.idxAtAdd;
    return true;
  }

  /** Grants so far from the backend's queue, or from a server's own (HAProxy's queue idx). */
  private grantsOf(server: ServerState | undefined): number {
    return server ? this.serverGrants.get(server) ?? 0 : this.queueGrants;
  }

  private queueGrants = 0;
  private readonly serverGrants = new Map<ServerState, number>();

  // Grants queued requests in arrival order: one waiting for its own server once that server is under maxconn
  // (its queue is what keeps the balancer off it meanwhile), the others through the balancer while it finds room.
  private serveQueue(): void {
    let balancerFull = false;
    for (let i = 0; i < this.queue.length; ) {
      const q = this.queue[i]!;
      let server: ServerState | null = null;
      if (q.server) {
        // a server's own queue is served whatever its state (may_dequeue_tasks): it only needs a free slot
        if (q.server.maxconn === 0 || q.server.served < q.server.maxconn) server = q.server;
      } else if (!balancerFull) {
        server = this.balancer.pick(q.ctx).server;
        balancerFull = server === null;
      }
      if (!server) {
        i++;
        continue;
      }
      this.unqueue(q);
      if (q.server) this.serverGrants.set(q.server, this.grantsOf(q.server) + 1);
      else this.queueGrants++;
      if (q.timer) clearTimeout(q.timer);
      q.grant(server);
    }
  }

  get hasUsableServer(): boolean {
    return this.servers.some((s) => s.usable);
  }

  /** Called after a change: notes the backend going down (lost its last usable server) or coming back. */
  onAvailability?: (be: LiveBackend, available: boolean) => void;

  // Applies a change to s and tells the balancer what it means for the pick order.
  private change(s: ServerState, mutate: () => void, weightOnly = false): void {
    const backendWasUp = this.hasUsableServer;
    const wasUsable = s.usable;
    const wasRunning = running(s);
    const oldWeight = s.effectiveWeight;
    mutate();
    const usable = s.usable;
    this.shutdownOnMark(s, wasRunning);
    if (wasUsable && !usable) this.balancer.serverDown?.(s);
    else if (!wasUsable && usable) this.balancer.serverUp?.(s);
    else if (usable && (weightOnly || oldWeight !== s.effectiveWeight)) this.balancer.weightChanged?.(s);
    if (!usable) this.closeIdle(s);
    if (wasUsable && !usable) this.redistribute(s);
    if (usable) this.serveQueue();
    const backendUp = this.hasUsableServer;
    if (backendWasUp !== backendUp) {
      const now = Date.now();
      if (!backendUp) this.downTransitions++;
      else this.downTimeMs += now - this.lastStateChange;
      this.lastStateChange = now;
      this.onAvailability?.(this, backendUp);
    }
  }

  // srv_update_status(): a server marked DOWN (or put in maintenance) with on-marked-down shutdown-sessions ends its
  // sessions; an active one coming UP with on-marked-up shutdown-backup-sessions and a weight ends the backups'.
  private shutdownOnMark(s: ServerState, wasRunning: boolean): void {
    const now = running(s);
    if (wasRunning && !now && s.spec.onMarkedDown) for (const st of [...s.streams]) st.shutdown('D');
    if (!wasRunning && now && s.spec.onMarkedUp && !s.backup && s.effectiveWeight > 0) {
      for (const b of this.servers) if (b.backup) for (const st of [...b.streams]) st.shutdown('U');
    }
  }

  setWeight(s: ServerState, weight: number): void {
    this.change(s, () => {
      s.userWeight = weight;
      s.effectiveWeight = s.op === 'starting' && s.warmSince !== undefined ? this.warmWeight(s, clockSecond(Date.now())) : weight;
    }, true);
  }

  private readonly warmups = new Map<ServerState, NodeJS.Timeout>();

  private warmWeight(s: ServerState, nowSec: number): number {
    return warmupWeight(s.userWeight, s.spec.slowstart!, nowSec - s.warmSince!, !this.isStatic);
  }

  // A server coming UP with slowstart is STARTING: its weight and maxconn follow the ramp, recomputed every second
  // (server_warmup's task runs every MAX(1000, slowstart / 20) ms, slowstart being in seconds there).
  private startWarmup(s: ServerState): void {
    s.op = 'starting';
    s.warmSince = clockSecond(Date.now());
    this.applyWarmup(s);
    const timer = setInterval(() => this.change(s, () => this.applyWarmup(s)), 1000);
    timer.unref();
    this.warmups.set(s, timer);
  }

  private applyWarmup(s: ServerState): void {
    const nowSec = clockSecond(Date.now());
    if (s.op === 'starting' && s.warmSince !== undefined && warmingUp(s.spec.slowstart!, s.warmSince, nowSec)) {
      s.effectiveWeight = this.warmWeight(s, nowSec);
      s.maxconn = warmupMaxconn(s.maxconnSetting, s.spec.slowstart!, nowSec - s.warmSince);
      return;
    }
    this.stopWarmup(s);
    if (s.op === 'starting') s.op = 'up';
  }

  private stopWarmup(s: ServerState): void {
    const timer = this.warmups.get(s);
    if (timer) clearInterval(timer);
    this.warmups.delete(s);
    delete s.warmSince;
    s.effectiveWeight = s.userWeight;
    s.maxconn = s.maxconnSetting;
  }

  // An agent's maxconn:N (server_parse_maxconn_change_request): the limit changes and the queue may move.
  setMaxconn(s: ServerState, maxconn: number): void {
    this.change(s, () => {
      s.maxconnSetting = maxconn;
      s.maxconn = s.op === 'starting' && s.warmSince !== undefined ? warmupMaxconn(maxconn, s.spec.slowstart!, clockSecond(Date.now()) - s.warmSince) : maxconn;
    });
    this.serveQueue();
  }

  /** Clears the slowstart timers (the engine stops or retires this generation). */
  stopTimers(): void {
    for (const timer of this.warmups.values()) clearInterval(timer);
    this.warmups.clear();
  }

  setAdmin(s: ServerState, admin: AdminState): void {
    if (s.admin === admin) return;
    this.change(s, () => {
      s.admin = admin;
      s.lastStateChange = Date.now();
    });
  }

  setOperational(s: ServerState, up: boolean): void {
    // a stopping (NOLB) server is not down, but coming UP still takes it out of that state
    if (up ? s.op === 'up' || s.op === 'starting' : s.op === 'down') return;
    this.change(s, () => {
      s.lastStateChange = Date.now();
      if (!up) {
        this.stopWarmup(s);
        s.op = 'down';
      } else if (s.spec.slowstart) this.startWarmup(s);
      else s.op = 'up';
    });
  }

  // NOLB (srv_set_stopping): out of the balancing, still reachable by persistence.
  setStopping(s: ServerState): void {
    if (s.op === 'stopping' || s.op === 'down') return;
    this.change(s, () => {
      this.stopWarmup(s);
      s.op = 'stopping';
      s.lastStateChange = Date.now();
    });
  }

  // An idle keep-alive connection to s, or undefined.
  takeIdle(s: ServerState): IdleConn | undefined {
    const list = this.idle.get(s);
    if (!list) return undefined;
    while (list.length > 0) {
      const c = list.pop()!;
      if (!c.sock.destroyed && c.sock.readyState === 'open') return c;
    }
    return undefined;
  }

  /** The most recently idled connection to s that `ok` accepts (http-reuse decides which may be taken). */
  takeIdleWhere(s: ServerState, ok: (c: IdleConn) => boolean): IdleConn | undefined {
    const list = this.idle.get(s);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const c = list[i]!;
      if (c.sock.destroyed || c.sock.readyState !== 'open') {
        list.splice(i, 1);
        continue;
      }
      if (!ok(c)) continue;
      list.splice(i, 1);
      return c;
    }
    return undefined;
  }

  /**
   * Pools c as idle, or says no (the caller closes it). As srv_add_to_idle_list: the first idle connection is always
   * kept; more only while used + idle stays within what the server was seen to need at once. Without that bound a
   * run of first requests (never allowed to reuse under http-reuse safe) would pool a connection per request.
   * HAProxy also lets that estimate decay every pool-purge-delay; here it only grows.
   */
  putIdle(s: ServerState, c: IdleConn, priv = false): boolean {
    let list = this.idle.get(s);
    if (!list) this.idle.set(s, (list = []));
    // c itself no longer counts as used (s.served still counts its exchange): HAProxy checks after curr_used_conns
    // went down, which is why one client at a time leaves two idle connections there, not one (parity test)
    const used = s.served - 1;
    // a private connection (http-reuse never) stays its client's, outside this bound (CO_FL_PRIVATE)
    if (!priv && list.length > 0 && used + list.length > Math.max(used, this.needConns.get(s) ?? 0)) return false;
    // pool-max-conn bounds the shared idle connections (curr_idle_conns), never a client's private one
    const max = s.spec.poolMaxConn;
    if (!priv && max !== undefined && list.length >= max) return false;
    list.push(c);
    return true;
  }

  removeIdle(s: ServerState, c: IdleConn): void {
    const list = this.idle.get(s);
    if (!list) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
  }

  closeIdle(s?: ServerState): void {
    for (const [srv, list] of this.idle) {
      if (s && srv !== s) continue;
      for (const c of list) c.sock.destroy();
      list.length = 0;
    }
  }

  // Why a server would be passed over right now (for the explain view), or null when it is a candidate.
  static skipReason(s: ServerState): string | null {
    if (s.admin === 'maint') return 'in maintenance (disabled)';
    if (s.admin === 'drain') return 'draining';
    if (s.op === 'down') return 'DOWN (health checks)';
    if (s.effectiveWeight === 0) return 'weight 0';
    if (!s.hasRoom) return `full (maxconn ${s.maxconn})`;
    return null;
  }
}
