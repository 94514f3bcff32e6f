// The tracked-counter fetches (src/stick_table.c): sc_*(N[,table]), sc0_*/sc1_*/sc2_*([table]) read the entry a
// track-sc rule tracks; src_*([table]) look the client's address up; table_avl/table_cnt count entries. An
// untracked counter gives no sample; a tracked entry whose table does not store the data gives none either; an
// address with no entry reads 0. The *_inc_*/*_clr_* ones change the entry (src_* make it when missing).
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import type { SampleContext } from '../context.ts';
import { dataTypeIndex } from '../../stick/data-types.ts';
import type { FreqCtr } from '../../stick/freq-ctr.ts';
import { readFreqCtr, updateFreqCtr } from '../../stick/freq-ctr.ts';
import type { StickEntry, StickTable } from '../../stick/stick-table.ts';
import { sampleToKey } from '../../stick/table-key.ts';
import { MAX_SESS_STKCTR } from '../../stick/trackers.ts';

/** What a counter fetch works on: a table and maybe an entry; `src` when it came from a src_* lookup. */
interface Located {
  readonly table: StickTable;
  readonly entry: StickEntry | undefined;
  readonly src: boolean;
}

type Form = { readonly kind: 'sc'; readonly num: number | 'arg' } | { readonly kind: 'src' };

/** The table a name argument means: the proxy's own when empty (smp_resolve_args). */
export function tableOf(ctx: SampleContext, name: string): StickTable | undefined {
  return ctx.stick?.tables.get(name);
}

/** The client's address as a key of `table`. */
export function srcKey(ctx: SampleContext, table: StickTable): Buffer | undefined {
  return sampleToKey(ctx.src, 'ip', table.spec.type, table.spec.keySize);
}

// smp_fetch_sc_stkctr(): args are the fetch's own after any leading index argument.
function locate(form: Form, args: readonly ArgValue[], proxy: string): (ctx: SampleContext) => Located | undefined {
  if (form.kind === 'src') {
    const name = typeof args[0] === 'string' && args[0] !== '' ? args[0] : proxy;
    return (ctx) => {
      const table = tableOf(ctx, name);
      if (!table) return undefined;
      const key = srcKey(ctx, table);
      if (!key) return undefined;
      return { table, entry: table.lookup(key), src: true };
    };
  }
  const num = form.num === 'arg' ? Number(args[0] ?? 0) : form.num;
  const alt = args[form.num === 'arg' ? 1 : 0];
  const altName = typeof alt === 'string' && alt !== '' ? alt : undefined;
  return (ctx) => {
    if (num < 0 || num >= MAX_SESS_STKCTR) return undefined;
    const ctr = ctx.stick?.ctrs?.[num];
    if (!ctr) return undefined;
    if (altName === undefined) return { table: ctr.table, entry: ctr.entry, src: false };
    // another table: the same key looked up there
    const table = tableOf(ctx, altName);
    return table ? { table, entry: table.lookup(ctr.entry.key), src: false } : undefined;
  };
}

/** A reading of one entry: a number, or undefined when the table does not store that data (no sample). */
type Read = (table: StickTable, entry: StickEntry, idx: number) => number | undefined;

const D = dataTypeIndex;
const GPC = D('gpc');
const GPT = D('gpt');
const GPC_RATE = D('gpc_rate');

const counter = (name: string): Read => {
  const i = D(name);
  return (t, e) => t.counter(e, i);
};
const rate = (name: string): Read => {
  const i = D(name);
  return (t, e) => t.rate(e, i);
};
// gpc0/gpc1/gpt0 fall back on the arrays' element 0/1
const withArray = (name: string, array: number, element: number): Read => {
  const i = D(name);
  return (t, e) => {
    if (t.stores(i)) return t.rate(e, i) ?? t.counter(e, i);
    return arrayValue(t, e, array, element);
  };
};
function arrayValue(t: StickTable, e: StickEntry, array: number, element: number): number | undefined {
  if (!t.stores(array)) return undefined;
  const v = t.element(e, array, element);
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : readFreqCtr(v, t.now(), t.period(array));
}
const kbytes = (name: string): Read => {
  const i = D(name);
  return (t, e) => {
    const v = t.counter(e, i);
    return v === undefined ? undefined : Math.floor(v / 1024);
  };
};

// The plain readers, by the name after "sc_", "scN_" or "src_".
const READERS: Record<string, Read> = {
  bytes_in_rate: rate('bytes_in_rate'),
  bytes_out_rate: rate('bytes_out_rate'),
  conn_cnt: counter('conn_cnt'),
  conn_cur: counter('conn_cur'),
  conn_rate: rate('conn_rate'),
  get_gpt0: withArray('gpt0', GPT, 0),
  get_gpc0: withArray('gpc0', GPC, 0),
  get_gpc1: withArray('gpc1', GPC, 1),
  gpc0_rate: withArray('gpc0_rate', GPC_RATE, 0),
  gpc1_rate: withArray('gpc1_rate', GPC_RATE, 1),
  http_err_cnt: counter('http_err_cnt'),
  http_err_rate: rate('http_err_rate'),
  http_fail_cnt: counter('http_fail_cnt'),
  http_fail_rate: rate('http_fail_rate'),
  http_req_cnt: counter('http_req_cnt'),
  http_req_rate: rate('http_req_rate'),
  kbytes_in: kbytes('bytes_in_cnt'),
  kbytes_out: kbytes('bytes_out_cnt'),
  sess_cnt: counter('sess_cnt'),
  sess_rate: rate('sess_rate'),
};

