/*
 * balance leastconn — HAProxy's src/lb_fwlc.c (v2.6).
 *
 * Why the order matches: servers sit in one tree per group keyed like fwlc_queue_srv:
 * 0 when nothing is in flight, else (served + queued + 1) * SRV_EWGHT_MAX / eweight (eweight = weight * 16).
 * Equal keys keep insertion order, as eb32 trees do, and a server is re-inserted (so goes behind its equals)
 * only when its key changes on a taken/dropped connection (fwlc_srv_reposition). With sequential requests
 * every server returns to key 0 and rejoins the back of the line: leastconn then rotates in declaration
 * order. The walk skips servers whose served + queued reached maxconn + maxqueue, as fwlc_get_next_server.
 */
import type { Balancer } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ConnTreeBalancer } from './conn-tree.ts';
import { SRV_EWGHT_MAX, type LbServer } from './lb-common.ts';

export class LeastConnBalancer extends ConnTreeBalancer implements Balancer {
  readonly algorithm = 'leastconn';

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    super(servers, allBackups);
    this.init();
  }

  protected keyOf(slot: LbServer, eweight: number): number {
    const inflight = slot.s.served + slot.s.queued;
    return inflight ? Math.floor(((inflight + 1) * SRV_EWGHT_MAX) / eweight) >>> 0 : 0;
  }

  protected eligible(slot: LbServer): boolean {
    const s = slot.s;
    return s.maxconn === 0 || s.served + s.queued < s.maxconn + s.spec.maxqueue;
  }

  protected summary(order: readonly LbServer[]): string {
    return `fewest connections per weight first: ${order.map((sl) => `${sl.s.name}(${sl.s.served})`).join(' ') || 'no usable server'}`;
  }
}
