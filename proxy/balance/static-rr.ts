/*
 * balance static-rr — HAProxy's map_get_server_rr over the server map (src/lb_map.c, v2.6).
 *
 * Why the order matches: the map is built by ServerMap with HAProxy's recalc_server_map rule (weights
 * divided by their GCD, declaration order wins ties) and walked with the same rr_idx, skipping servers at
 * maxconn and the server to avoid exactly as map_get_server_rr does.
 *
 * Static: HAProxy gives map-based algorithms no update_server_eweight callback and refuses `set weight`
 * to anything but 0% or 100% of the initial weight ("Backend is using a static LB algorithm and only
 * accepts weights '0%' and '100%'.", server_parse_weight_change_request in src/server.c). So this balancer
 * has no weightChanged hook: the backend reports such a change as serverDown (weight 0) or serverUp.
 */
import type { Balancer, BalancerSnapshot, PickContext, PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ALL_FULL, NO_SERVER } from './lb-common.ts';
import { ServerMap } from './server-map.ts';

export class StaticRrBalancer implements Balancer {
  readonly algorithm = 'static-rr';
  private readonly m: ServerMap;

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.m = new ServerMap(servers, allBackups);
  }

  pick(ctx: PickContext): PickResult {
    if (this.m.lb.totWeight === 0) return NO_SERVER;
    const slot = this.m.nextRr(ctx.avoid);
    return slot ? slot.ok : ALL_FULL;
  }

  serverUp(s: ServerState): void {
    this.m.update(s);
  }

  serverDown(s: ServerState): void {
    this.m.update(s);
  }

  snapshot(): BalancerSnapshot {
    const m = this.m;
    return {
      algorithm: this.algorithm,
      summary: `map of ${m.lb.totWeight} slot(s), next index ${m.rrIdx}: ${m.describe()}`,
      servers: m.slots.map((sl) => ({
        name: sl.s.name,
        weight: sl.s.effectiveWeight,
        usable: sl.curUsable,
        detail: sl.curUsable ? `${sl.curEweight} map slot(s)` : undefined,
      })),
    };
  }
}
