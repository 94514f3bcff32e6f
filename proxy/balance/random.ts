/*
 * balance random[(draws)] — HAProxy's get_server_rnd (src/backend.c, v2.6) over the consistent-hash ring.
 *
 * What matches: each draw is a random 32-bit position on the same ring as `hash-type consistent`
 * (consistent-hash.ts), so servers are drawn in proportion to their weight; with several draws (default 2,
 * "power of two choices") the server with fewer connections per weight wins (served * other eweight
 * compared crosswise, the earlier draw kept on a tie); a winner at maxconn or with a queue makes the pick
 * fail as 'all-full' so the request queues on the backend. The sequence itself cannot match HAProxy (its
 * PRNG is its own); only the distribution does. Tests inject a seeded `random`.
 */
import type { Balancer, BalancerSnapshot, PickContext, PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ALL_FULL, NO_SERVER, type LbServer } from './lb-common.ts';
import { ChashRing } from './consistent-hash.ts';

export class RandomBalancer implements Balancer {
  readonly algorithm = 'random';
  private readonly ring: ChashRing;

  constructor(
    servers: readonly ServerState[],
    allBackups: boolean,
    private readonly draws: number,
    private readonly random: () => number,
  ) {
    this.ring = new ChashRing(servers, allBackups);
  }

  pick(ctx: PickContext): PickResult {
    if (this.ring.lb.totWeight === 0) return NO_SERVER;
    let curr: LbServer | null = null;
    let draws = this.draws;
    do {
      const prev: LbServer | null = curr;
      const hash = Math.floor(this.random() * 0x100000000) >>> 0;
      curr = this.ring.lookup(hash, ctx.avoid);
      if (!curr) break;
      if (prev && prev !== curr && curr.s.served * prev.curEweight > prev.s.served * curr.curEweight) curr = prev;
    } while (--draws > 0);
    if (!curr) return ALL_FULL;
    if (curr.s.queued || (curr.s.maxconn && curr.s.served >= curr.s.maxconn)) return ALL_FULL;
    return curr.ok;
  }

  serverUp(s: ServerState): void {
    this.ring.update(s);
  }

  serverDown(s: ServerState): void {
    this.ring.update(s);
  }

  weightChanged(s: ServerState): void {
    this.ring.update(s);
  }

  snapshot(): BalancerSnapshot {
    return {
      algorithm: this.algorithm,
      summary: `${this.draws} draw(s) on the ring, fewer connections per weight wins; ${this.ring.describe()}`,
      servers: this.ring.slots.map((sl) => ({
        name: sl.s.name,
        weight: sl.s.effectiveWeight,
        usable: sl.curUsable,
        detail: sl.curUsable ? `${sl.s.served} served, ${this.ring.pointsOf(sl)} ring points` : undefined,
      })),
    };
  }
}
