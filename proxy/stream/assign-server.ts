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

/**
 * What a session does with the outcome, for one stream (`S`: its exchange or itself). Made once per session,
 * so that assigning a server allocates nothing on the way of a request that gets one at once.
 */
export interface AssignHooks<S> {
  /** The stream has a server (taken at once or granted from the queue). */
  use(stream: S, server: ServerState): void;
  refuse(stream: S, why: Refusal): void;
  /** The stream left the queue (granted or timed out): forget the entry. */
  leftQueue(stream: S): void;
  /** False once the stream ended while queued: the grant is then ignored. */
  alive(stream: S): boolean;
  /**
   * The chosen server's queue is at its maxqueue (SRV_STATUS_FULL): the session redispatches or refuses (503, SQ),
   * and returns the queue entry a redispatch made, if any. Absent: refused.
   */
  full?(stream: S, server: ServerState): QueuedRequest | null;
  /** The stream was taken out of its server's own queue as that server went away (pendconn_redistribute). */
  redistributed?(stream: S, server: ServerState): void;
}

/** Picks a server now or queues the stream; returns the queue entry (for dequeue on abort), or null. */
export function assignServer<S>(be: LiveBackend, ctx: PickContext, bus: EventBus | null, id: number, hooks: AssignHooks<S>, stream: S): QueuedRequest | null {
  // without a balancing algorithm a dispatch address takes every stream, servers or not (assign_server)
  if (be.dispatch) {
    hooks.use(stream, be.dispatch);
    return null;
  }
  const r = be.pickReported(ctx, bus, id);
  if (r.server) {
    hooks.use(stream, r.server);
    return null;
  }
  if (r.reason !== 'all-full') {
    hooks.refuse(stream, 'SC');
    return null;
  }
  return be.enqueue(ctx, queueTimeoutMs(be.spec.timeouts), granted(hooks, stream));
}

/**
 * A server already chosen for the stream (a persistence cookie's): taken at once when it has room, else the stream
 * waits in that server's own queue, as assign_server_and_queue queues an SF_ASSIGNED stream (pendconn_add).
 */
export function assignChosenServer<S>(be: LiveBackend, server: ServerState, ctx: PickContext, hooks: AssignHooks<S>, stream: S): QueuedRequest | null {
  if (server.hasRoom) {
    hooks.use(stream, server);
    return null;
  }
  // maxqueue bounds the server's own queue (assign_server_and_queue); balancing never sends a stream to a full server
  if (server.spec.maxqueue > 0 && server.queued >= server.spec.maxqueue) {
    if (hooks.full) return hooks.full(stream, server);
    hooks.refuse(stream, 'SC');
    return null;
  }
  const q = be.enqueue(ctx, queueTimeoutMs(be.spec.timeouts), granted(hooks, stream), server);
  const redistributed = hooks.redistributed;
  if (redistributed) {
    q.redistribute = () => {
      hooks.leftQueue(stream);
      if (hooks.alive(stream)) redistributed(stream, server);
    };
  }
  return q;
}

function granted<S>(hooks: AssignHooks<S>, stream: S): (server: ServerState | null) => void {
  return (server) => {
    hooks.leftQueue(stream);
    if (!hooks.alive(stream)) return;
    if (server) hooks.use(stream, server);
    else hooks.refuse(stream, 'sQ');
  };
}
