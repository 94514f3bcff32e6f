// Engine events: a union keyed by `kind`. The engine builds a payload only when someone listens to its kind.
import type { Diagnostic, SourceLoc } from './config/diagnostics.ts';
import type { AclTrace } from './acl/types.ts';
import type { BalancerSnapshot } from './balance/balancer.ts';
import type { AdminState, OperationalState } from './server/server-state.ts';

export interface ListeningEvent {
  readonly kind: 'listening';
  readonly frontend: string;
  readonly address: string;
  readonly port: number;
  readonly mode: 'http' | 'tcp';
}

export interface RequestEvent {
  readonly kind: 'request';
  /** Unique per engine, shared by every event of one request (or one tcp connection). */
  readonly id: number;
  readonly frontend: string;
  readonly src: string;
  readonly srcPort: number;
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly headers: readonly string[];
  readonly at: number;
}

/** One rule of the frontend considered, with the ACLs its condition evaluated. */
export interface RuleTrace {
  readonly rule: string;
  readonly loc: SourceLoc;
  readonly matched: boolean;
  readonly acls: readonly AclTrace[];
}

export interface AclEvent {
  readonly kind: 'acl';
  readonly id: number;
  readonly frontend: string;
  readonly rules: readonly RuleTrace[];
}

export interface RouteEvent {
  readonly kind: 'route';
  readonly id: number;
  readonly frontend: string;
  /** 'use_backend', 'default_backend', or the http-request action that answered (deny, redirect, return). */
  readonly decidedBy: string;
  readonly rule?: string;
  readonly loc?: SourceLoc;
  readonly backend?: string;
}

export interface BalanceEvent {
  readonly kind: 'balance';
  readonly id: number;
  readonly backend: string;
  readonly server: string | null;
  readonly algorithm: string;
  /** Why this server, or why none (no-usable-server, all-full). */
  readonly reason: string;
  readonly before: BalancerSnapshot;
  /** Servers passed over and why (down, maint, full, weight 0). */
  readonly skipped: readonly { readonly server: string; readonly why: string }[];
}

export interface ResponseEvent {
  readonly kind: 'response';
  readonly id: number;
  readonly frontend: string;
  readonly backend: string;
  readonly server: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** HAProxy's Tq/Tw/Tc/Tr/Tt in ms (-1 when not reached). */
  readonly timings: { readonly tq: number; readonly tw: number; readonly tc: number; readonly tr: number; readonly tt: number };
  /** HAProxy's two-letter termination state, e.g. "--", "SC", "CD". */
  readonly termination: string;
  readonly retries: number;
}

export interface ServerStateEvent {
  readonly kind: 'server-state';
  readonly backend: string;
  readonly server: string;
  readonly from: OperationalState | AdminState;
  readonly to: OperationalState | AdminState;
  /** The sentence HAProxy logs, e.g. "Server servers/server1 is DOWN, reason: Layer4 connection problem, ...". */
  readonly message: string;
}

export interface CheckEvent {
  readonly kind: 'check';
  readonly backend: string;
  readonly server: string;
  readonly ok: boolean;
  /** HAProxy's check status code: L4OK, L4CON, L4TOUT, L7OK, L7STS, L7RSP, L7TOUT, ... */
  readonly status: string;
  readonly code?: number;
  readonly desc: string;
  readonly durationMs: number;
  readonly health: number;
  readonly rise: number;
  readonly fall: number;
}

export interface LogEvent {
  readonly kind: 'log';
  readonly line: string;
}

export interface DiagnosticEvent {
  readonly kind: 'diagnostic';
  readonly diagnostic: Diagnostic;
}

export interface ReloadedEvent {
  readonly kind: 'reloaded';
  readonly ok: boolean;
  readonly generation: number;
  readonly diagnostics: readonly Diagnostic[];
}

export type EngineEvent =
  | ListeningEvent
  | RequestEvent
  | AclEvent
  | RouteEvent
  | BalanceEvent
  | ResponseEvent
  | ServerStateEvent
  | CheckEvent
  | LogEvent
  | DiagnosticEvent
  | ReloadedEvent;

export type EventKind = EngineEvent['kind'];
export type EventOf<K extends EventKind> = Extract<EngineEvent, { kind: K }>;
type Listener<K extends EventKind> = (e: EventOf<K>) => void;

const KINDS: readonly EventKind[] = [
  'listening', 'request', 'acl', 'route', 'balance', 'response', 'server-state', 'check', 'log', 'diagnostic', 'reloaded',
];

// The bus keeps one boolean per kind so the hot path asks `bus.wants.request` before building anything.
export class EventBus {
  readonly wants: Record<EventKind, boolean>;
  private readonly listeners = new Map<EventKind, Set<(e: EngineEvent) => void>>();
  private backlog: EngineEvent[] | null;

  private readonly detailLimit: number;
  private detailWindow = 0;
  private detailUsed = 0;

  /** With backlogSize > 0, events emitted before the first listener are kept (bounded) and replayed to it.
   *  With detailedPerSecond > 0, at most that many requests a second carry their detail events (request, acl,
   *  route, balance): a screen that explains the last few requests needs no explain trace for each of 20,000. */
  constructor(private readonly backlogSize = 0, opts: { detailedPerSecond?: number } = {}) {
    this.detailLimit = opts.detailedPerSecond ?? 0;
    this.wants = Object.fromEntries(KINDS.map((k) => [k, backlogSize > 0])) as Record<EventKind, boolean>;
    this.backlog = backlogSize > 0 ? [] : null;
  }

  // Subscribes to one kind; returns the unsubscribe function.
  on<K extends EventKind>(kind: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    const f = fn as (e: EngineEvent) => void;
    set.add(f);
    this.wants[kind] = true;
    this.flushBacklog();
    return () => {
      set!.delete(f);
      this.recompute(kind);
    };
  }

  // Subscribes to every kind.
  onAny(fn: (e: EngineEvent) => void): () => void {
    const offs = KINDS.map((k) => this.on(k, fn as Listener<typeof k>));
    return () => offs.forEach((off) => off());
  }

  // Whether the request starting now gets its detail events; asked once per request, only when one is wanted.
  detailed(): boolean {
    if (this.detailLimit === 0) return true;
    const now = Date.now();
    if (now - this.detailWindow >= 1000) {
      this.detailWindow = now;
      this.detailUsed = 0;
    }
    return ++this.detailUsed <= this.detailLimit;
  }

  /** The bus details only some requests (detailedPerSecond): log lines for listeners follow the same sampling. */
  get capped(): boolean {
    return this.detailLimit > 0;
  }

  /** Whether any detail kind has a listener. */
  get wantsDetail(): boolean {
    const w = this.wants;
    return w.request || w.acl || w.route || w.balance;
  }

  emit(e: EngineEvent): void {
    const set = this.listeners.get(e.kind);
    if (set && set.size > 0) {
      for (const fn of set) fn(e);
      return;
    }
    if (this.backlog) {
      this.backlog.push(e);
      if (this.backlog.length > this.backlogSize) this.backlog.shift();
    }
  }

  private flushBacklog(): void {
    if (!this.backlog) return;
    const pending = this.backlog;
    this.backlog = null;
    for (const k of KINDS) this.recompute(k);
    for (const e of pending) this.emit(e);
  }

  private recompute(kind: EventKind): void {
    const set = this.listeners.get(kind);
    this.wants[kind] = (set !== undefined && set.size > 0) || this.backlog !== null;
  }
}
