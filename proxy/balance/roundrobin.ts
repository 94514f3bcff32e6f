/*
 * balance roundrobin — HAProxy's "fast weighted round robin", src/lb_fwrr.c (v2.6).
 *
 * Why the order matches: this is a line-by-line port of fwrr_init_server_groups, fwrr_get_next_server,
 * fwrr_get_server_from_group, fwrr_update_position, fwrr_queue_srv, fwrr_switch_trees and the
 * up/down/weight hooks. Weights are scaled as HAProxy scales them (eweight = weight * 16), the "init" tree
 * is keyed by SRV_EWGHT_MAX - eweight (heaviest first), the "current" tree by
 * SRV_UWGHT_RANGE * npos + (SRV_EWGHT_MAX + rweight - eweight) / 16, and equal keys keep insertion order
 * exactly like eb32 trees (EbQueue). Two trees swap roles ("init"/"next") when a window is consumed, so
 * a server's next position is curr_pos + next_weight / eweight, with the remainder carried in rweight.
 * Saturated servers (maxconn) are extracted, skipped and requeued as HAProxy does; the avoided server on
 * a redispatch is taken only when nothing else is usable.
 */
import type { Balancer, BalancerSnapshot, PickContext, PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ALL_FULL, EbQueue, ebDelete, LbCounters, LbServer, NO_SERVER, SRV_EWGHT_MAX, SRV_UWGHT_RANGE, BE_WEIGHT_SCALE, dynamicEweight } from './lb-common.ts';

class FwrrGroup {
  readonly curr = new EbQueue();
  private readonly t0 = new EbQueue();
  private readonly t1 = new EbQueue();
  init: EbQueue = this.t0;
  next: EbQueue = this.t1;
  currPos = 0;
  currWeight = 0;
  nextWeight = 0;

  // fwrr_switch_trees().
  switchTrees(): void {
    const swap = this.init;
    this.init = this.next;
    this.next = swap;
    this.currWeight = this.nextWeight;
    this.currPos = this.currWeight;
  }
}

