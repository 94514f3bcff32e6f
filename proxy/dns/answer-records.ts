// The addresses a resolution keeps between answers (src/resolvers.c answer_tree): records ordered as HAProxy's
// tree orders them (by XXH32 of the address bytes, seeded with the record type), each remembering which servers
// took it. A record not seen in the latest answer for longer than `hold obsolete` is dropped and frees its
// servers; a server still bound to a live record keeps its address (resolv_get_ip_from_response).
import type { DnsAddress } from './dns-wire.ts';
import { xxh32 } from '../sample/xxh32.ts';

function addressBytes(a: DnsAddress): Uint8Array {
  if (a.family === 'ipv4') return Uint8Array.from(a.ip.split('.').map(Number));
  const [head, tail] = a.ip.includes('::') ? a.ip.split('::') : [a.ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g || '0', 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

export interface AnswerRecord {
  readonly key: number;
  readonly address: DnsAddress;
  lastSeen: number;
}

/** Who takes addresses: a server, told apart from the others of its backend. */
export interface AddressOwner {
  readonly backend: string;
}

export class AnswerRecords {
  private records: AnswerRecord[] = [];
  private readonly bound = new Map<AddressOwner, AnswerRecord>();

  // Adds the answer's new records and refreshes the others, then drops what is obsolete (resolv_check_response).
  update(addresses: readonly DnsAddress[], now: number, obsoleteMs: number): void {
    for (const a of addresses) {
      const found = this.records.find((r) => r.address.ip === a.ip && r.address.family === a.family);
      if (found) {
        found.lastSeen = now;
        continue;
      }
      const key = xxh32(addressBytes(a), a.family === 'ipv4' ? 1 : 28);
      // after the records of a smaller or equal key: ebtree keeps duplicates in insertion order
      let at = this.records.length;
      while (at > 0 && this.records[at - 1]!.key > key) at--;
      this.records.splice(at, 0, { key, address: a, lastSeen: now });
    }
    this.records = this.records.filter((r) => r.lastSeen + obsoleteMs >= now);
    for (const [owner, r] of this.bound) if (!this.records.includes(r)) this.bound.delete(owner);
  }

  /** Frees an owner's record (a server that went to maintenance). */
  release(owner: AddressOwner): void {
    this.bound.delete(owner);
  }

  clear(): void {
    this.records = [];
    this.bound.clear();
  }

  /**
   * resolv_get_ip_from_response(): 'keep' while the owner is bound to a live record; else the best record
   * (preferred family 8, not held by another server of the backend 2, current address 1; held ones are
   * skipped), which the owner is bound to; null when none is left.
   */
  pick(owner: AddressOwner, current: string, prefer: 'ipv4' | 'ipv6'): 'keep' | string | null {
    if (this.bound.has(owner)) return 'keep';
    let best: AnswerRecord | undefined;
    let bestScore = -1;
    for (const r of this.records) {
      const heldByOther = [...this.bound].some(([o, rec]) => rec === r && o !== owner && o.backend === owner.backend);
      if (heldByOther) continue;
      const score = (r.address.family === prefer ? 8 : 0) + 2 + (r.address.ip === current ? 1 : 0);
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    if (!best) return null;
    this.bound.set(owner, best);
    return best.address.ip === current ? 'keep' : best.address.ip;
  }
}
