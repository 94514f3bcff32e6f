/*
 * Consistent hashing placement — HAProxy's src/lb_chash.c (v2.6), used by `hash-type consistent` and by
 * `balance random`.
 *
 * Why the order matches: every server owns eweight (= weight * 16) points on a 32-bit ring, point j of
 * server id P at full_hash(P * SRV_EWGHT_RANGE + j), exactly as chash_init_server_tree places lb_nodes; a
 * weight change adds or removes its highest-numbered points first (chash_queue_dequeue_srv). A hash picks
 * the point at or after it and the one before it (wrapping) and keeps the closer, the earlier one on a tie
 * (chash_get_server_hash). When the hash key is missing, the round-robin fallback walks the ring point by
 * point from the last one used (chash_get_next_server), skipping servers without room. Active and backup
 * servers have separate rings; without `option allbackups` only the first usable backup is used.
 * The ring is a sorted array: lookups are a binary search, changes (rare) rebuild by merging.
 */
import type { ServerState } from '../server/server-state.ts';
import { LbCounters, LbServer, SRV_EWGHT_RANGE, dynamicEweight } from './lb-common.ts';
import { fullHash } from './hash-functions.ts';
import type { HashPlacement } from './map-based.ts';

class ChashNode {
  seq = 0;
  /** Set while a batch removal is in progress (for the "last" cursor's skip). */
  leaving = false;
  constructor(
    readonly key: number,
    readonly slot: LbServer,
    readonly ring: Ring,
  ) {}
}

class Ring {
  nodes: ChashNode[] = [];
  /** The nodes' keys, in the same order: binary searches stay in one compact array. */
  keys = new Uint32Array(0);

  // Installs a new sorted node list.
  set(nodes: ChashNode[]): void {
    this.nodes = nodes;
    const keys = new Uint32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) keys[i] = nodes[i]!.key;
    this.keys = keys;
  }

  // eb32_lookup_ge(): the first node whose key is >= hash, or -1.
  lowerBound(hash: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo < keys.length ? lo : -1;
  }

  // Index of the node itself: the first node with its key, then forward among duplicates.
  indexOf(node: ChashNode): number {
    let i = this.lowerBound(node.key);
    if (i < 0) return -1;
    const nodes = this.nodes;
    while (i < nodes.length && nodes[i]!.key === node.key) {
      if (nodes[i] === node) return i;
      i++;
    }
    return -1;
  }
}

