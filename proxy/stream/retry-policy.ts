// What to do after a failed connection attempt, as HAProxy 2.6 decides it (back_handle_st_cer and
// stream_choose_redispatch): give up, retry the same server (after a turn-around delay), or redispatch.
import type { LiveBackend } from '../live/live-backend.ts';
import type { ServerState } from '../server/server-state.ts';

export interface RetryPlan {
  readonly giveUp: boolean;
  /** Pick a server again (option redispatch). */
  readonly redispatch: boolean;
  readonly delayMs: number;
}

const RR_KIND = new Set(['roundrobin', 'static-rr', 'random']);

/** How persistence chose the server: a cookie's direct hit (SF_DIRECT), and force-persist (SF_FORCE_PRST). */
export interface RetryPersistence {
  readonly direct: boolean;
  readonly force: boolean;
}

// `retriesDone` counts retries already made before this failure; `asyncError` is a refused/reset connect
// (HAProxy waits before retrying those), as opposed to a connect timeout.
export function planRetry(be: LiveBackend, server: ServerState, retriesDone: number, asyncError: boolean, persist?: RetryPersistence): RetryPlan {
  const max = be.spec.retries;
  if (retriesDone >= max) return { giveUp: true, redispatch: false, delayMs: 0 };
  const k = retriesDone + 1;
  const rrKind = RR_KIND.has(be.spec.balance.algorithm);
  const activeUsable = be.servers.reduce((n, s) => n + (!s.backup && s.usable ? 1 : 0), 0);
  const redispatch = be.spec.options.redispatch && !persist?.force &&
    // a server a cookie chose (SF_DIRECT) is only left for its state or the last retry; force-persist never
    (!server.usable || k % max === 0 || (!persist?.direct && rrKind && activeUsable > 1));
  let delayMs = 0;
  if (asyncError && (!redispatch || !rrKind || activeUsable <= 1)) {
    const connect = be.spec.timeouts.connect;
    delayMs = connect && connect < 1000 ? connect : 1000;
  }
  return { giveUp: false, redispatch, delayMs };
}
