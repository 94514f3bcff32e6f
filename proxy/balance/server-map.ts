/*
 * The server map — HAProxy's src/lb_map.c (v2.6): init_server_map, recalc_server_map, map_get_server_rr and
 * map_get_server_hash. static-rr walks it in order; map-based hashing indexes it with hash % total weight.
 *
 * Why the order matches: weights are divided by their greatest common divisor (lbprm.wmult) exactly as
 * init_server_map does, and the map is filled slot by slot with the same "weight score" rule: every
 * usable server of the group in use adds its weight to its score, the first server (declaration order)
 * with the highest (score + total) / total wins the slot and pays the total back. Scores are uint32 as in C.
 * When no active server is usable and `option allbackups` is off, the total is the first backup's weight.
 */
import type { ServerState } from '../server/server-state.ts';
import { LbCounters, LbServer } from './lb-common.ts';

export class ServerMap {
  readonly slots: LbServer[];
  readonly lb: LbCounters;
  /** lbprm.map.srv: one entry per weight unit of the group in use. */
  readonly map: (LbServer | null)[] = [];
  /** lbprm.map.rr_idx. */
  rrIdx = 0;
  /** lbprm.wmult: the GCD of the configured weights. */
  readonly wmult: number;
  private readonly bySrv = new Map<ServerState, LbServer>();

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.slots = servers.map((s, i) => new LbServer(s, i));
    for (const slot of this.slots) {
      this.bySrv.set(slot.s, slot);
      slot.s.lb = slot;
    }
    this.lb = new LbCounters(this.slots, allBackups);
    // init_server_map(): pgcd over the initial weights, skipping leading zero weights.
    let pgcd = 1;
    let i = 0;
    while (i < servers.length && !servers[i]!.spec.weight) i++;
    if (i < servers.length) {
      pgcd = servers[i]!.spec.weight;
      while (pgcd > 1 && ++i < servers.length) {
        let w = servers[i]!.spec.weight;
        while (w) {
          const t = pgcd % w;
          pgcd = w;
          w = t;
        }
      }
    }
    this.wmult = pgcd;
    for (const slot of this.slots) {
      slot.nextEweight = this.eweightOf(slot.s);
      slot.commit();
    }
    this.lb.recount();
    this.lb.updateBackendWeight();
    this.recalc();
  }

  // next_eweight = (uweight * wdiv + wmult - 1) / wmult with wdiv = 1 for map-based algorithms.
  eweightOf(s: ServerState): number {
    return Math.floor((s.effectiveWeight + this.wmult - 1) / this.wmult);
  }

  slotOf(s: ServerState): LbServer {
    const slot = this.bySrv.get(s);
    if (!slot) throw new Error(`balance: server "${s.name}" is not part of this backend's balancer; create the balancer with every server of backend "${s.backend}"`);
    return slot;
  }

  // map_set_server_status_up/down(): any change of state or weight recounts and rebuilds the map.
  update(s: ServerState): void {
    const slot = this.slotOf(s);
    slot.nextEweight = this.eweightOf(s);
    if (!slot.statusChanged) return;
    this.lb.recount();
    this.lb.updateBackendWeight();
    this.recalc();
    slot.commit();
  }

  // recalc_server_map().
  recalc(): void {
    const lb = this.lb;
    if (lb.totUsed === 0) return;
    const tot = lb.totWeight;
    const backup = lb.srvAct === 0;
    const slots = this.slots;
    for (const cur of slots) cur.wscore = 0;
    this.map.length = tot;
    for (let o = 0; o < tot; o++) {
      let max = 0;
      let best: LbServer | null = null;
      for (const cur of slots) {
        if (cur.s.backup !== backup || !cur.willBeUsable) continue;
        if (tot === 1) {
          best = cur;
          break;
        }
        cur.wscore = (cur.wscore + cur.nextEweight) >>> 0;
        const v = Math.floor(((cur.wscore + tot) >>> 0) / tot);
        if (best === null || v > max) {
          max = v;
          best = cur;
        }
      }
      this.map[o] = best;
      if (best) best.wscore = (best.wscore - tot) >>> 0;
    }
  }

  // map_get_server_rr(): the next map entry with room, skipping the server to avoid unless it is the only one.
  nextRr(avoid: ServerState | undefined): LbServer | null {
    const tot = this.lb.totWeight;
    if (tot === 0) return null;
    if (this.rrIdx < 0 || this.rrIdx >= tot) this.rrIdx = 0;
    let newidx = this.rrIdx;
    let avoided: LbServer | null = null;
    let avoididx = 0;
    do {
      const srv = this.map[newidx++]!;
      if (srv.hasRoom) {
        avoided = srv;
        avoididx = newidx;
        if (srv.s !== avoid) {
          this.rrIdx = newidx;
          return srv;
        }
      }
      if (newidx === tot) newidx = 0;
    } while (newidx !== this.rrIdx);
    if (avoided) this.rrIdx = avoididx;
    return avoided;
  }

  // map_get_server_hash().
  lookup(hash: number): LbServer | null {
    const tot = this.lb.totWeight;
    if (!tot) return null;
    return this.map[(hash >>> 0) % tot] ?? null;
  }

  // Where each server appears in the map, e.g. "s1 s3 s1 s2" (explain view only).
  describe(limit = 32): string {
    const n = Math.min(this.lb.totWeight, this.map.length);
    const names: string[] = [];
    for (let i = 0; i < n && i < limit; i++) names.push(this.map[i]?.s.name ?? '-');
    return names.join(' ') + (n > limit ? ` ... (${n} slots)` : '');
  }
}
