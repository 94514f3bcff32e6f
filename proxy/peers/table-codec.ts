// Stick tables on the wire (src/peers.c): the table definition a peer announces (peer_prepare_switchmsg), how a
// received definition is matched to a local table (peer_treat_definemsg), and entry updates both ways
// (peer_prepare_updatemsg, peer_treat_updatemsg): keys, then each stored type in index order, rates as
// "ms since the period started, current, previous", server keys through a per-connection dictionary cache.
import { DATA_TYPES } from '../stick/data-types.ts';
import type { FreqCtr } from '../stick/freq-ctr.ts';
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import type { TableKeyType } from '../stick/table-spec.ts';
import { decodeVarint, encodeVarint } from './varint.ts';

/** The network key types (PEER_KT_*). */
const NET_KEY_TYPE: Record<TableKeyType, number> = { integer: 2, ip: 4, ipv6: 5, string: 6, binary: 7 };

/** What HAProxy sends as the table's name: a proxy's table is its proxy's name, a peers section's "/NAME". */
export function networkName(table: StickTable): string {
  const { name, proxyKind } = table.spec;
  return proxyKind === 'peers' ? name.slice(name.indexOf('/')) : name;
}

/** Bit i set when the table stores DATA_TYPES[i]. */
function storedBits(table: StickTable): number {
  let bits = 0;
  for (const i of table.spec.store.keys()) bits += 2 ** i;
  return bits;
}

const hasBit = (bits: number, i: number): boolean => Math.floor(bits / 2 ** i) % 2 === 1;

/** The body of a table definition message (PEER_MSG_STKT_DEFINE). */
export function defineBody(localId: number, table: StickTable): number[] {
  const out: number[] = [];
  encodeVarint(localId, out);
  const name = Buffer.from(networkName(table), 'latin1');
  encodeVarint(name.length, out);
  out.push(...name);
  encodeVarint(NET_KEY_TYPE[table.spec.type], out);
  encodeVarint(table.spec.keySize, out);
  encodeVarint(storedBits(table), out);
  encodeVarint(table.spec.expire ?? 0, out);
  // the parameters of rates and arrays, each prefixed with its type's index
  for (const [i, s] of [...table.spec.store].sort((a, b) => a[0] - b[0])) {
    const def = DATA_TYPES[i]!;
    if (def.array) {
      encodeVarint(i, out);
      encodeVarint(s.count ?? 1, out);
      if (def.std === 'frqp') encodeVarint(s.period ?? 0, out);
    } else if (def.std === 'frqp') {
      encodeVarint(i, out);
      encodeVarint(s.period ?? 0, out);
    }
  }
  return out;
}

/** A remote table matched to a local one: which types its updates carry, and its arrays' lengths. */
export interface RemoteTable {
  readonly remoteId: number;
  readonly table: StickTable;
  readonly data: number;
  readonly nbelem: ReadonlyMap<number, number>;
}

export type DefineResult = { remote: RemoteTable } | { ignored: true; remoteId?: number } | { malformed: true };

/** peer_treat_definemsg(): the local table of that network name, type and key size, or why none. */
export function readDefine(body: Buffer, tables: readonly StickTable[]): DefineResult {
  const end = body.length;
  const id = decodeVarint(body, 0, end);
  if (!id) return { malformed: true };
  const len = decodeVarint(body, id.next, end);
  if (!len) return { malformed: true };
  if (len.value === 0 || len.next + len.value >= end) return { malformed: true };
  const name = body.subarray(len.next, len.next + len.value).toString('latin1');
  const table = tables.find((t) => networkName(t) === name);
  if (!table) return { ignored: true, remoteId: id.value };
  let p = len.next + len.value;
  const type = decodeVarint(body, p, end);
  if (!type) return { malformed: true };
  const keyLen = decodeVarint(body, type.next, end);
  if (!keyLen) return { malformed: true };
  const data = decodeVarint(body, keyLen.next, end);
  if (!data) return { malformed: true };
  if (type.value !== NET_KEY_TYPE[table.spec.type] || keyLen.value !== table.spec.keySize) return { ignored: true, remoteId: id.value };
  p = data.next;
  const nbelem = new Map<number, number>();
  const expire = decodeVarint(body, p, end);
  if (expire) {
    p = expire.next;
    for (let i = 0; i < DATA_TYPES.length; i++) {
      if (!hasBit(data.value, i)) continue;
      const def = DATA_TYPES[i]!;
      if (!def.array && def.std !== 'frqp') continue;
      const prefix = decodeVarint(body, p, end);
      if (!prefix || prefix.value !== i) return { ignored: true, remoteId: id.value };
      p = prefix.next;
      if (def.array) {
        const n = decodeVarint(body, p, end);
        if (!n) return { ignored: true, remoteId: id.value };
        nbelem.set(i, n.value);
        p = n.next;
      }
      if (def.std === 'frqp') {
        const period = decodeVarint(body, p, end);
        if (!period) return { ignored: true, remoteId: id.value };
        p = period.next;
      }
    }
  } else {
    // without the parameters, an array's length is unknown: the table is not synced
    for (let i = 0; i < DATA_TYPES.length; i++) if (hasBit(data.value, i) && DATA_TYPES[i]!.array) return { ignored: true, remoteId: id.value };
  }
  return { remote: { remoteId: id.value, table, data: data.value, nbelem } };
}