export class ChashRing implements HashPlacement {
  readonly kind = 'consistent';
  readonly slots: LbServer[];
  readonly lb: LbCounters;
  private readonly act = new Ring();
  private readonly bck = new Ring();
  /** lb_nodes, lb_nodes_now per server (by declaration index). */
  private readonly points: ChashNode[][];
  private readonly now: number[];
  /** Insertion order of the points, for equal keys (eb32 duplicates). */
  private stamp = 0;
  /** lbprm.chash.last: the point the round-robin fallback used last. */
  private last: ChashNode | null = null;
  private readonly bySrv = new Map<ServerState, LbServer>();

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.slots = servers.map((s, i) => new LbServer(s, i));
    for (const slot of this.slots) {
      this.bySrv.set(slot.s, slot);
      slot.s.lb = slot;
      slot.nextEweight = dynamicEweight(slot.s);
      slot.commit();
    }
    this.lb = new LbCounters(this.slots, allBackups);
    this.lb.recount();
    this.lb.updateBackendWeight();
    this.points = this.slots.map((slot) => {
      const ring = slot.s.backup ? this.bck : this.act;
      const tot = slot.s.spec.weight * 16;
      const pts: ChashNode[] = [];
      for (let j = 0; j < tot; j++) pts.push(new ChashNode(fullHash(slot.s.id * SRV_EWGHT_RANGE + j), slot, ring));
      return pts;
    });
    this.now = this.slots.map(() => 0);
    for (const slot of this.slots) if (slot.curUsable) this.queueDequeue(slot);
  }

  slotOf(s: ServerState): LbServer {
    const slot = this.bySrv.get(s);
    if (!slot) throw new Error(`balance: server "${s.name}" is not part of this backend's balancer; create the balancer with every server of backend "${s.backend}"`);
    return slot;
  }

  // chash_skip_node(): the point after this one (wrapping), ignoring points already leaving; null if alone.
  private skip(node: ChashNode): ChashNode | null {
    const nodes = node.ring.nodes;
    const start = node.ring.indexOf(node);
    if (start < 0) return null;
    for (let k = 1; k <= nodes.length; k++) {
      const c = nodes[(start + k) % nodes.length]!;
      if (c === node) return null;
      if (!c.leaving) return c;
    }
    return null;
  }

  // Removes the server's points from the top down to `keep` (chash_dequeue_srv / first loop of
  // chash_queue_dequeue_srv), moving the "last" cursor off each point as it leaves.
  private removeDownTo(slot: LbServer, keep: number): void {
    const pts = this.points[slot.index]!;
    let now = this.now[slot.index]!;
    if (now <= keep) return;
    const ring = pts[0]!.ring;
    while (now > keep) {
      now--;
      const node = pts[now]!;
      if (this.last === node) this.last = this.skip(node);
      node.leaving = true;
    }
    this.now[slot.index] = now;
    ring.set(ring.nodes.filter((n) => !n.leaving));
    for (let j = now; j < pts.length; j++) pts[j]!.leaving = false;
  }

  // chash_queue_dequeue_srv(): brings the number of points of a server to its next eweight.
  private queueDequeue(slot: LbServer): void {
    const target = slot.nextEweight;
    this.removeDownTo(slot, target);
    const pts = this.points[slot.index]!;
    if (pts.length < target) {
      this.removeDownTo(slot, 0);
      const ring = slot.s.backup ? this.bck : this.act;
      for (let j = pts.length; j < target; j++) pts.push(new ChashNode(fullHash(slot.s.id * SRV_EWGHT_RANGE + j), slot, ring));
    }
    let now = this.now[slot.index]!;
    if (now >= target) return;
    const ring = pts[0]!.ring;
    const added: ChashNode[] = [];
    while (now < target && now < pts.length) {
      const node = pts[now++]!;
      node.seq = ++this.stamp;
      added.push(node);
    }
    this.now[slot.index] = now;
    added.sort((a, b) => a.key - b.key || a.seq - b.seq);
    // Merge: an inserted point goes after existing points with the same key (eb32 duplicates).
    const old = ring.nodes;
    const merged: ChashNode[] = new Array(old.length + added.length);
    let i = 0;
    let k = 0;
    let o = 0;
    while (i < old.length && k < added.length) merged[o++] = old[i]!.key <= added[k]!.key ? old[i++]! : added[k++]!;
    while (i < old.length) merged[o++] = old[i++]!;
    while (k < added.length) merged[o++] = added[k++]!;
    ring.set(merged);
  }

  // chash_update_server_weight() with the up/down procedures it dispatches to.
  update(s: ServerState): void {
    const slot = this.slotOf(s);
    slot.nextEweight = dynamicEweight(s);
    if (!slot.statusChanged) return;
    const lb = this.lb;
    const oldState = slot.curUsable;
    const newState = slot.willBeUsable;
    if (!oldState && !newState) return slot.commit();
    if (oldState && !newState) {
      if (slot.s.backup) {
        lb.totWbck -= slot.curEweight;
        lb.srvBck--;
        lb.backupLeft(slot);
      } else {
        lb.totWact -= slot.curEweight;
        lb.srvAct--;
      }
      this.removeDownTo(slot, 0);
    } else if (!oldState && newState) {
      if (slot.s.backup) {
        lb.totWbck += slot.nextEweight;
        lb.srvBck++;
        lb.backupCame(slot);
      } else {
        lb.totWact += slot.nextEweight;
        lb.srvAct++;
      }
      this.queueDequeue(slot);
    } else {
      this.queueDequeue(slot);
      if (slot.s.backup) lb.totWbck += slot.nextEweight - slot.curEweight;
      else lb.totWact += slot.nextEweight - slot.curEweight;
    }
    lb.updateBackendWeight();
    slot.commit();
  }

  // The ring in use, or the first backup to use directly, or nothing.
  private root(): Ring | LbServer | null {
    const lb = this.lb;
    if (lb.srvAct) return this.act;
    if (lb.fbck) return lb.fbck;
    if (lb.srvBck) return this.bck;
    return null;
  }

  // chash_get_server_hash(): the server owning the point closest to the hash.
  lookup(hash: number, avoid: ServerState | undefined): LbServer | null {
    const root = this.root();
    if (root === null || root instanceof LbServer) return root;
    const nodes = root.nodes;
    if (nodes.length === 0) return null;
    let ni = root.lowerBound(hash >>> 0);
    if (ni < 0) ni = 0;
    const pi = ni > 0 ? ni - 1 : nodes.length - 1;
    const next = nodes[ni]!;
    const prev = nodes[pi]!;
    const dp = ((hash >>> 0) - prev.key) >>> 0;
    const dn = (next.key - (hash >>> 0)) >>> 0;
    let idx = dp <= dn ? pi : ni;
    let nsrv = nodes[idx]!.slot;
    let loop = 0;
    while (nsrv.s === avoid) {
      idx++;
      if (idx >= nodes.length) {
        idx = 0;
        if (++loop > 1) break;
      }
      nsrv = nodes[idx]!.slot;
    }
    return nsrv;
  }

  // chash_get_next_server(): round robin over the ring's points from the last one used.
  nextRr(avoid: ServerState | undefined): LbServer | null {
    const root = this.root();
    if (root === null || root instanceof LbServer) return root;
    let node: ChashNode | null = this.last;
    let stop: ChashNode | null = node;
    let srv: LbServer | null = null;
    let avoided: LbServer | null = null;
    let avoidedNode: ChashNode | null = null;
    // Bound the walk (HAProxy 2.6 could loop when the cursor sat in the other group's ring).
    let budget = root.nodes.length + (node ? node.ring.nodes.length : 0) + 1;
    do {
      if (node) {
        const r = node.ring;
        const i = r.indexOf(node);
        node = i >= 0 && i + 1 < r.nodes.length ? r.nodes[i + 1]! : null;
      }
      if (!node) node = root.nodes[0] ?? null;
      this.last = node;
      if (!node) return null;
      if (!stop) stop = node;
      const s = node.slot;
      if (s.hasRoom) {
        if (s.s !== avoid) {
          srv = s;
          break;
        }
        avoided = s;
        avoidedNode = node;
      }
    } while (node !== stop && --budget > 0);
    if (!srv) {
      srv = avoided;
      this.last = avoidedNode;
    }
    return srv;
  }

  // How many ring points each server holds, e.g. "ring points s1:16 s2:32" (explain view).
  describe(): string {
    return `ring points ${this.slots.map((sl) => `${sl.s.name}:${this.now[sl.index]}`).join(' ')}`;
  }

  where(hash: number): string {
    return `ring position 0x${(hash >>> 0).toString(16).padStart(8, '0')}`;
  }

  // Points a server holds on its ring now.
  pointsOf(slot: LbServer): number {
    return this.now[slot.index]!;
  }
}
