// "show table", "clear table" and "set table" (cli_parse_table_req / cli_io_handler_table in src/stick_table.c),
// answering as HAProxy 2.6 does. An entry's address, which HAProxy prints first, is a made-up but stable one.
import { DATA_TYPES, dataTypeIndex, resolveDataTypeName } from '../stick/data-types.ts';
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import { cliKey, keyText } from '../stick/table-key.ts';
import { readFreqCtr } from '../stick/freq-ctr.ts';

type Action = 'show' | 'clear' | 'set';

const OPS = ['eq', 'ne', 'le', 'ge', 'lt', 'gt'] as const;
type Op = (typeof OPS)[number];

// strl2llrc(): an optional sign then digits only.
const INTEGER = /^[+-]?\d+$/;

/** What the table commands need from the engine: the tables in HAProxy's list order (last declared first). */
export interface TableSource {
  tables(): readonly StickTable[];
  /** The operator level or above may dump entries. */
  readonly canSeeEntries: boolean;
}

// Entries get addresses in the order `show table` first meets them, like a pool's (only their shape matters);
// each table counts its own, so what one engine shows never depends on another in the same process.
const addresses = new WeakMap<StickEntry, string>();
const nextAddress = new WeakMap<StickTable, number>();
function address(t: StickTable, e: StickEntry): string {
  let a = addresses.get(e);
  if (!a) {
    const n = nextAddress.get(t) ?? 0x55d0c0a1c000;
    a = `0x${n.toString(16)}`;
    nextAddress.set(t, n + 0x100);
    addresses.set(e, a);
  }
  return a;
}

function head(t: StickTable): string {
  return `# table: ${t.name}, type: ${t.spec.type}, size:${t.spec.size}, used:${t.current}\n`;
}

// table_dump_entry_to_buffer()
function entryLine(t: StickTable, e: StickEntry): string {
  const now = t.now();
  const exp = e.expire - now > 0 ? e.expire - now : 0;
  let line = `${address(t, e)}: key=${keyText(e.key, t.spec.type)} use=${e.refCnt} exp=${exp}`;
  for (const stored of [...t.spec.store.values()].sort((a, b) => a.index - b.index)) {
    const def = DATA_TYPES[stored.index]!;
    if (def.array) {
      const us = def.name.indexOf('_');
      const pfx = us < 0 ? def.name : def.name.slice(0, us);
      const sfx = us < 0 ? '' : def.name.slice(us);
      const n = stored.count ?? 1;
      for (let i = 0; i < n; i++) {
        const v = t.element(e, stored.index, i);
        const value = typeof v === 'number' ? v : v ? readFreqCtr(v, now, stored.period ?? 0) : 0;
        line += def.delay ? ` ${pfx}${i}${sfx}(${stored.period ?? 0})=${value}` : ` ${pfx}${i}${sfx}=${value}`;
      }
      continue;
    }
    const name = def.delay ? `${def.name}(${stored.period ?? 0})` : def.name;
    if (def.std === 'dict') {
      const v = e.data[stored.index];
      line += ` ${name}=${typeof v === 'string' ? v : '-'}`;
    } else line += ` ${name}=${t.value(e, stored.index)}`;
  }
  return `${line}\n`;
}

interface Filter {
  readonly type: number;
  readonly op: Op;
  readonly value: number;
}

function keep(t: StickTable, e: StickEntry, filters: readonly Filter[]): boolean {
  for (const f of filters) {
    const data = t.value(e, f.type);
    const v = f.value;
    const skip =
      (data < v && (f.op === 'eq' || f.op === 'gt' || f.op === 'ge')) ||
      (data === v && (f.op === 'ne' || f.op === 'gt' || f.op === 'lt')) ||
      (data > v && (f.op === 'eq' || f.op === 'lt' || f.op === 'le'));
    if (skip) return false;
  }
  return true;
}

const ERR_ARGS: Record<Action, string> = {
  show: 'Optional argument only supports "data.<store_data_type>" <operator> <value> and key <key>\n',
  clear: 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n',
  set: 'Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n',
};

