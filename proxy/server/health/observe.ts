// "observe layer4|layer7": what real traffic tells of a server counts against its health (src/check.c
// __health_adjust). Each traffic outcome is an error, a success (which clears the run of errors) or ignored, by
// the observed layer; error-limit consecutive errors make on-error act on the health check, and are logged as a
// check result of status HANA ("Health analyze").
import type { ObserveSpec } from '../../config/model.ts';
import type { TrafficOutcome } from '../server-state.ts';

interface OutcomeRow {
  readonly desc: string;
  /** [layer4, layer7]: 0 ignored, 1 an error, 2 a success. */
  readonly lr: readonly [0 | 1 | 2, 0 | 1 | 2];
}

// analyze_statuses[]
const OUTCOMES: Record<TrafficOutcome, OutcomeRow> = {
  L4_OK: { desc: 'L4 successful connection', lr: [2, 0] },
  L4_ERR: { desc: 'L4 unsuccessful connection', lr: [1, 1] },
  HTTP_OK: { desc: 'Correct http response', lr: [0, 2] },
  HTTP_STS: { desc: 'Wrong http response', lr: [0, 1] },
  HTTP_HDRRSP: { desc: 'Invalid http response (headers)', lr: [0, 1] },
  HTTP_RSP: { desc: 'Invalid http response', lr: [0, 1] },
  HTTP_READ_ERROR: { desc: 'Read error (http)', lr: [0, 1] },
  HTTP_READ_TIMEOUT: { desc: 'Read timeout (http)', lr: [0, 1] },
  HTTP_BROKEN_PIPE: { desc: 'Close from server (http)', lr: [0, 1] },
};

/** What one outcome does: nothing, clear the run, or (the limit reached) act with the info text of the HANA result. */
export type ObserveVerdict = { readonly kind: 'ignore' } | { readonly kind: 'clear' } | { readonly kind: 'count' } | { readonly kind: 'act'; readonly desc: string };

// The verdict for an outcome, given the consecutive errors before it.
export function observeOutcome(spec: ObserveSpec, before: number, outcome: TrafficOutcome): ObserveVerdict {
  const row = OUTCOMES[outcome];
  const r = row.lr[spec.mode === 'layer4' ? 0 : 1];
  if (r === 0) return { kind: 'ignore' };
  if (r === 2) return { kind: 'clear' };
  const errors = before + 1;
  if (errors < spec.errorLimit) return { kind: 'count' };
  return { kind: 'act', desc: `Detected ${errors} consecutive errors, last one was: ${row.desc}` };
}

// The health an on-error mode sets before its failed HANA result is applied: sudden-death leaves one check above
// the limit (rise + 1), mark-down sets rise so the failure takes the server DOWN; fastinter applies nothing.
export function healthBeforeFailure(onError: ObserveSpec['onError'], health: number, rise: number): number | null {
  if (onError === 'fastinter') return null;
  if (onError === 'sudden-death') return health > rise ? rise + 1 : health;
  if (onError === 'mark-down') return rise;
  return health;
}

/** HTTP status codes HAProxy does not hold against the server (a 501 or 505 is the client's doing). */
export function statusOutcome(status: number): TrafficOutcome {
  return status >= 100 && (status < 500 || status === 501 || status === 505) ? 'HTTP_OK' : 'HTTP_STS';
}
