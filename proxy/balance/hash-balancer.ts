/*
 * balance source | uri | url_param | hdr(name) — HAProxy's hash branch of assign_server with
 * get_server_sh/uh/ph/hh (src/backend.c, v2.6).
 *
 * Why the order matches: the key is extracted exactly as HAProxy does (hash-key.ts), hashed with the
 * function `hash-type` names (sdbm by default; hash-functions.ts), passed through full_hash when the
 * avalanche modifier applies (the default for `hash-type consistent`), then placed by the server map
 * (map-based.ts) or the consistent-hash ring (consistent-hash.ts). With one usable server left, source,
 * uri and hdr skip the hash (HAProxy's "hash_done" shortcut). When the key is missing (no such header or
 * parameter), the pick falls back to round robin over the same map or ring, as assign_server does.
 */
import type { Balancer, BalancerSnapshot, PickContext, PickResult } from './balancer.ts';
import type { ServerState } from '../server/server-state.ts';
import { ALL_FULL, NO_SERVER, type LbServer } from './lb-common.ts';
import { ABSENT, type HashKey } from './hash-key.ts';
import { fullHash, type HashFunction, type RangeHash, hashFunction } from './hash-functions.ts';
import type { HashPlacement } from './map-based.ts';

export class HashBalancer implements Balancer {
  readonly weightChanged?: (s: ServerState) => void;
  private readonly fn: RangeHash;
  /** What the last pick hashed, for the explain view. */
  private lastHash = -1;

  constructor(
    readonly algorithm: string,
    private readonly key: HashKey,
    private readonly placement: HashPlacement,
    private readonly fnName: HashFunction,
    private readonly avalanche: boolean,
  ) {
    this.fn = hashFunction(fnName);
    // Only the consistent ring follows weight changes; the map is static (HAProxy: 0% or 100% only).
    if (placement.kind === 'consistent') this.weightChanged = (s) => placement.update(s);
  }

  pick(ctx: PickContext): PickResult {
    const p = this.placement;
    const lb = p.lb;
    if (lb.totWeight === 0) return NO_SERVER;
    let slot: LbServer | null = null;
    if (this.key.skipWhenSingle && lb.totUsed === 1) {
      this.lastHash = 0;
      slot = p.lookup(0, ctx.avoid);
    } else {
      let h = this.key.hash(ctx, this.fn);
      if (h !== ABSENT) {
        if (this.avalanche) h = fullHash(h);
        this.lastHash = h;
        slot = p.lookup(h, ctx.avoid);
      } else {
        this.lastHash = -1;
      }
    }
    if (!slot) slot = p.nextRr(ctx.avoid);
    return slot ? slot.ok : ALL_FULL;
  }

  serverUp(s: ServerState): void {
    this.placement.update(s);
  }

  serverDown(s: ServerState): void {
    this.placement.update(s);
  }

  // The key and where it lands for one request (explain view; allocates).
  explain(ctx: PickContext): string {
    const text = this.key.describe(ctx);
    if (text === null) return `${this.key.label}: no key in this request, round robin`;
    let h = this.key.hash(ctx, this.fn);
    if (this.avalanche) h = fullHash(h);
    return `${this.key.label} "${text}" -> hash 0x${(h >>> 0).toString(16)} -> ${this.placement.where(h)}`;
  }

  snapshot(): BalancerSnapshot {
    const p = this.placement;
    const hashText = this.lastHash >= 0 ? `last hash 0x${this.lastHash.toString(16)} -> ${p.where(this.lastHash)}` : 'last pick used round robin';
    return {
      algorithm: this.algorithm,
      summary: `${this.key.label}, ${p.kind} ${this.fnName}${this.avalanche ? ' avalanche' : ''}; ${hashText}; ${p.describe()}`,
      servers: p.slots.map((sl) => ({
        name: sl.s.name,
        weight: sl.s.effectiveWeight,
        usable: sl.curUsable,
      })),
    };
  }
}
