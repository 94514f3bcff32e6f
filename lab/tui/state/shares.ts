// What each server got against what its weight promises: the numbers behind the traffic bars.
import type { BackendSnapshot } from '../../../proxy/index.ts';
import type { TrafficState } from './traffic.ts';

export interface ShareRow {
  readonly backend: string;
  readonly server: string;
  /** Requests this server answered since the window started. */
  readonly count: number;
  /** Its part of the backend's answered requests, 0..1. */
  readonly observed: number;
  /** Its part by weight among the usable servers, 0..1; null when the algorithm promises no share by weight. */
  readonly promised: number | null;
}

/** Algorithms whose long-run share follows the weights. */
const WEIGHTED = new Set(['roundrobin', 'static-rr', 'random']);

function usable(s: BackendSnapshot['servers'][number]): boolean {
  return s.admin === 'ready' && (s.op === 'up' || s.op === 'starting') && s.effectiveWeight > 0;
}

// One row per server of the backend: observed share of the window and promised share by weight.
export function shareRows(backend: BackendSnapshot, traffic: TrafficState): ShareRow[] {
  // Backup servers only take traffic when no active one is usable, so they share only then.
  const actives = backend.servers.filter((s) => !s.backup && usable(s));
  const pool = actives.length > 0 ? actives : backend.servers.filter((s) => s.backup && usable(s));
  const weightSum = pool.reduce((a, s) => a + s.effectiveWeight, 0);
  const counts = backend.servers.map((s) => traffic.window[`${backend.name}/${s.name}`] ?? 0);
  const answered = counts.reduce((a, b) => a + b, 0);
  return backend.servers.map((s, i) => ({
    backend: backend.name,
    server: s.name,
    count: counts[i]!,
    observed: answered > 0 ? counts[i]! / answered : 0,
    promised: WEIGHTED.has(backend.algorithm) && weightSum > 0 ? (pool.includes(s) ? s.effectiveWeight / weightSum : 0) : null,
  }));
}

// A bar `width` cells wide: filled cells for the observed share, a tick where the promised share ends.
export function shareBar(observed: number, promised: number | null, width: number, fill: string, empty = '·'): string {
  const n = Math.max(0, Math.min(width, Math.round(observed * width)));
  const cells = Array.from({ length: width }, (_, i) => (i < n ? fill : empty));
  if (promised !== null && promised > 0) {
    const at = Math.max(0, Math.min(width - 1, Math.round(promised * width) - 1));
    cells[at] = '│';
  }
  return cells.join('');
}

export interface Share {
  readonly observed: number;
  readonly promised: number | null;
  readonly count: number;
}

// Shares for every server key: within its backend when the backend balances between several servers,
// else its part of all answered requests (an ACL episode routes between one-server backends).
export function allShares(backends: readonly BackendSnapshot[] | null, keys: readonly string[], traffic: TrafficState): Map<string, Share> {
  const out = new Map<string, Share>();
  const answered = Object.values(traffic.window).reduce((a, b) => a + b, 0);
  for (const k of keys) {
    const count = traffic.window[k] ?? 0;
    out.set(k, { count, observed: answered > 0 ? count / answered : 0, promised: null });
  }
  for (const b of backends ?? []) {
    if (b.servers.length < 2) continue;
    for (const r of shareRows(b, traffic)) out.set(`${r.backend}/${r.server}`, { count: r.count, observed: r.observed, promised: r.promised });
  }
  return out;
}