/** Runs "show|clear|set table ..." (args as split by the CLI) and returns what HAProxy prints. */
export function runTableCommand(args: readonly string[], src: TableSource): string {
  const action = args[0] as Action;
  const arg = (i: number): string => args[i] ?? '';
  const all = src.tables();
  if (arg(2) === '') {
    if (action !== 'show') return ERR_ARGS[action];
    return all.map(head).join('');
  }
  const t = all.find((x) => x.name === arg(2));
  if (!t) return 'No such table\n';
  if (arg(3) === 'key') return byKey(t, action, args, src);
  if (arg(3).startsWith('data.')) {
    if (action !== 'show' && action !== 'clear') return 'content-based lookup is only supported with the "show" and "clear" actions\n';
    const filters: Filter[] = [];
    let i = 0;
    // up to STKTABLE_FILTER_LEN (4) filters
    for (; i < 4; i++) {
      if (i > 0 && arg(3 + 3 * i) === '') break;
      const type = dataTypeIndex(resolveDataTypeName(arg(3 + 3 * i).slice(5)));
      if (type < 0) return `Filter entry #${i + 1}: Unknown data type\n`;
      if (!t.stores(type)) return `Filter entry #${i + 1}: Data type not stored in this table\n`;
      const op = arg(4 + 3 * i) as Op;
      if (!OPS.includes(op)) return `Filter entry #${i + 1}: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n`;
      const v = arg(5 + 3 * i);
      if (!INTEGER.test(v)) return `Filter entry #${i + 1}: Require a valid integer value to compare against\n`;
      filters.push({ type, op, value: Number(v) });
    }
    if (arg(3 + 3 * i) !== '') return `Detected extra data in filter, ${3 + 3 * i + 1}th word of input, after '${arg(2 + 3 * i)}'\n`;
    return dump(t, action, filters, src);
  }
  if (arg(3) !== '') return ERR_ARGS[action];
  return dump(t, action, [], src);
}

function dump(t: StickTable, action: Action, filters: readonly Filter[], src: TableSource): string {
  let out = action === 'show' ? head(t) : '';
  if (action === 'show' && !src.canSeeEntries) return `${out}# contents not dumped due to insufficient privileges\n`;
  if (!src.canSeeEntries) return out;
  for (const e of t.sorted()) {
    const kept = keep(t, e, filters);
    if (action === 'show') {
      if (kept) out += entryLine(t, e);
    } else if (kept) t.kill(e);
  }
  return out;
}

function byKey(t: StickTable, action: Action, args: readonly string[], src: TableSource): string {
  const text = args[4] ?? '';
  if (text === '') return 'Key value expected\n';
  if (t.spec.type === 'binary') {
    if (action === 'show') return 'Showing keys from tables of type other than ip, ipv6, string and integer is not supported\n';
    if (action === 'clear') return 'Removing keys from tables of type other than ip, ipv6, string and integer is not supported\n';
    return 'Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n';
  }
  const key = cliKey(text, t.spec.type, t.spec.keySize);
  if ('error' in key) return key.error;
  if (!src.canSeeEntries) return '';
  if (action === 'show') {
    const e = t.lookup(key);
    return e ? head(t) + entryLine(t, e) : '';
  }
  if (action === 'clear') {
    const e = t.lookup(key);
    if (!e) return '';
    return t.kill(e) ? '' : 'Entry currently in use, cannot remove\n';
  }
  const e = t.getEntry(key);
  if (!e) return 'Unable to allocate a new entry\n';
  let out = '';
  for (let i = 5; (args[i] ?? '') !== ''; i += 2) {
    const w = args[i]!;
    if (!w.startsWith('data.')) {
      out = '"data.<type>" followed by a value expected\n';
      break;
    }
    const type = dataTypeIndex(resolveDataTypeName(w.slice(5)));
    if (type < 0) {
      out = 'Unknown data type\n';
      break;
    }
    if (!t.stores(type)) {
      out = 'Data type not stored in this table\n';
      break;
    }
    const v = args[i + 1] ?? '';
    if (!INTEGER.test(v)) {
      out = 'Require a valid integer value to store\n';
      break;
    }
    t.setFromCli(e, type, Number(v));
  }
  t.touch(e, true);
  return out;
}
