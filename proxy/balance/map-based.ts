/*
 * Map-based hash placement (`hash-type map-based`, the default) — HAProxy's map_get_server_hash
 * (src/lb_map.c, v2.6): the server is map[hash % total weight], the same map static-rr walks (ServerMap),
 * and the round-robin fallback for a missing key is map_get_server_rr on that map.
 *
 * Why it matches: ServerMap is HAProxy's map slot for slot, so the same hash lands on the same server.
 * Like static-rr, the map is static: no weightChanged hook (HAProxy accepts only 0% or 100% there).
 */
import type { ServerState } from '../server/server-state.ts';
import type { LbCounters, LbServer } from './lb-common.ts';
import { ServerMap } from './server-map.ts';

/** Where a hash lands, and the round robin used when the key is missing. */
export interface HashPlacement {
  readonly kind: 'map-based' | 'consistent';
  readonly lb: LbCounters;
  readonly slots: readonly LbServer[];
  lookup(hash: number, avoid: ServerState | undefined): LbServer | null;
  nextRr(avoid: ServerState | undefined): LbServer | null;
  update(s: ServerState): void;
  /** Where the hash of `hash` lands, for the explain view: "slot 3 of 6" or "ring point 0x1a2b". */
  where(hash: number): string;
  describe(): string;
}

export class MapPlacement implements HashPlacement {
  readonly kind = 'map-based';
  private readonly m: ServerMap;

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.m = new ServerMap(servers, allBackups);
  }

  get lb(): LbCounters {
    return this.m.lb;
  }

  get slots(): readonly LbServer[] {
    return this.m.slots;
  }

  lookup(hash: number): LbServer | null {
    return this.m.lookup(hash);
  }

  nextRr(avoid: ServerState | undefined): LbServer | null {
    return this.m.nextRr(avoid);
  }

  update(s: ServerState): void {
    this.m.update(s);
  }

  where(hash: number): string {
    const tot = this.m.lb.totWeight;
    return tot ? `slot ${(hash >>> 0) % tot} of ${tot}` : 'no slot';
  }

  describe(): string {
    return `map of ${this.m.lb.totWeight} slot(s): ${this.m.describe()}`;
  }
}
