// Which server takes a stream, for HTTP and TCP alike (HAProxy's assign_server and its queue): the balancer
// picks; when every usable server is at maxconn the stream waits in the backend's queue for `timeout queue`;
// when no server is usable, or the wait ends, the stream is refused (HTTP answers 503, TCP closes).
import type { PickContext } from '../balance/balancer.ts';
import type { Timeouts } from '../config/model.ts';
import type { EventBus } from '../events.ts';
import type { LiveBackend, QueuedRequest } from '../live/live-backend.ts';
import type { ServerState } from '../server/server-state.ts';

/** Longest timer Node keeps: what "wait forever" means for a queued stream. */
const FOREVER_MS = 2 ** 31 - 1;

/**
 * How long a stream may wait in the queue. HAProxy reads 0 as "not set" (a zero tick is TICK_ETERNITY), an
 * unset `timeout queue` takes `timeout connect`, and with neither the stream waits forever
 * (test/parity/queue-timeout.test.ts).
 */
export function queueTimeoutMs(to: Timeouts): number {
  return to.queue || to.connect || FOREVER_MS;
}

/** Why a stream got no server: none usable (termination SC) or the queue timeout expired (sQ). */
export type Refusal = 'SC' | 'sQ';

export interface AssignHooks {
  /** The stream has a server (taken at once or granted from the queue). */
  readonly use: (server: ServerState) => void;
  readonly refuse: (why: Refusal) => void;
  /** The stream left the queue (granted or timed out): forget the entry. */
  readonly leftQueue: () => void;
  /** False once the stream ended while queued: the grant is then ignored. */
  readonly alive: () => boolean;
}

/** Picks a server now or queues the stream; returns the queue entry (for dequeue on abort), or null. */
export function assignServer(
  be: LiveBackend,
  ctx: PickContext,
  report: { readonly bus: EventBus | null; readonly id: number },
  hooks: AssignHooks,
): QueuedRequest | null {
  const r = be.pickReported(ctx, report.bus, report.id);
  if (r.server) {
    hooks.use(r.server);
    return null;
  }
  if (r.reason !== 'all-full') {
    hooks.refuse('SC');
    return null;
  }
  return be.enqueue(ctx, queueTimeoutMs(be.spec.timeouts), (server) => {
    hooks.leftQueue();
    if (!hooks.alive()) return;
    if (server) hooks.use(server);
    else hooks.refuse('sQ');
  });
}