// Indexed readers: sc_get_gpt(idx, N), sc_get_gpc(idx, N), sc_gpc_rate(idx, N).
const INDEXED: Record<string, number> = { get_gpt: GPT, get_gpc: GPC, gpc_rate: GPC_RATE };

/** The value of a located counter fetch: no sample when untracked or not stored, 0 for an address with no entry. */
function readFetch(loc: (ctx: SampleContext) => Located | undefined, read: Read, idx: number): FetchFn {
  return (ctx, visit) => {
    const l = loc(ctx);
    if (!l) return false;
    if (!l.entry) return visit(0);
    const v = read(l.table, l.entry, idx);
    return v !== undefined && visit(v);
  };
}

// sc_inc_gpc0 / sc_inc_gpc1 / sc_inc_gpc(idx): the rate first (the value is then the rate's current count),
// then the counter (the value is its new count); a src_* form makes the entry when it is missing.
function incFetch(loc: (ctx: SampleContext) => Located | undefined, slot: GpcSlot): FetchFn {
  return (ctx, visit) => {
    const l = loc(ctx);
    if (!l) return false;
    let entry = l.entry;
    let made = false;
    if (!entry && l.src) {
      const key = srcKey(ctx, l.table);
      entry = key ? l.table.getEntry(key) : undefined;
      made = entry !== undefined;
    }
    if (!entry) return visit(0);
    const out = bumpGpc(l.table, entry, slot);
    if (made) l.table.release(entry);
    return visit(out);
  };
}

/** Where an inc/clr fetch works: gpc0/gpc1 (and their rates) when stored, else the arrays' element. */
interface GpcSlot {
  readonly counter?: number;
  readonly rate?: number;
  readonly element: number;
}

function bumpGpc(t: StickTable, e: StickEntry, slot: GpcSlot): number {
  let out = 0;
  let any = false;
  const rateIdx = slot.rate !== undefined && t.stores(slot.rate) ? slot.rate : GPC_RATE;
  const r = t.stores(rateIdx) ? t.element(e, rateIdx, rateIdx === GPC_RATE ? slot.element : 0) : undefined;
  if (r !== undefined && typeof r === 'object') {
    updateFreqCtr(r as FreqCtr, t.now(), t.period(rateIdx), 1);
    out = (r as FreqCtr).currCtr;
    any = true;
  }
  if (slot.counter !== undefined && t.stores(slot.counter)) {
    out = ((t.counter(e, slot.counter) ?? 0) + 1) >>> 0;
    t.set(e, slot.counter, out);
    any = true;
  } else if (t.stores(GPC)) {
    const arr = e.data[GPC] as number[];
    if (slot.element < arr.length) {
      arr[slot.element] = (arr[slot.element]! + 1) >>> 0;
      out = arr[slot.element]!;
      any = true;
    }
  }
  if (any) t.touch(e);
  return out;
}

// sc_clr_gpc0 / sc_clr_gpc1 / sc_clr_gpc(idx): the old value, the counter set to 0.
function clrFetch(loc: (ctx: SampleContext) => Located | undefined, slot: GpcSlot): FetchFn {
  return (ctx, visit) => {
    const l = loc(ctx);
    if (!l) return false;
    let entry = l.entry;
    let made = false;
    if (!entry && l.src) {
      const key = srcKey(ctx, l.table);
      entry = key ? l.table.getEntry(key) : undefined;
      made = entry !== undefined;
    }
    if (!entry) return visit(0);
    const t = l.table;
    let old: number | undefined;
    if (slot.counter !== undefined && t.stores(slot.counter)) {
      old = t.counter(entry, slot.counter) ?? 0;
      t.set(entry, slot.counter, 0);
    } else if (t.stores(GPC)) {
      const arr = entry.data[GPC] as number[];
      if (slot.element < arr.length) {
        old = arr[slot.element]!;
        arr[slot.element] = 0;
      }
    }
    if (old === undefined) {
      if (made) t.release(entry);
      return false;
    }
    t.touch(entry, made);
    return visit(old);
  };
}

const GPC0_SLOT: GpcSlot = { counter: D('gpc0'), rate: D('gpc0_rate'), element: 0 };
const GPC1_SLOT: GpcSlot = { counter: D('gpc1'), rate: D('gpc1_rate'), element: 1 };

