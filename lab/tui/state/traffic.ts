// Live traffic as the episode screen shows it: who answered, in what order, how fast, and each request's trace
// (request → acl → route → balance → response) for the explain view. Pure: events in, new state out.
import type { EngineEvent, EventOf } from '../../../proxy/index.ts';

/** "backend/server", the key every per-server count uses. */
export type ServerKey = string;

/** What became of a request: a server answered it; a server was chosen but gave no answer (connection
 *  refused or reset, timeout: the 503/504 is the proxy's); or no server was chosen (deny, redirect, no server). */
export type Outcome = 'answered' | 'failed' | 'no-server';

export interface Answer {
  readonly id: number;
  /** The server that was chosen (it may have failed), null when none was. */
  readonly server: ServerKey | null;
  readonly status: number;
  readonly outcome: Outcome;
  readonly retries: number;
}

// A server answered when it sent response headers (HTTP: Tr >= 0) or, in mode tcp, when the connection to it
// was made (Tc >= 0); the lab's own no-proxy answers carry the app's time as Tr.
export function outcomeOf(e: EventOf<'response'>): Outcome {
  const key = answerKey(e.backend, e.server);
  if (!key) return 'no-server';
  const ok = e.status === 0 ? e.timings.tc >= 0 : e.timings.tr >= 0;
  return ok ? 'answered' : 'failed';
}

/** Every event one request produced, assembled by request id. */
export interface RequestTrace {
  readonly id: number;
  readonly request?: EventOf<'request'>;
  readonly acl?: EventOf<'acl'>;
  readonly route?: EventOf<'route'>;
  readonly balances: readonly EventOf<'balance'>[];
  readonly response?: EventOf<'response'>;
}

export interface TrafficState {
  /** Requests answered per server since the step started. */
  readonly served: Readonly<Record<ServerKey, number>>;
  /** Requests answered per server since the last change (reload, weight, step): what the bars show. */
  readonly window: Readonly<Record<ServerKey, number>>;
  readonly windowTotal: number;
  /** Requests no server answered, since the last change. */
  readonly windowUnanswered: number;
  /** Of those: a server was chosen but failed (connection error, timeout), since the last change. */
  readonly windowFailed: number;
  /** Retries (redispatches included) the proxy made, since the last change. */
  readonly windowRetries: number;
  /** What the window started from, e.g. "reload #2". */
  readonly since: string;
  /** The last answers, oldest first. */
  readonly sequence: readonly Answer[];
  /** Total times (HAProxy's Tt, ms) of the last responses, oldest first. */
  readonly latencies: readonly number[];
  /** The last few traces, oldest first. */
  readonly traces: readonly RequestTrace[];
  readonly total: number;
}

export type TrafficAction =
  | { readonly type: 'events'; readonly events: readonly EngineEvent[] }
  | { readonly type: 'reset-window'; readonly since: string }
  | { readonly type: 'reset'; readonly since: string };

export const SEQUENCE_KEEP = 120;
export const LATENCY_KEEP = 200;
export const TRACE_KEEP = 16;
/** Requests a second that carry explain traces on the TUI's bus (EventBus detailedPerSecond). */
export const DETAILED_PER_SECOND = 200;

// The state at the start of a step.
export function initialTraffic(since = 'since step start'): TrafficState {
  return { served: {}, window: {}, windowTotal: 0, windowUnanswered: 0, windowFailed: 0, windowRetries: 0, since, sequence: [], latencies: [], traces: [], total: 0 };
}

// The key a response counts under, or null when no server answered (HAProxy logs "<NOSRV>").
export function answerKey(backend: string, server: string): ServerKey | null {
  if (!server || server === '<NOSRV>' || !backend || backend === '<NOSRV>') return null;
  return `${backend}/${server}`;
}

function keepLast<T>(xs: readonly T[], add: readonly T[], keep: number): readonly T[] {
  if (add.length === 0) return xs;
  const all = xs.concat(add);
  return all.length > keep ? all.slice(all.length - keep) : all;
}

