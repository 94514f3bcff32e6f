// "stick-table type ... size N [expire T] [nopurge] [store ...]" as parse_stick_table() (src/stick_table.c) reads
// it, with its messages. The table is named after the proxy it is declared in, or "PEERS/NAME" in a peers section.
import type { SourceLoc } from '../config/diagnostics.ts';
import { parseTime } from '../config/units.ts';
import { DATA_TYPES, dataTypeIndex, resolveDataTypeName } from './data-types.ts';

export type TableKeyType = 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';

/** One stored data type: its index in DATA_TYPES, its period (rates), its element count (arrays). */
export interface StoredData {
  readonly index: number;
  readonly period?: number;
  readonly count?: number;
}

export interface StickTableSpec {
  readonly name: string;
  readonly type: TableKeyType;
  /** Key bytes: 4 for ip/integer, 16 for ipv6, len+1 for strings (their NUL), len for binary (32 by default). */
  readonly keySize: number;
  readonly size: number;
  /** Milliseconds; undefined: entries never expire. */
  readonly expire?: number;
  readonly nopurge: boolean;
  /** By data type index (the order "show table" prints). Mutable until the config is frozen: stick rules add server_id. */
  readonly store: Map<number, StoredData>;
  readonly loc: SourceLoc;
  /** The section that declares it (HAProxy's messages name its kind). */
  readonly proxyKind: 'frontend' | 'backend' | 'listen' | 'peers';
  /** "peers NAME": the peers section the table is shared with. */
  readonly peers?: string;
}

const DEFAULT_KEY_SIZE: Record<TableKeyType, number> = { ip: 4, ipv6: 16, integer: 4, string: 32, binary: 32 };

/** A warning to report, or the table; an error string ends the parse (HAProxy's ERR_FATAL). */
export type TableParse = { table: StickTableSpec; warnings: string[] } | { error: string; tight?: boolean };

/** parse_size_err(): digits then an optional k/m/g (powers of 1024); the bad character, else the value. */
export function parseSize(text: string): { value: number } | { bad: string } {
  const m = /^(\d+)(.?)(.*)$/.exec(text);
  if (!m) return { bad: text[0] ?? '' };
  let v = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === 'k') v *= 1024;
  else if (unit === 'm') v *= 1024 * 1024;
  else if (unit === 'g') v *= 1024 * 1024 * 1024;
  else if (unit !== '') return { bad: m[2]! };
  if (m[3] !== '' && unit !== '') return { bad: m[3]![0]! };
  if (v > 0xffffffff) return { bad: text[0]! };
  return { value: v };
}

// Splits one "store" word the way parse_stick_table does: commas between options, "(a,b)" arguments kept whole.
function splitStore(word: string): { name: string; args: string[]; unclosed: boolean }[] {
  const out: { name: string; args: string[]; unclosed: boolean }[] = [];
  let i = 0;
  while (i < word.length) {
    let name = '';
    let args: string[] = [];
    let unclosed = false;
    while (i < word.length && word[i] !== ',') {
      if (word[i] === '(') {
        const close = word.indexOf(')', i);
        if (close < 0) {
          unclosed = true;
          i = word.length;
          break;
        }
        args = word.slice(i + 1, close).split(',').slice(0, 2);
        i = close + 1;
        continue;
      }
      name += word[i];
      i++;
    }
    out.push({ name, args, unclosed });
    if (unclosed) break;
    i++;
  }
  return out;
}