export class RoundRobinBalancer implements Balancer {
  readonly algorithm = 'roundrobin';
  private readonly slots: LbServer[];
  private readonly bySrv = new Map<ServerState, LbServer>();
  private readonly lb: LbCounters;
  private readonly act = new FwrrGroup();
  private readonly bck = new FwrrGroup();

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.slots = servers.map((s, i) => new LbServer(s, i));
    for (const slot of this.slots) {
      this.bySrv.set(slot.s, slot);
      slot.s.lb = slot;
    }
    this.lb = new LbCounters(this.slots, allBackups);
    // fwrr_init_server_groups()
    for (const slot of this.slots) {
      slot.nextEweight = dynamicEweight(slot.s);
      slot.commit();
    }
    this.lb.recount();
    this.lb.updateBackendWeight();
    this.act.currPos = this.act.currWeight = this.act.nextWeight = this.lb.totWact;
    this.bck.currPos = this.bck.currWeight = this.bck.nextWeight = this.lb.totWbck;
    for (const slot of this.slots) {
      if (!slot.curUsable) continue;
      this.queueByWeight(this.group(slot).init, slot);
    }
  }

  private group(slot: LbServer): FwrrGroup {
    return slot.s.backup ? this.bck : this.act;
  }

  // fwrr_queue_by_weight(): heavier servers first.
  private queueByWeight(root: EbQueue, slot: LbServer): void {
    root.insert(slot, SRV_EWGHT_MAX - slot.nextEweight);
    slot.tree = root;
  }

  // fwrr_queue_srv().
  private queueSrv(slot: LbServer): void {
    const grp = this.group(slot);
    if (!slot.willBeUsable) {
      slot.tree = null;
    } else if (slot.nextEweight <= 0 || slot.npos >= 2 * grp.currWeight || slot.npos >= grp.currWeight + grp.nextWeight) {
      slot.npos -= grp.currWeight;
      this.queueByWeight(grp.next, slot);
    } else {
      const key = SRV_UWGHT_RANGE * slot.npos + Math.floor((SRV_EWGHT_MAX + slot.rweight - slot.nextEweight) / BE_WEIGHT_SCALE);
      grp.curr.insert(slot, key);
      slot.tree = grp.curr;
    }
  }

  // fwrr_get_srv(): prepares a server taken out of its tree.
  private getSrv(slot: LbServer): void {
    const grp = this.group(slot);
    if (slot.tree === grp.init) {
      slot.npos = slot.rweight = 0;
    } else if (slot.tree === grp.next) {
      slot.npos += grp.currWeight;
    } else if (slot.tree === null) {
      slot.npos = grp.currPos;
    }
  }

  // fwrr_get_server_from_group().
  private fromGroup(grp: FwrrGroup): LbServer | null {
    const s1 = grp.curr.first();
    if (s1 && s1.curEweight && s1.npos <= grp.currPos) return s1;
    const s2 = grp.init.first();
    if (s2 && s2.curEweight) {
      s2.npos = s2.rweight = 0;
      return s2;
    }
    return s1;
  }

  // fwrr_update_position().
  private updatePosition(grp: FwrrGroup, slot: LbServer): void {
    const eweight = slot.curEweight;
    if (!eweight) return;
    if (!slot.npos) slot.npos = grp.currPos;
    slot.lpos = slot.npos;
    slot.npos += Math.floor(grp.nextWeight / eweight);
    slot.rweight += grp.nextWeight % eweight;
    if (slot.rweight >= eweight) {
      slot.rweight -= eweight;
      slot.npos++;
    }
  }

  // fwrr_get_next_server().
  pick(ctx: PickContext): PickResult {
    const lb = this.lb;
    if (lb.totWeight === 0) return NO_SERVER;
    let grp: FwrrGroup;
    if (lb.srvAct) grp = this.act;
    else if (lb.fbck) return lb.fbck.ok;
    else if (lb.srvBck) grp = this.bck;
    else return NO_SERVER;

    const toAvoid = ctx.avoid;
    let switched = false;
    let avoided: LbServer | null = null;
    let full: LbServer | null = null;
    let srv: LbServer | null = null;
    let requeueOnly = false;

    outer: for (;;) {
      if (!grp.currWeight) grp.currPos = grp.currWeight = grp.nextWeight;
      for (;;) {
        srv = this.fromGroup(grp);
        if (srv) break;
        if (switched) {
          if (avoided) {
            srv = avoided;
            break outer;
          }
          requeueOnly = true;
          break outer;
        }
        switched = true;
        grp.switchTrees();
      }
      this.updatePosition(grp, srv);
      ebDelete(srv);
      grp.currPos++;
      if (srv.hasRoom) {
        if (srv.s !== toAvoid || avoided) break;
        avoided = srv;
      }
      srv.nextFull = full;
      full = srv;
    }

    if (!requeueOnly && srv) this.queueSrv(srv);
    if (full) {
      if (switched) {
        do {
          if (full !== srv) this.queueByWeight(grp.init, full);
          const n: LbServer | null = full.nextFull;
          full.nextFull = null;
          full = n;
        } while (full);
      } else {
        do {
          if (full !== srv) this.queueSrv(full);
          const n: LbServer | null = full.nextFull;
          full.nextFull = null;
          full = n;
        } while (full);
      }
    }
    if (requeueOnly || !srv) return ALL_FULL;
    return srv.ok;
  }

  private slotOf(s: ServerState): LbServer {
    const slot = this.bySrv.get(s);
    if (!slot) throw new Error(`roundrobin: server "${s.name}" is not part of this backend's balancer; create the balancer with every server of backend "${s.backend}"`);
    return slot;
  }

  // fwrr_set_server_status_down().
  private setDown(slot: LbServer): void {
    if (!slot.statusChanged) return;
    if (slot.willBeUsable) {
      slot.commit();
      return;
    }
    const lb = this.lb;
    if (slot.curUsable) {
      const grp = this.group(slot);
      grp.nextWeight -= slot.curEweight;
      if (slot.s.backup) {
        lb.totWbck = this.bck.nextWeight;
        lb.srvBck--;
        lb.backupLeft(slot);
      } else {
        lb.totWact = this.act.nextWeight;
        lb.srvAct--;
      }
      ebDelete(slot);
      slot.tree = null;
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  // fwrr_set_server_status_up().
  private setUp(slot: LbServer): void {
    if (!slot.statusChanged) return;
    if (!slot.willBeUsable) {
      slot.commit();
      return;
    }
    const lb = this.lb;
    if (!slot.curUsable) {
      const grp = this.group(slot);
      grp.nextWeight += slot.nextEweight;
      if (slot.s.backup) {
        lb.totWbck = this.bck.nextWeight;
        lb.srvBck++;
        lb.backupCame(slot);
      } else {
        lb.totWact = this.act.nextWeight;
        lb.srvAct++;
      }
      this.getSrv(slot);
      slot.npos = grp.currPos + Math.floor((grp.nextWeight + grp.currWeight - grp.currPos) / slot.nextEweight);
      this.queueSrv(slot);
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  // fwrr_update_server_weight(): every state or weight change goes through here, as in srv_update_status().
  private update(s: ServerState): void {
    const slot = this.slotOf(s);
    slot.nextEweight = dynamicEweight(s);
    if (!slot.statusChanged) return;
    const oldState = slot.curUsable;
    const newState = slot.willBeUsable;
    if (!oldState && !newState) {
      slot.commit();
      return;
    }
    if (!oldState && newState) return this.setUp(slot);
    if (oldState && !newState) return this.setDown(slot);

    const grp = this.group(slot);
    const lb = this.lb;
    grp.nextWeight = grp.nextWeight - slot.curEweight + slot.nextEweight;
    lb.totWact = this.act.nextWeight;
    lb.totWbck = this.bck.nextWeight;
    if (slot.tree === grp.init) {
      ebDelete(slot);
      this.queueByWeight(grp.init, slot);
    } else if (!slot.tree) {
      this.getSrv(slot);
      slot.npos = grp.currPos + Math.floor((grp.nextWeight + grp.currWeight - grp.currPos) / slot.nextEweight);
      this.queueSrv(slot);
    } else {
      this.getSrv(slot);
      if (slot.nextEweight > 0) {
        const prevNext = slot.npos;
        const step = Math.floor(grp.nextWeight / slot.nextEweight);
        slot.npos = slot.lpos + step;
        slot.rweight = 0;
        if (slot.npos > prevNext) slot.npos = prevNext;
        if (slot.npos < grp.currPos + 2) slot.npos = grp.currPos + step;
      } else {
        slot.npos = grp.currPos + grp.currWeight;
      }
      ebDelete(slot);
      this.queueSrv(slot);
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  serverUp(s: ServerState): void {
    this.update(s);
  }

  serverDown(s: ServerState): void {
    this.update(s);
  }

  weightChanged(s: ServerState): void {
    this.update(s);
  }

  snapshot(): BalancerSnapshot {
    const grp = this.lb.srvAct ? this.act : this.bck;
    const weights = this.slots.map((sl) => sl.s.effectiveWeight).join('/');
    return {
      algorithm: this.algorithm,
      summary: `weights ${weights}, position ${grp.currPos} of window ${grp.currWeight} (eweight = weight x ${BE_WEIGHT_SCALE})`,
      servers: this.slots.map((sl) => ({
        name: sl.s.name,
        weight: sl.s.effectiveWeight,
        usable: sl.curUsable,
        detail: sl.curUsable
          ? `eweight ${sl.curEweight}, next position ${sl.npos}${sl.tree === grp.curr ? '' : sl.tree === grp.init ? ' (waiting: init tree)' : ' (next window)'}`
          : undefined,
      })),
    };
  }
}