function def(name: string, form: Form, tail: string): FetchDef {
  const indexed = tail in INDEXED || tail === 'inc_gpc' || tail === 'clr_gpc';
  // sc_*: (N[,table]); scN_*: ([table]); src_*: ([table]); the indexed ones take the array index first
  const base: FetchDef['args'] = form.kind === 'src' ? ['tab'] : form.num === 'arg' ? ['sint', 'tab'] : ['tab'];
  const args: FetchDef['args'] = indexed ? ['sint', ...base] : base;
  // src_* name their table mandatorily (ARG1(1,TAB)): written empty or left out, it is the section's own, resolved
  // at load (haproxy -c refuses src_conn_cnt in a section without a table); sc*_ leave it optional (the tracked one)
  const minArgs = (indexed ? 1 : 0) + (form.kind === 'sc' && form.num === 'arg' ? 1 : 0) + (form.kind === 'src' ? 1 : 0);
  return {
    name,
    outType: tail === 'tracked' ? 'bool' : 'int',
    args,
    minArgs,
    source: form.kind === 'src' ? 'l4' : 'const',
    compile(a: readonly ArgValue[], proxy: string): FetchFn {
      const element = indexed ? Number(a[0] ?? 0) : undefined;
      const loc = locate(form, indexed ? a.slice(1) : a, proxy);
      if (tail === 'tracked') return (ctx, visit) => visit(loc(ctx) !== undefined);
      if (tail === 'trackers') {
        return (ctx, visit) => {
          const l = loc(ctx);
          return l !== undefined && visit(l.entry ? l.entry.refCnt : 0);
        };
      }
      if (tail === 'inc_gpc0') return incFetch(loc, GPC0_SLOT);
      if (tail === 'inc_gpc1') return incFetch(loc, GPC1_SLOT);
      if (tail === 'inc_gpc') return incFetch(loc, { element: element ?? 0 });
      if (tail === 'clr_gpc0') return clrFetch(loc, GPC0_SLOT);
      if (tail === 'clr_gpc1') return clrFetch(loc, GPC1_SLOT);
      if (tail === 'clr_gpc') return clrFetch(loc, { element: element ?? 0 });
      if (tail in INDEXED) {
        const array = INDEXED[tail]!;
        return readFetch(loc, (t, e, i) => arrayValue(t, e, array, i), element ?? 0);
      }
      return readFetch(loc, READERS[tail]!, 0);
    },
  };
}

// The src_updt_conn_cnt fetch: the client's entry made when missing, its conn_cnt counted up.
const srcUpdtConnCnt: FetchDef = {
  name: 'src_updt_conn_cnt', outType: 'int', args: ['tab'], minArgs: 1, source: 'l4',
  compile(a, proxy): FetchFn {
    const name = typeof a[0] === 'string' && a[0] !== '' ? a[0] : proxy;
    const cnt = D('conn_cnt');
    return (ctx, visit) => {
      const table = tableOf(ctx, name);
      const key = table ? srcKey(ctx, table) : undefined;
      const e = table && key ? table.getEntry(key) : undefined;
      if (!table || !e) return false;
      if (!table.stores(cnt)) {
        table.release(e);
        return false;
      }
      const v = (table.counter(e, cnt) ?? 0) + 1;
      table.set(e, cnt, v);
      table.touch(e, true);
      return visit(v);
    };
  },
};

function tableCount(name: 'table_avl' | 'table_cnt'): FetchDef {
  return {
    name, outType: 'int', args: ['tab'], minArgs: 1, source: 'const',
    compile(a, proxy): FetchFn {
      const table = typeof a[0] === 'string' && a[0] !== '' ? a[0] : proxy;
      return (ctx, visit) => {
        const t = tableOf(ctx, table);
        if (!t) return false;
        return visit(name === 'table_cnt' ? t.current : t.spec.size - t.current);
      };
    },
  };
}

const SC_TAILS = [...Object.keys(READERS), 'inc_gpc0', 'inc_gpc1', 'clr_gpc0', 'clr_gpc1', 'tracked', 'trackers'];
// HAProxy 2.6 registers the indexed forms for sc_ and src_ only (and sc1_clr_gpc, as its table has it)
const INDEXED_TAILS = [...Object.keys(INDEXED), 'inc_gpc', 'clr_gpc'];

function all(): FetchDef[] {
  const out: FetchDef[] = [];
  for (const t of [...SC_TAILS, ...INDEXED_TAILS]) out.push(def(`sc_${t}`, { kind: 'sc', num: 'arg' }, t));
  for (let n = 0; n < MAX_SESS_STKCTR; n++) for (const t of SC_TAILS) out.push(def(`sc${n}_${t}`, { kind: 'sc', num: n }, t));
  out.push(def('sc1_clr_gpc', { kind: 'sc', num: 1 }, 'clr_gpc'));
  for (const t of [...SC_TAILS, ...INDEXED_TAILS]) {
    if (t === 'tracked' || t === 'trackers') continue;
    out.push(def(`src_${t}`, { kind: 'src' }, t));
  }
  out.push(srcUpdtConnCnt, tableCount('table_avl'), tableCount('table_cnt'));
  return out;
}

export const stickCounterFetches: readonly FetchDef[] = all();