/** A peer connection's server-key dictionary (struct dcache): 128 entries each way, replaced round robin. */
export class DictCache {
  private readonly tx = new Map<string, number>();
  private readonly txById: (string | undefined)[] = [];
  private lru = 0;
  readonly rx: (string | undefined)[] = [];

  /** The id of a value to send, and whether the peer already knows it. */
  txInsert(value: string): { id: number; known: boolean } {
    const known = this.tx.get(value);
    if (known !== undefined) return { id: known, known: true };
    const id = this.lru;
    const old = this.txById[id];
    if (old !== undefined) this.tx.delete(old);
    this.txById[id] = value;
    this.tx.set(value, id);
    this.lru = (this.lru + 1) & 127;
    return { id, known: false };
  }
}

function keyBytes(table: StickTable, key: Buffer, out: number[]): void {
  switch (table.spec.type) {
    case 'string': {
      const nul = key.indexOf(0);
      const s = nul < 0 ? key : key.subarray(0, nul);
      encodeVarint(s.length, out);
      out.push(...s);
      return;
    }
    case 'integer': {
      // the table keeps the integer in host order; the wire has it in network order
      const b = Buffer.alloc(4);
      b.writeUInt32BE(key.readUInt32LE(0));
      out.push(...b);
      return;
    }
    default: {
      const b = Buffer.alloc(table.spec.keySize);
      key.copy(b, 0, 0, Math.min(key.length, b.length));
      out.push(...b);
    }
  }
}