/** Reads args[1..] of a stick-table line for the proxy `name`. */
export function parseStickTable(args: readonly string[], name: string, loc: SourceLoc, proxyKind: StickTableSpec['proxyKind']): TableParse {
  const kw = args[0]!;
  const arg = (i: number): string => args[i] ?? '';
  let type: TableKeyType | undefined;
  let keySize = 0;
  let size = 0;
  let expire: number | undefined;
  let nopurge = false;
  let peers: string | undefined;
  const store = new Map<number, StoredData>();
  const warnings: string[] = [];
  let i = 1;
  while (arg(i) !== '') {
    const w = arg(i);
    if (w === 'size') {
      i++;
      if (arg(i) === '') return { error: `${kw}: missing argument after '${w}'.` };
      const s = parseSize(arg(i));
      if ('bad' in s) return { error: `${kw}: unexpected character '${s.bad}' in argument of '${w}'.` };
      size = s.value;
      i++;
    } else if (w === 'peers') {
      i++;
      if (arg(i) === '') return { error: `${kw}: missing argument after '${w}'.` };
      peers = arg(i);
      i++;
    } else if (w === 'expire') {
      i++;
      if (arg(i) === '') return { error: `${kw}: missing argument after '${w}'.` };
      const t = parseTime(arg(i));
      if (!t.ok) {
        if ('overflow' in t) {
          return { error: `${kw}: timer overflow in argument <${arg(i)}> to <${w}>, maximum value is 2147483647 ms (~24.8 days).`, tight: true };
        }
        return { error: `${kw}: unexpected character '${t.badChar}' in argument of '${w}'.` };
      }
      expire = t.ms;
      i++;
    } else if (w === 'nopurge') {
      nopurge = true;
      i++;
    } else if (w === 'type') {
      i++;
      const t = arg(i) as TableKeyType;
      if (!(t in DEFAULT_KEY_SIZE)) return { error: `${kw}: unknown type '${arg(i)}'.` };
      type = t;
      keySize = DEFAULT_KEY_SIZE[t];
      i++;
      if ((t === 'string' || t === 'binary') && arg(i) === 'len') {
        i++;
        const n = Number.parseInt(arg(i), 10) || 0;
        if (!n) return { error: `${kw}: unknown type '${arg(i)}'.` };
        keySize = t === 'string' ? n + 1 : n;
        i++;
      } else if (t === 'string') {
        keySize = 32;
      }
    } else if (w === 'store') {
      i++;
      for (const opt of splitStore(arg(i))) {
        if (opt.unclosed) return { error: `${kw}: missing closing parenthesis after store option '${opt.name}'.` };
        const index = dataTypeIndex(resolveDataTypeName(opt.name));
        if (index < 0) return { error: `${kw}: unknown store option '${opt.name}'.` };
        if (store.has(index)) {
          warnings.push(`${kw}: store option '${opt.name}' already enabled, ignored.`);
          continue;
        }
        const def = DATA_TYPES[index]!;
        let a = opt.args;
        let count: number | undefined;
        if (def.array) {
          if (a.length === 0) return { error: `${kw}: missing argument to store option '${opt.name}'.` };
          count = Number.parseInt(a[0]!, 10) || 0;
          if (count < 1 || count > 100) {
            return { error: `${kw}: array size is out of allowed range (1-100) for store option '${opt.name}'.` };
          }
          a = a.slice(1);
        }
        let period: number | undefined;
        if (def.delay) {
          if (a.length === 0) return { error: `${kw}: missing argument to store option '${opt.name}'.` };
          const t = parseTime(a[0]!);
          if (!t.ok) return { error: `${kw}: error when processing store option '${opt.name}'.` };
          period = t.ms;
        } else if (a.length > 0) {
          return { error: `${kw}: unexpected argument to store option '${opt.name}'.` };
        }
        store.set(index, { index, ...(period !== undefined ? { period } : {}), ...(count !== undefined ? { count } : {}) });
      }
      i++;
      const has = (n: string): boolean => store.has(dataTypeIndex(n));
      if (has('gpt') && has('gpt0')) {
        return { error: `${kw}: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.` };
      }
      if (has('gpc') && (has('gpc0') || has('gpc1'))) {
        return { error: `${kw}: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.` };
      }
      if (has('gpc_rate') && (has('gpc0_rate') || has('gpc1_rate'))) {
        return { error: `${kw}: simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.` };
      }
    } else if (w === 'srvkey') {
      i++;
      if (arg(i) !== 'name' && arg(i) !== 'addr') return { error: `${kw} : unknown server key type '${arg(i)}'.` };
      i++;
    } else {
      return { error: `${kw}: unknown argument '${w}'.` };
    }
  }
  if (!size) return { error: `${kw}: missing size.` };
  if (!type) return { error: `${kw}: missing type.` };
  return { table: { name, type, keySize, size, ...(expire !== undefined ? { expire } : {}), nopurge, store, loc, proxyKind, ...(peers !== undefined ? { peers } : {}) }, warnings };
}
