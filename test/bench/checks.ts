// What makes an answer right: few errors, every body from the expected servers, in the 2:1:3 proportions of the
// weights (per request in mode http; per connection in mode tcp, hence a wider tolerance), bodies of the right size.
import { WEIGHTS } from './bench-config.ts';
import type { WrkResult } from './wrk.ts';

/** Most errors (socket errors + non-2xx/3xx) tolerated, as a share of requests. */
export const MAX_ERROR_SHARE = 0.01;
/** A round with fewer answers proves nothing. */
export const MIN_REQUESTS = 50;

export interface Expectation {
  /** 'weighted': server1..3 in the weights' proportions; 'server1': only server1 (direct). */
  readonly who: 'weighted' | 'server1';
  /** Allowed distance of each server's share from its weight's share (0.03 = 3 points). */
  readonly tolerance: number;
  /** true: counts are keyed by the bare name (X-Server header); false: by the body "serverN\n". */
  readonly byHeader: boolean;
  /** The body size every answer must have, or 0 when counts come from bodies. */
  readonly size: number;
}

export interface CheckOutcome {
  readonly ok: boolean;
  /** Why it failed, one sentence each; empty when ok. */
  readonly problems: readonly string[];
  /** Share of each server among the answers, for the report. */
  readonly shares: Readonly<Record<string, number>>;
  readonly errorShare: number;
}

// Total socket errors and error statuses wrk saw.
export function errorCount(r: WrkResult): number {
  const e = r.errors;
  return e.connect + e.read + e.write + e.timeout + e.status;
}

// Judges one wrk result against what the config must produce.
export function checkResult(r: WrkResult, x: Expectation): CheckOutcome {
  const problems: string[] = [];
  const errors = errorCount(r);
  const errorShare = errors / Math.max(1, r.requests + r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout);
  if (r.requests < MIN_REQUESTS) problems.push(`only ${r.requests} answers (expected at least ${MIN_REQUESTS})`);
  if (errorShare >= MAX_ERROR_SHARE) {
    const e = r.errors;
    problems.push(
      `${(errorShare * 100).toFixed(2)}% errors (expected < ${MAX_ERROR_SHARE * 100}%): connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}, status ${e.status}`,
    );
  }
  if (x.size > 0 && r.badSize > 0) problems.push(`${r.badSize} bodies were not ${x.size} bytes long`);
  const key = (i: number) => (x.byHeader ? `server${i + 1}` : `server${i + 1}\n`);
  const names = x.who === 'server1' ? [key(0)] : WEIGHTS.map((_, i) => key(i));
  const answered = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const shares: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.counts)) shares[k.trim()] = answered > 0 ? v / answered : 0;
  const strangers = Object.entries(r.counts).filter(([k]) => !names.includes(k));
  for (const [k, v] of strangers) problems.push(`${v} answers came from ${JSON.stringify(k)}, which should not answer here`);
  if (x.who === 'weighted' && answered > 0) {
    const total = WEIGHTS.reduce((a, b) => a + b, 0);
    WEIGHTS.forEach((w, i) => {
      const want = w / total;
      const got = (r.counts[key(i)] ?? 0) / answered;
      if (Math.abs(got - want) > x.tolerance) {
        problems.push(
          `server${i + 1} answered ${(got * 100).toFixed(1)}% (weight ${w}/${total} = ${(want * 100).toFixed(1)}% ± ${(x.tolerance * 100).toFixed(0)} points)`,
        );
      }
    });
  }
  return { ok: problems.length === 0, problems, shares, errorShare };
}
