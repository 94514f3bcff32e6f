// The tree shared by leastconn (src/lb_fwlc.c) and first (src/lb_fas.c): active and backup servers each in
// one ordered tree, walked from the first node to the first server that may take a connection; the
// up/down/weight hooks and the reposition on connection taken/dropped follow those two files line by line.
import type { BalancerSnapshot, PickContext, PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ALL_FULL, EbQueue, ebDelete, LbCounters, LbServer, NO_SERVER, dynamicEweight } from './lb-common.ts';

export abstract class ConnTreeBalancer {
  abstract readonly algorithm: string;
  protected readonly slots: LbServer[];
  protected readonly lb: LbCounters;
  protected readonly act = new EbQueue();
  protected readonly bck = new EbQueue();
  private readonly bySrv = new Map<ServerState, LbServer>();
  /** Nodes taken out during one walk, put back afterwards (preallocated: the walk allocates nothing). */
  private readonly walked: LbServer[];

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.slots = servers.map((s, i) => new LbServer(s, i));
    this.walked = new Array<LbServer>(this.slots.length);
    for (const slot of this.slots) {
      this.bySrv.set(slot.s, slot);
      slot.s.lb = slot;
      slot.nextEweight = dynamicEweight(slot.s);
      slot.commit();
    }
    this.lb = new LbCounters(this.slots, allBackups);
    this.lb.recount();
    this.lb.updateBackendWeight();
  }

  /** Queues every usable server; called by subclasses once their fields are set. */
  protected init(): void {
    for (const slot of this.slots) {
      if (!slot.curUsable) continue;
      slot.tree = slot.s.backup ? this.bck : this.act;
      slot.tree.insert(slot, this.keyOf(slot, slot.nextEweight));
    }
  }

  /** The tree key for a server with the given effective weight. */
  protected abstract keyOf(slot: LbServer, eweight: number): number;
  /** Whether the walk may stop on this server (it has room for one more connection). */
  protected abstract eligible(slot: LbServer): boolean;

  // fwlc_get_next_server() / fas_get_next_server().
  pick(ctx: PickContext): PickResult {
    const lb = this.lb;
    if (lb.totWeight === 0) return NO_SERVER;
    let tree: EbQueue;
    if (lb.srvAct) tree = this.act;
    else if (lb.fbck) return lb.fbck.ok;
    else if (lb.srvBck) tree = this.bck;
    else return NO_SERVER;

    // Fast path: the first node is the answer unless it is full or to be avoided.
    const head = tree.first();
    if (head && head.s !== ctx.avoid && this.eligible(head)) return head.ok;

    let srv: LbServer | null = null;
    let avoided: LbServer | null = null;
    let n = 0;
    for (let node = tree.popFirst(); node; node = tree.popFirst()) {
      this.walked[n++] = node;
      if (this.eligible(node)) {
        if (node.s !== ctx.avoid) {
          srv = node;
          break;
        }
        avoided = node;
      }
    }
    while (n > 0) tree.restore(this.walked[--n]!);
    if (!srv) srv = avoided;
    return srv ? srv.ok : ALL_FULL;
  }

  protected slotOf(s: ServerState): LbServer {
    const slot = this.bySrv.get(s);
    if (!slot) throw new Error(`${this.algorithm}: server "${s.name}" is not part of this backend's balancer; create the balancer with every server of backend "${s.backend}"`);
    return slot;
  }

  // fwlc_srv_reposition() / fas_srv_reposition(): the key follows the connection count.
  protected reposition(s: ServerState): void {
    const slot = this.slotOf(s);
    if (!slot.tree) return;
    const key = this.keyOf(slot, slot.curEweight ? slot.curEweight : 1) >>> 0;
    if (slot.holder && slot.curEweight && slot.key === key) return;
    ebDelete(slot);
    slot.tree.insert(slot, key);
  }

  taken(s: ServerState): void {
    this.reposition(s);
  }

  dropped(s: ServerState): void {
    this.reposition(s);
  }

  private setDown(slot: LbServer): void {
    if (slot.willBeUsable) {
      slot.commit();
      return;
    }
    const lb = this.lb;
    if (slot.curUsable) {
      if (slot.s.backup) {
        lb.totWbck -= slot.curEweight;
        lb.srvBck--;
        lb.backupLeft(slot);
      } else {
        lb.totWact -= slot.curEweight;
        lb.srvAct--;
      }
      ebDelete(slot);
      slot.tree = null;
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  private setUp(slot: LbServer): void {
    if (!slot.willBeUsable) {
      slot.commit();
      return;
    }
    const lb = this.lb;
    if (!slot.curUsable) {
      if (slot.s.backup) {
        slot.tree = this.bck;
        lb.totWbck += slot.nextEweight;
        lb.srvBck++;
        lb.backupCame(slot);
      } else {
        slot.tree = this.act;
        lb.totWact += slot.nextEweight;
        lb.srvAct++;
      }
      slot.tree.insert(slot, this.keyOf(slot, slot.nextEweight));
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  // *_update_server_weight(): every state or weight change goes through here, as in srv_update_status().
  private update(s: ServerState): void {
    const slot = this.slotOf(s);
    slot.nextEweight = dynamicEweight(s);
    if (!slot.statusChanged) return;
    const oldState = slot.curUsable;
    const newState = slot.willBeUsable;
    if (!oldState && !newState) return slot.commit();
    if (!oldState && newState) return this.setUp(slot);
    if (oldState && !newState) return this.setDown(slot);
    const lb = this.lb;
    if (slot.tree) ebDelete(slot);
    if (slot.s.backup) {
      lb.totWbck += slot.nextEweight - slot.curEweight;
      slot.tree = this.bck;
    } else {
      lb.totWact += slot.nextEweight - slot.curEweight;
      slot.tree = this.act;
    }
    slot.tree.insert(slot, this.keyOf(slot, slot.nextEweight));
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

  /** One line about the tree order for the explain view. */
  protected abstract summary(order: readonly LbServer[]): string;

  snapshot(): BalancerSnapshot {
    const order = (this.lb.srvAct ? this.act : this.bck).ordered();
    return {
      algorithm: this.algorithm,
      summary: this.summary(order),
      servers: this.slots.map((sl) => ({
        name: sl.s.name,
        weight: sl.s.effectiveWeight,
        usable: sl.curUsable,
        detail: sl.curUsable ? `${sl.s.served} served, ${sl.s.queued} queued, tree key ${sl.key}` : undefined,
      })),
    };
  }
}
