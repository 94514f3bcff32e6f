// What every algorithm shares, mirroring HAProxy's struct lbprm and the LB fields of struct server:
// per-server slots with the committed ("cur") and pending ("next") weight and state, the active/backup
// counters with the first usable backup (fbck), and an ordered queue standing in for an eb32 tree.
import type { PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';

/** HAProxy's BE_WEIGHT_SCALE: dynamic algorithms work on eweight = uweight * 16. */
export const BE_WEIGHT_SCALE = 16;
/** SRV_UWGHT_RANGE / SRV_EWGHT_MAX from server-t.h. */
export const SRV_UWGHT_RANGE = 256;
export const SRV_EWGHT_MAX = SRV_UWGHT_RANGE * BE_WEIGHT_SCALE;
export const SRV_EWGHT_RANGE = SRV_UWGHT_RANGE * BE_WEIGHT_SCALE;

/** The two ways a pick fails, built once so the hot path allocates nothing. */
export const NO_SERVER: PickResult = Object.freeze({ server: null, reason: 'no-usable-server' });
export const ALL_FULL: PickResult = Object.freeze({ server: null, reason: 'all-full' });

/** One server as a balancer sees it (HAProxy keeps these fields inside struct server). */
export class LbServer {
  /** The pick result for this server, built once. */
  readonly ok: PickResult;
  /** Committed weight and usability (cur_eweight, srv_currently_usable). */
  curEweight = 0;
  curUsable = false;
  /** Pending weight (next_eweight), computed from the ServerState when a hook fires. */
  nextEweight = 0;
  /** Which queue the server belongs to (lb_tree), kept even while it is briefly dequeued, as HAProxy does. */
  tree: EbQueue | null = null;
  /** The queue that actually holds the node right now (null: detached) and its place in that heap. */
  holder: EbQueue | null = null;
  heapIndex = -1;
  key = 0;
  /** Insertion stamp: eb32 trees keep duplicate keys in insertion order. */
  seq = 0;
  /** fwrr: next and last position, remainder of weight. */
  npos = 0;
  lpos = 0;
  rweight = 0;
  /** fwrr: chain of saturated servers extracted during one pick. */
  nextFull: LbServer | null = null;
  /** map: weight score while building the map. */
  wscore = 0;
  /** Weight of the usable servers declared before this one in its group (cumulative_weight). */
  cumulativeWeight = 0;

  constructor(
    readonly s: ServerState,
    /** Declaration order in the backend, from 0 (HAProxy's px->srv list order). */
    readonly index: number,
  ) {
    this.ok = Object.freeze({ server: s });
  }

  // srv_willbe_usable(): the pending state allows traffic and the pending weight is not 0.
  get willBeUsable(): boolean {
    return this.nextEweight > 0 && this.s.admin === 'ready' && (this.s.op === 'up' || this.s.op === 'starting');
  }

  // srv_lb_status_changed(): something differs from what the balancer last committed.
  get statusChanged(): boolean {
    return this.nextEweight !== this.curEweight || this.willBeUsable !== this.curUsable;
  }

  // srv_lb_commit_status().
  commit(): void {
    this.curEweight = this.nextEweight;
    this.curUsable = this.willBeUsable;
  }

  // Whether one more connection fits (!maxconn || (!queue && served < maxconn)), as fwrr/map/fas test it.
  get hasRoom(): boolean {
    const s = this.s;
    return s.maxconn === 0 || (s.queued === 0 && s.served < s.maxconn);
  }
}

// Effective weight for the dynamic algorithms: uweight * BE_WEIGHT_SCALE (wmult is 1 for them).
export function dynamicEweight(s: ServerState): number {
  return s.effectiveWeight * BE_WEIGHT_SCALE;
}

/** The backend-wide LB counters (struct lbprm plus srv_act/srv_bck of struct proxy). */
export class LbCounters {
  srvAct = 0;
  srvBck = 0;
  totWact = 0;
  totWbck = 0;
  /** First usable backup when `option allbackups` is off (lbprm.fbck). */
  fbck: LbServer | null = null;
  totWeight = 0;
  totUsed = 0;

  constructor(
    readonly slots: readonly LbServer[],
    readonly allBackups: boolean,
  ) {}

  // recount_servers(): counts usable servers and weights from the pending state.
  recount(): void {
    this.srvAct = this.srvBck = 0;
    this.totWact = this.totWbck = 0;
    this.fbck = null;
    for (const slot of this.slots) {
      if (!slot.willBeUsable) continue;
      if (slot.s.backup) {
        if (this.srvBck === 0 && !this.allBackups) this.fbck = slot;
        this.srvBck++;
        slot.cumulativeWeight = this.totWbck;
        this.totWbck += slot.nextEweight;
      } else {
        this.srvAct++;
        slot.cumulativeWeight = this.totWact;
        this.totWact += slot.nextEweight;
      }
    }
  }

  // update_backend_weight(): what the pick functions compare against.
  updateBackendWeight(): void {
    if (this.srvAct) {
      this.totWeight = this.totWact;
      this.totUsed = this.srvAct;
    } else if (this.fbck) {
      this.totWeight = this.fbck.nextEweight;
      this.totUsed = 1;
    } else {
      this.totWeight = this.totWbck;
      this.totUsed = this.srvBck;
    }
  }

  // The fbck bookkeeping of set_server_status_down for a backup server leaving.
  backupLeft(slot: LbServer): void {
    if (slot !== this.fbck) return;
    let next: LbServer | null = null;
    for (let i = slot.index + 1; i < this.slots.length; i++) {
      const c = this.slots[i]!;
      if (c.s.backup && c.willBeUsable) {
        next = c;
        break;
      }
    }
    this.fbck = next;
  }

  // The fbck bookkeeping of set_server_status_up: a backup declared before fbck replaces it.
  backupCame(slot: LbServer): void {
    if (this.allBackups) return;
    if (!this.fbck) this.fbck = slot;
    else if (slot.index < this.fbck.index) this.fbck = slot;
  }
}

// eb32_delete() on whatever tree holds the node.
export function ebDelete(slot: LbServer): void {
  slot.holder?.delete(slot);
}

/**
 * An ordered set of servers by (key, insertion order): the operations HAProxy uses on its eb32 trees
 * (insert, delete, first, and an in-order walk) on an indexed binary heap, O(log n) each.
 */
export class EbQueue {
  private heap: LbServer[] = [];
  private n = 0;
  /** Insertion order within this queue (a backend's own, not shared with another engine's). */
  private stamp = 0;

  get size(): number {
    return this.n;
  }

  // eb32_insert(): a new node goes after every node with the same key.
  insert(slot: LbServer, key: number): void {
    slot.key = key >>> 0;
    slot.seq = ++this.stamp;
    this.push(slot);
  }

  // Puts back a node taken out by popFirst() with its original order (the walk did not really remove it).
  restore(slot: LbServer): void {
    this.push(slot);
  }

  // eb32_delete(): detaches the node if this queue holds it; slot.tree is left alone, as HAProxy leaves lb_tree.
  delete(slot: LbServer): void {
    if (slot.holder !== this) return;
    const i = slot.heapIndex;
    const heap = this.heap;
    const last = heap[--this.n]!;
    heap[this.n] = undefined as unknown as LbServer;
    slot.heapIndex = -1;
    slot.holder = null;
    if (last === slot) return;
    heap[i] = last;
    last.heapIndex = i;
    if (i > 0 && less(last, heap[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  // eb32_first().
  first(): LbServer | null {
    return this.n > 0 ? this.heap[0]! : null;
  }

  // Takes out the first node (for in-order walks; put it back with restore()).
  popFirst(): LbServer | null {
    if (this.n === 0) return null;
    const top = this.heap[0]!;
    this.delete(top);
    return top;
  }

  // Every node in order (explain view only; allocates).
  ordered(): LbServer[] {
    return this.heap.slice(0, this.n).sort((a, b) => (less(a, b) ? -1 : 1));
  }

  private push(slot: LbServer): void {
    const i = this.n++;
    this.heap[i] = slot;
    slot.heapIndex = i;
    slot.holder = this;
    this.up(i);
  }

  private up(i: number): void {
    const heap = this.heap;
    const node = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!less(node, parent)) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = node;
    node.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = this.n;
    const node = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(heap[c + 1]!, heap[c]!)) c++;
      const child = heap[c]!;
      if (!less(child, node)) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = node;
    node.heapIndex = i;
  }
}

function less(a: LbServer, b: LbServer): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}