function pushU32(value: number, out: number[]): void {
  out.push((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

function encodeFreq(ctr: FreqCtr, now: number, out: number[]): void {
  // (unsigned int)(now_ms - curr_tick): HAProxy's ticks are 32-bit
  encodeVarint((now - ctr.currTick) >>> 0, out);
  encodeVarint(ctr.currCtr >>> 0, out);
  encodeVarint(ctr.prevCtr >>> 0, out);
}

export interface UpdateOptions {
  /** Sent when this update does not follow the previous one by exactly 1 (PEER_MSG_STKT_UPDATE). */
  readonly updateId?: number;
  /** Teaching sends the entry's remaining lifetime (the _TIMED messages). */
  readonly timed: boolean;
}

/** The type byte and body of one entry's update (peer_prepare_updatemsg). */
export function updateBody(table: StickTable, e: StickEntry, opts: UpdateOptions, dict: DictCache): { type: number; body: number[] } {
  const out: number[] = [];
  const now = table.now();
  if (opts.updateId !== undefined) pushU32(opts.updateId >>> 0, out);
  if (opts.timed) pushU32(Math.max(0, e.expire - now) >>> 0, out);
  keyBytes(table, e.key, out);
  for (const i of [...table.spec.store.keys()].sort((a, b) => a - b)) {
    const def = DATA_TYPES[i]!;
    const v = e.data[i];
    const one = (x: unknown): void => {
      if (def.std === 'frqp') encodeFreq(x as FreqCtr, now, out);
      // a negative server_id would be sign-extended to 64 bits by HAProxy; ids are positive
      else if (def.std === 'sint') encodeVarint(Math.max(0, x as number), out);
      else encodeVarint(x as number, out);
    };
    if (def.array) {
      for (const x of v as unknown[]) one(x);
    } else if (def.std === 'dict') {
      const name = v as string | null;
      if (name === null) {
        encodeVarint(0, out);
        continue;
      }
      const c = dict.txInsert(name);
      if (c.known) {
        // HAProxy drops the field when the id needs two bytes (it never does with 128 entries)
        encodeVarint(1, out);
        encodeVarint(c.id + 1, out);
      } else {
        const inner: number[] = [];
        encodeVarint(c.id + 1, inner);
        const value = Buffer.from(name, 'latin1');
        encodeVarint(value.length, inner);
        inner.push(...value);
        encodeVarint(inner.length, out);
        out.push(...inner);
      }
    } else {
      one(v);
    }
  }
  const type = opts.timed ? (opts.updateId !== undefined ? 0x85 : 0x86) : opts.updateId !== undefined ? 0x80 : 0x81;
  return { type, body: out };
}

export interface ReceivedUpdate {
  /** The update id when the message carried one. */
  readonly updateId?: number;
}

/** What the peer said it would apply, in the receiving table's terms; null: malformed (a protocol error). */
export function applyUpdate(remote: RemoteTable, type: number, body: Buffer, dict: DictCache): ReceivedUpdate | null {
  const table = remote.table;
  const end = body.length;
  let p = 0;
  let updateId: number | undefined;
  if (type === 0x80 || type === 0x85) {
    if (end < 4) return null;
    updateId = body.readUInt32BE(0);
    p = 4;
  }
  let expire = table.spec.expire ?? 0;
  if (type === 0x85 || type === 0x86) {
    if (p + 4 > end) return null;
    expire = body.readInt32BE(p);
    p += 4;
  }
  let key: Buffer;
  if (table.spec.type === 'string') {
    const n = decodeVarint(body, p, end);
    if (!n) return null;
    const store = Math.min(n.value, table.spec.keySize - 1);
    if (n.next + store > end) return null;
    key = Buffer.from(body.subarray(n.next, n.next + store));
    p = n.next + n.value;
  } else if (table.spec.type === 'integer') {
    if (p + 4 > end) return null;
    key = Buffer.alloc(4);
    key.writeUInt32LE(body.readUInt32BE(p));
    p += 4;
  } else {
    if (p + table.spec.keySize > end) return null;
    key = Buffer.from(body.subarray(p, p + table.spec.keySize));
    p += table.spec.keySize;
  }
  const e = table.getEntry(key);
  const now = table.now();
  let malformed = false;
  const next = (): number | undefined => {
    const d = decodeVarint(body, p, end);
    if (!d) {
      malformed = true;
      return undefined;
    }
    p = d.next;
    return d.value;
  };
  const readFreq = (): FreqCtr | undefined => {
    const ago = next();
    const curr = next();
    const prev = next();
    if (ago === undefined || curr === undefined || prev === undefined) return undefined;
    // ticks are 32-bit: a period that started a little ahead of the sender's clock comes as a huge "ago"
    const tick = now - (ago | 0);
    // the lowest bit is the freq_ctr's lock in HAProxy: cleared
    return { currTick: tick - (((tick % 2) + 2) % 2), currCtr: curr, prevCtr: prev };
  };
  for (let i = 0; i < DATA_TYPES.length && !malformed; i++) {
    if (!hasBit(remote.data, i)) continue;
    const def = DATA_TYPES[i]!;
    // conn_cur counts this process's connections: a peer's value is read and dropped
    const keep = i !== 6 && e !== undefined && table.spec.store.has(i);
    if (def.array) {
      const n = remote.nbelem.get(i) ?? 0;
      const slot = keep ? (e.data[i] as (number | FreqCtr)[]) : undefined;
      for (let k = 0; k < n && !malformed; k++) {
        const v = def.std === 'frqp' ? readFreq() : next();
        if (v !== undefined && slot && k < slot.length) slot[k] = v;
      }
      continue;
    }
    if (def.std === 'frqp') {
      const v = readFreq();
      if (v && keep) e.data[i] = v;
      continue;
    }
    const v = next();
    if (v === undefined) break;
    if (def.std === 'dict') {
      if (v === 0) continue;
      const stop = p + v;
      if (stop > end) {
        malformed = true;
        break;
      }
      const id = decodeVarint(body, p, stop);
      if (!id || id.value === 0 || id.value > 128) {
        malformed = true;
        break;
      }
      let name: string | undefined;
      if (id.next === stop) name = dict.rx[id.value - 1];
      else {
        const vl = decodeVarint(body, id.next, stop);
        if (!vl || vl.next + vl.value > stop) {
          malformed = true;
          break;
        }
        name = body.subarray(vl.next, vl.next + vl.value).toString('latin1');
        dict.rx[id.value - 1] = name;
      }
      p = stop;
      if (name !== undefined && keep) e.data[i] = name;
      continue;
    }
    if (keep) e.data[i] = def.std === 'sint' ? v | 0 : def.std === 'uint' ? v >>> 0 : v;
  }
  if (e) {
    table.touchRemote(e, now + expire);
    table.release(e);
  }
  if (malformed) return null;
  return updateId !== undefined ? { updateId } : {};
}
