// One stick table while the config serves (struct stktable, src/stick_table.c): entries by key, each with the
// data its table stores, a reference count (the streams and sessions tracking it) and an expiry date. An entry
// nobody references is removed once its expiry date passes (HAProxy's expire task; here checked whenever the
// table is looked at), or the oldest ones when a full table needs room.
import { DATA_TYPES, dataTypeIndex } from './data-types.ts';
import { newFreqCtr, readFreqCtr, updateFreqCtr, type FreqCtr } from './freq-ctr.ts';
import type { StickTableSpec } from './table-spec.ts';

/** HAProxy's now_ms: milliseconds, monotonic, far from 0 (so a fresh freq_ctr's tick 0 is long past). */
export const clockMs = (): number => Math.floor(performance.timeOrigin + performance.now());

type Slot = number | FreqCtr | string | null | (number | FreqCtr)[];

export class StickEntry {
  /** Streams, sessions and commands holding it (HAProxy's ref_cnt). */
  refCnt = 0;
  /** Its latest local update number while a peers section shares the table (ts->upd.key), 0 when none. */
  upd = 0;
  expire: number;
  readonly data: Slot[] = [];
  constructor(readonly key: Buffer, readonly hex: string, spec: StickTableSpec, now: number) {
    this.expire = now + (spec.expire ?? 0);
    for (const s of spec.store.values()) {
      const def = DATA_TYPES[s.index]!;
      if (def.array) this.data[s.index] = Array.from({ length: s.count ?? 1 }, () => (def.std === 'frqp' ? newFreqCtr() : 0));
      else this.data[s.index] = def.std === 'frqp' ? newFreqCtr() : def.std === 'dict' ? null : 0;
    }
  }
}

const IDX = {
  server_id: dataTypeIndex('server_id'),
  server_key: dataTypeIndex('server_key'),
  gpt0: dataTypeIndex('gpt0'),
  gpc0: dataTypeIndex('gpc0'),
  gpc0_rate: dataTypeIndex('gpc0_rate'),
  gpc1: dataTypeIndex('gpc1'),
  gpc1_rate: dataTypeIndex('gpc1_rate'),
  gpt: dataTypeIndex('gpt'),
  gpc: dataTypeIndex('gpc'),
  gpc_rate: dataTypeIndex('gpc_rate'),
  conn_cnt: dataTypeIndex('conn_cnt'),
  conn_cur: dataTypeIndex('conn_cur'),
  conn_rate: dataTypeIndex('conn_rate'),
} as const;

export class StickTable {
  private readonly entries = new Map<string, StickEntry>();
  private nextExpire = Number.POSITIVE_INFINITY;
  /**
   * Set while a peers section shares the table: local changes are numbered (t->localupdate) and kept oldest first,
   * so that each peer pushes what follows the last update it was sent.
   */
  private sync: { onLocalUpdate: () => void } | null = null;
  localUpdate = 0;
  readonly updates = new Map<number, StickEntry>();

  constructor(readonly spec: StickTableSpec, readonly now: () => number = clockMs) {}

  get name(): string {
    return this.spec.name;
  }

  /** Entries in use (table_cnt, "used:"). */
  get current(): number {
    this.purge();
    return this.entries.size;
  }

  stores(dataType: number): boolean {
    return this.spec.store.has(dataType);
  }

  period(dataType: number): number {
    return this.spec.store.get(dataType)?.period ?? 0;
  }

