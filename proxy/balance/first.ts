/*
 * balance first — HAProxy's src/lb_fas.c (v2.6).
 *
 * Why the order matches: usable servers are kept in a tree keyed by their numeric id (puid, declaration
 * order unless `id` is set), and the pick walks it from the lowest id to the first server with room
 * (!maxconn || (no queue && served < maxconn)), exactly as fas_get_next_server. Weights are ignored except
 * that weight 0 makes a server unusable.
 */
import type { Balancer } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ConnTreeBalancer } from './conn-tree.ts';
import type { LbServer } from './lb-common.ts';

export class FirstBalancer extends ConnTreeBalancer implements Balancer {
  readonly algorithm = 'first';

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    super(servers, allBackups);
    this.init();
  }

  protected keyOf(slot: LbServer): number {
    return slot.s.id;
  }

  protected eligible(slot: LbServer): boolean {
    return slot.hasRoom;
  }

  protected summary(order: readonly LbServer[]): string {
    return `lowest id with room first: ${order.map((sl) => `${sl.s.name}#${sl.s.id}(${sl.s.served}/${sl.s.maxconn || '∞'})`).join(' ') || 'no usable server'}`;
  }
}