function updateTrace(traces: RequestTrace[], id: number, patch: (t: RequestTrace) => RequestTrace): void {
  let i = traces.length - 1;
  while (i >= 0 && traces[i]!.id !== id) i--;
  if (i >= 0) {
    traces[i] = patch(traces[i]!);
    return;
  }
  traces.push(patch({ id, balances: [] }));
  if (traces.length > TRACE_KEEP) traces.splice(0, traces.length - TRACE_KEEP);
}

// Folds a batch of engine events into the traffic state; kinds without a traffic meaning pass through.
export function trafficReducer(state: TrafficState, action: TrafficAction): TrafficState {
  switch (action.type) {
    case 'reset':
      return initialTraffic(action.since);
    case 'reset-window':
      return { ...state, window: {}, windowTotal: 0, windowUnanswered: 0, windowFailed: 0, windowRetries: 0, since: action.since };
    case 'events':
      break;
  }
  let served: Record<ServerKey, number> | null = null;
  let window: Record<ServerKey, number> | null = null;
  let windowTotal = state.windowTotal;
  let windowUnanswered = state.windowUnanswered;
  let windowFailed = state.windowFailed;
  let windowRetries = state.windowRetries;
  let total = state.total;
  const answers: Answer[] = [];
  const latencies: number[] = [];
  let traces: RequestTrace[] | null = null;
  const tr = (): RequestTrace[] => (traces ??= state.traces.slice());
  for (const e of action.events) {
    switch (e.kind) {
      case 'request':
        updateTrace(tr(), e.id, (t) => ({ ...t, request: e }));
        break;
      case 'acl':
        updateTrace(tr(), e.id, (t) => ({ ...t, acl: e }));
        break;
      case 'route':
        updateTrace(tr(), e.id, (t) => ({ ...t, route: e }));
        break;
      case 'balance':
        updateTrace(tr(), e.id, (t) => ({ ...t, balances: t.balances.concat(e) }));
        break;
      case 'response': {
        updateTrace(tr(), e.id, (t) => ({ ...t, response: e }));
        const key = answerKey(e.backend, e.server);
        const outcome = outcomeOf(e);
        total++;
        windowTotal++;
        windowRetries += e.retries;
        if (outcome === 'answered' && key) {
          served ??= { ...state.served };
          window ??= { ...state.window };
          served[key] = (served[key] ?? 0) + 1;
          window[key] = (window[key] ?? 0) + 1;
        } else {
          windowUnanswered++;
          if (outcome === 'failed') windowFailed++;
        }
        answers.push({ id: e.id, server: key, status: e.status, outcome, retries: e.retries });
        if (e.timings.tt >= 0) latencies.push(e.timings.tt);
        break;
      }
      case 'listening':
      case 'server-state':
      case 'check':
      case 'log':
      case 'diagnostic':
      case 'reloaded':
        break;
      default: {
        const never: never = e;
        void never;
      }
    }
  }
  if (!served && !window && !traces && answers.length === 0 && windowRetries === state.windowRetries) return state;
  return {
    ...state,
    served: served ?? state.served,
    window: window ?? state.window,
    windowTotal,
    windowUnanswered,
    windowFailed,
    windowRetries,
    total,
    sequence: keepLast(state.sequence, answers, SEQUENCE_KEEP),
    latencies: keepLast(state.latencies, latencies, LATENCY_KEEP),
    traces: traces ?? state.traces,
  };
}

// The most recent request that got an answer (or, failing that, the most recent one seen).
export function lastTrace(state: TrafficState): RequestTrace | undefined {
  for (let i = state.traces.length - 1; i >= 0; i--) if (state.traces[i]!.response) return state.traces[i];
  return state.traces[state.traces.length - 1];
}

export interface LatencyStats {
  readonly last: number;
  readonly avg: number;
  readonly p95: number;
  readonly max: number;
  readonly count: number;
}

// Summary of the recent latencies, or null when none arrived yet.
export function latencyStats(latencies: readonly number[]): LatencyStats | null {
  if (latencies.length === 0) return null;
  const sorted = latencies.slice().sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
  return { last: latencies[latencies.length - 1]!, avg: sum / latencies.length, p95, max: sorted[sorted.length - 1]!, count: latencies.length };
}