  // stktable_trash_expired(): entries whose date passed and that nobody holds are removed.
  private purge(): void {
    if (this.spec.expire === undefined) return;
    const now = this.now();
    if (now < this.nextExpire) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [hex, e] of this.entries) {
      if (e.refCnt === 0 && now >= e.expire) this.drop(hex, e);
      else if (e.expire < next) next = e.expire;
    }
    this.nextExpire = next;
  }

  /** stktable_lookup_key() without taking a reference. */
  lookup(key: Buffer): StickEntry | undefined {
    this.purge();
    return this.entries.get(key.toString('hex'));
  }

  /**
   * stktable_get_entry(): the entry for key, made when missing (a full table first drops its oldest unused
   * entries, or refuses with nopurge); the caller holds one reference.
   */
  getEntry(key: Buffer): StickEntry | undefined {
    this.purge();
    const hex = key.toString('hex');
    let e = this.entries.get(hex);
    if (!e) {
      if (this.entries.size >= this.spec.size && (this.spec.nopurge || this.trashOldest((this.spec.size >> 8) + 1) === 0)) return undefined;
      e = new StickEntry(Buffer.from(key), hex, this.spec, this.now());
      this.entries.set(hex, e);
      if (e.expire < this.nextExpire && this.spec.expire !== undefined) this.nextExpire = e.expire;
    }
    e.refCnt++;
    return e;
  }

  // __stktable_trash_oldest(): unused entries, soonest expiry first.
  private trashOldest(batch: number): number {
    const victims = [...this.entries.values()].filter((e) => e.refCnt === 0).sort((a, b) => a.expire - b.expire).slice(0, batch);
    for (const v of victims) this.drop(v.hex, v);
    return victims.length;
  }

  private drop(hex: string, e: StickEntry): void {
    this.entries.delete(hex);
    if (e.upd) this.updates.delete(e.upd);
  }

  /** A peers section starts (a listener) or stops (null) sharing the table. */
  share(sync: { onLocalUpdate: () => void } | null): void {
    this.sync = sync;
  }

  /** stktable_touch_local(): the expiry date starts again; optionally drops one reference. */
  touch(e: StickEntry, decRef = false): void {
    e.expire = this.now() + (this.spec.expire ?? 0);
    if (decRef) e.refCnt--;
    if (this.sync) {
      if (e.upd) this.updates.delete(e.upd);
      e.upd = ++this.localUpdate;
      this.updates.set(e.upd, e);
      this.sync.onLocalUpdate();
    }
  }

  /** stktable_touch_remote(): a peer's update sets the expiry date it carried; it is not pushed on to other peers. */
  touchRemote(e: StickEntry, expire: number): void {
    e.expire = expire;
    if (this.spec.expire !== undefined && expire < this.nextExpire) this.nextExpire = expire;
  }

  /** stktable_release(). */
  release(e: StickEntry): void {
    e.refCnt--;
  }

  /** stksess_kill_if_expired() after dropping a reference. */
  releaseAndExpire(e: StickEntry): void {
    e.refCnt--;
    if (this.spec.expire !== undefined && e.refCnt <= 0 && this.now() >= e.expire) this.kill(e);
  }

  /** Removes an unreferenced entry; false when someone holds it (stksess_kill). */
  kill(e: StickEntry): boolean {
    if (e.refCnt > 0) return false;
    this.drop(e.hex, e);
    return true;
  }

  /** Entries in key order (HAProxy's tree order: the key bytes compared as memcmp, strings as strcmp). */
  sorted(): StickEntry[] {
    this.purge();
    return [...this.entries.values()].sort((a, b) => Buffer.compare(a.key, b.key));
  }

  /** A counter's value (uint/sint/ull), or undefined when the table does not store it. */
  counter(e: StickEntry, dataType: number): number | undefined {
    const v = e.data[dataType];
    return typeof v === 'number' ? v : undefined;
  }

  /** A rate over its period (read_freq_ctr_period), or undefined when not stored. */
  rate(e: StickEntry, dataType: number): number | undefined {
    const v = e.data[dataType];
    return v && typeof v === 'object' && !Array.isArray(v) ? readFreqCtr(v, this.now(), this.period(dataType)) : undefined;
  }

  /** Adds to a counter and/or its rate when stored; true when either was. */
  add(e: StickEntry, cnt: number, rate: number, n = 1): boolean {
    let any = false;
    if (typeof e.data[cnt] === 'number') {
      e.data[cnt] = (e.data[cnt] as number) + n;
      any = true;
    }
    const r = e.data[rate];
    if (r && typeof r === 'object' && !Array.isArray(r)) {
      updateFreqCtr(r, this.now(), this.period(rate), n);
      any = true;
    }
    return any;
  }

  /** Sets a counter; true when stored. */
  set(e: StickEntry, dataType: number, value: number): boolean {
    if (typeof e.data[dataType] !== 'number') return false;
    e.data[dataType] = value;
    return true;
  }

  /** "set table ... data.X V": a counter takes V, a rate reads V for a whole period then fades. */
  setFromCli(e: StickEntry, dataType: number, value: number): void {
    const def = DATA_TYPES[dataType]!;
    const v = e.data[dataType];
    if (def.std === 'frqp' && v && typeof v === 'object' && !Array.isArray(v)) {
      v.currTick = this.now();
      v.prevCtr = 0;
      v.currCtr = value >>> 0;
    } else if (def.std === 'sint') e.data[dataType] = value | 0;
    else if (def.std === 'uint') e.data[dataType] = value >>> 0;
    else if (def.std === 'ull') e.data[dataType] = value;
  }

  /** The gpc/gpt array element idx, or the gpc0/gpc1/gpt0 it stands for. */
  element(e: StickEntry, dataType: number, idx: number): number | FreqCtr | undefined {
    const v = e.data[dataType];
    if (Array.isArray(v)) return v[idx];
    return v === null || typeof v === 'string' ? undefined : v;
  }

  /** The value "show table" filters compare and prints for one stored type. */
  value(e: StickEntry, dataType: number): number {
    const v = e.data[dataType];
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object' && !Array.isArray(v)) return readFreqCtr(v, this.now(), this.period(dataType));
    return 0;
  }

  /** Conn counters at the start of tracking (stream_start_counters): conn_cur, conn_cnt, conn_rate, expiry. */
  startCounters(e: StickEntry): void {
    if (typeof e.data[IDX.conn_cur] === 'number') (e.data[IDX.conn_cur] as number)++;
    this.add(e, IDX.conn_cnt, IDX.conn_rate);
    this.touch(e);
  }

  /** conn_cur down by one at the end of tracking (stream/session_store_counters), then the reference dropped. */
  stopCounters(e: StickEntry): void {
    const c = e.data[IDX.conn_cur];
    if (typeof c === 'number') {
      if (c > 0) e.data[IDX.conn_cur] = c - 1;
      this.touch(e);
    }
    this.releaseAndExpire(e);
  }

  /** The stored server id (stick rules), or undefined. */
  serverId(e: StickEntry): number | undefined {
    return this.counter(e, IDX.server_id);
  }

  /** Stores the server a stick rule chose: its id and its name (server_key, srvkey name). */
  storeServer(e: StickEntry, id: number, name: string): void {
    if (typeof e.data[IDX.server_id] === 'number') e.data[IDX.server_id] = id;
    if (this.spec.store.has(IDX.server_key)) e.data[IDX.server_key] = name;
  }

  /** Removes every entry nobody holds ("clear table NAME"); the ones in use stay. */
  clearUnused(keep: (e: StickEntry) => boolean = () => false): void {
    for (const e of this.sorted()) if (!keep(e)) this.kill(e);
  }
}

export { IDX as DATA_INDEX };
