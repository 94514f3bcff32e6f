// Converters an ACL may chain after its fetch ("hdr(host),lower,field(1,:)"), as HAProxy's src/sample.c does:
// each takes a sample and gives another, or undefined when it fails (the expression then stops there).
import type { ArgType, ArgValue, SampleType, SampleValue } from './sample.ts';
import type { SampleScope } from './scope.ts';
import type { SampleContext } from './context.ts';
import { castSample } from './cast.ts';
import { lackingConverter } from './lacking.ts';
import { TEXT_CONVERTERS } from './converters-text.ts';
import { HASH_CONVERTERS } from './converters-hash.ts';
import { ADDR_CONVERTERS } from './converters-addr.ts';
import { JSON_CONVERTERS } from './converters-json.ts';
import { TIME_CONVERTERS } from './converters-time.ts';
import { MAP_CONVERTERS } from './map-converters.ts';
import { getVar, parseVarConditions, parseVarName, setVarIf, typeOfValue, unsetVar, type VarCondition, type VarName } from './vars.ts';
import { TABLE_CONVERTERS } from './table-converters.ts';
import { STATE_CONVERTERS } from './converters-state.ts';
import { FIX_CONVERTERS } from './converters-fix.ts';
import { PROTOBUF_CONVERTERS } from './converters-protobuf.ts';
import { MQTT_CONVERTERS } from './converters-mqtt.ts';
import { addInt, divInt, modInt, mulInt, negInt, readInt64At, subInt, toBigInt, wrap64, type Int } from './int64.ts';

export interface ConverterDef {
  readonly name: string;
  readonly inType: SampleType;
  readonly outType: SampleType;
  readonly args: readonly ArgType[];
  readonly minArgs: number;
  /** Checks the arguments once (HAProxy's val_args); an error message or null. */
  readonly validate?: (args: readonly ArgValue[], scope: SampleScope) => string | null;
  /** The context is the one the expression runs in (set-var and arithmetic on a variable read it). */
  compile(args: readonly ArgValue[], scope: SampleScope): (v: SampleValue, ctx: SampleContext) => SampleValue | undefined;
  /** HAProxy has it and the engine does not: it loads, always fails, and the config reader warns (lacking.ts). */
  readonly lacking?: true;
  /** 'any' when the result's type is known only at run time (protobuf's integers under a declared bin). */
  readonly runOutType?: 'any';
}

const isSep = (seps: string, c: string): boolean => seps.includes(c);

// sample_conv_field: the idx-th field (from the end when negative), `count` fields long (0 = to the end).
function field(s: string, idx: number, seps: string, count0: number): string | undefined {
  let count = count0;
  if (idx > 0) {
    let f = 1;
    let start = 0;
    let end = 0;
    for (; end < s.length; end++) {
      if (!isSep(seps, s[end]!)) continue;
      if (f === idx) {
        if (count === 1) return s.slice(start, end);
        if (count > 1) count--;
      } else {
        start = end + 1;
        f++;
      }
    }
    return f === idx ? s.slice(start, end) : undefined;
  }
  let f = -1;
  let start = s.length;
  let end = s.length;
  for (; start > 0; start--) {
    if (!isSep(seps, s[start - 1]!)) continue;
    if (f === idx) {
      if (count === 1) return s.slice(start, end);
      if (count > 1) count--;
    } else {
      end = start - 1;
      f--;
    }
  }
  return f === idx ? s.slice(start, end) : undefined;
}

// sample_conv_word: like field, but runs of separators count as one and an absent word is an empty string.
function word(s: string, idx: number, seps: string, count0: number): string {
  let count = count0;
  let w = 0;
  let inWord = false;
  if (idx > 0) {
    let start = 0;
    let end = 0;
    for (; end < s.length; end++) {
      const sep = isSep(seps, s[end]!);
      if (!inWord) {
        if (!sep) {
          if (w !== idx) {
            w++;
            start = end;
          }
          inWord = true;
        }
      } else if (sep) {
        if (w === idx) {
          if (count === 1) return s.slice(start, end);
          if (count > 1) count--;
        }
        inWord = false;
      }
    }
    return w === idx ? s.slice(start, end) : '';
  }
  let start = s.length;
  let end = s.length;
  for (; start > 0; start--) {
    const sep = isSep(seps, s[start - 1]!);
    if (!inWord) {
      if (!sep) {
        if (w !== idx) {
          w--;
          end = start;
        }
        inWord = true;
      }
    } else if (sep) {
      if (w === idx) {
        if (count === 1) return s.slice(start, end);
        if (count > 1) count--;
      }
      inWord = false;
    }
  }
  return w === idx ? s.slice(start, end) : '';
}

const checkField = (a: readonly ArgValue[]): string | null =>
  a[0] === 0 ? 'Unexpected value 0 for index' : a[1] === '' ? 'Empty separators list' : null;

// An arithmetic converter's operand (check_operator in src/sample.c): an integer, or the name of a variable
// whose value is read as an int each time (an unset one, or one that is no int, fails the converter).
type Operand = { readonly n: Int } | { readonly v: VarName };

function operand(a: ArgValue): Operand | { error: string } {
  const t = String(a ?? '');
  if (/^[-+]?\d+$/.test(t)) return { n: readInt64At(t).value };
  const v = parseVarName(t);
  return 'error' in v ? v : { v };
}

function operandValue(o: Operand, ctx: SampleContext): Int | undefined {
  if ('n' in o) return o.n;
  const x = getVar(ctx.vars, o.v);
  if (x === undefined) return undefined;
  const n = castSample(x, typeOfValue(x), 'int');
  return typeof n === 'number' || typeof n === 'bigint' ? n : undefined;
}

// HAProxy's arithmetic saturates at the 64-bit limits (int64.ts).
function arith(name: string, op: (a: Int, b: Int) => Int): ConverterDef {
  return {
    name, inType: 'int', outType: 'int', args: ['str'], minArgs: 1,
    validate: (a) => {
      const o = operand(a[0]);
      return 'error' in o ? o.error : null;
    },
    compile: (a) => {
      const o = operand(a[0]) as Operand;
      return (v, ctx) => {
        const b = operandValue(o, ctx);
        return b === undefined ? undefined : op(v as Int, b);
      };
    },
  };
}

function varConverter(name: 'set-var' | 'unset-var'): ConverterDef {
  return {
    // set-var takes its conditions as further arguments (ARG12 in src/vars.c)
    name, inType: 'any', outType: 'any', args: name === 'set-var' ? Array<'str'>(12).fill('str') : ['str'], minArgs: 1,
    validate: (a) => {
      const v = parseVarName(String(a[0] ?? ''));
      if ('error' in v) return v.error;
      const conds = parseVarConditions(a.slice(1).filter((x) => x !== undefined).map(String));
      return 'error' in conds ? conds.error : null;
    },
    compile: (a) => {
      const variable = parseVarName(String(a[0] ?? '')) as VarName;
      const conds = parseVarConditions(a.slice(1).filter((x) => x !== undefined).map(String)) as ReadonlySet<VarCondition>;
      // both hand the sample on unchanged: they only store (or drop) a copy on the way
      return name === 'set-var'
        ? (v, ctx) => (setVarIf(ctx.vars, variable, v, conds) ? v : undefined)
        : (v, ctx) => {
            unsetVar(ctx.vars, variable);
            return v;
          };
    },
  };
}

const CONVERTERS: readonly ConverterDef[] = [
  arith('add', addInt),
  arith('sub', subInt),
  arith('mul', mulInt),
  arith('div', divInt),
  arith('mod', modInt),
  { name: 'neg', inType: 'int', outType: 'int', args: [], minArgs: 0, compile: () => (v) => negInt(v as Int) },
  varConverter('set-var'),
  varConverter('unset-var'),
  { name: 'lower', inType: 'str', outType: 'str', args: [], minArgs: 0, compile: () => (v) => (v as string).toLowerCase() },
  { name: 'upper', inType: 'str', outType: 'str', args: [], minArgs: 0, compile: () => (v) => (v as string).toUpperCase() },
  { name: 'length', inType: 'str', outType: 'int', args: [], minArgs: 0, compile: () => (v) => (v as string).length },
  {
    name: 'field', inType: 'str', outType: 'str', args: ['sint', 'str', 'sint'], minArgs: 2, validate: checkField,
    compile: (a) => {
      const idx = a[0] as number;
      const seps = a[1] as string;
      const count = typeof a[2] === 'number' ? a[2] : 1;
      return (v) => field(v as string, idx, seps, count);
    },
  },
  {
    name: 'word', inType: 'str', outType: 'str', args: ['sint', 'str', 'sint'], minArgs: 2, validate: checkField,
    compile: (a) => {
      const idx = a[0] as number;
      const seps = a[1] as string;
      const count = typeof a[2] === 'number' ? a[2] : 1;
      return (v) => word(v as string, idx, seps, count);
    },
  },
];

// ltrim/rtrim(chars): the characters of the list removed from one end.
const trim = (name: string, fromStart: boolean): ConverterDef => ({
  name, inType: 'str', outType: 'str', args: ['str'], minArgs: 1, compile: (a) => {
    const chars = a[0] as string;
    return (v) => {
      const s = v as string;
      let i = 0;
      let j = s.length;
      if (fromStart) while (i < j && chars.includes(s[i]!)) i++;
      else while (j > i && chars.includes(s[j - 1]!)) j--;
      return s.slice(i, j);
    };
  },
});

const HEX_DIGIT = /^[0-9a-fA-F]*$/;

const MORE_CONVERTERS: readonly ConverterDef[] = [
  { name: 'hex', inType: 'bin', outType: 'str', args: [], minArgs: 0, compile: () => (v) => (v as Buffer).toString('hex').toUpperCase() },
  {
    // sample_conv_hex2int: a string of hex digits read as an integer; any other character fails the sample
    name: 'hex2i', inType: 'str', outType: 'int', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      return HEX_DIGIT.test(s) ? wrap64(BigInt(`0x${s || '0'}`)) : undefined;
    },
  },
  { name: 'base64', inType: 'bin', outType: 'str', args: [], minArgs: 0, compile: () => (v) => (v as Buffer).toString('base64') },
  {
    name: 'b64dec', inType: 'str', outType: 'bin', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64') : undefined;
    },
  },
  arith('and', (a, b) => wrap64(toBigInt(a) & toBigInt(b))),
  arith('or', (a, b) => wrap64(toBigInt(a) | toBigInt(b))),
  arith('xor', (a, b) => wrap64(toBigInt(a) ^ toBigInt(b))),
  { name: 'bool', inType: 'int', outType: 'bool', args: [], minArgs: 0, compile: () => (v) => v !== 0 },
  { name: 'not', inType: 'int', outType: 'bool', args: [], minArgs: 0, compile: () => (v) => v === 0 },
  trim('ltrim', true),
  trim('rtrim', false),
  {
    // bytes(offset[,length]): past the end is an empty sample; a length past the end stops at the end
    name: 'bytes', inType: 'bin', outType: 'bin', args: ['sint', 'sint'], minArgs: 1,
    compile: (a) => {
      const off = a[0] as number;
      const len = a[1] as number | undefined;
      return (v) => {
        const b = v as Buffer;
        if (off >= b.length) return Buffer.alloc(0);
        return b.subarray(off, len === undefined ? b.length : Math.min(b.length, off + len));
      };
    },
  },
];

const byName = new Map([...CONVERTERS, ...MORE_CONVERTERS, ...TEXT_CONVERTERS, ...HASH_CONVERTERS, ...ADDR_CONVERTERS, ...JSON_CONVERTERS, ...TIME_CONVERTERS, ...MAP_CONVERTERS, ...TABLE_CONVERTERS, ...STATE_CONVERTERS, ...FIX_CONVERTERS, ...PROTOBUF_CONVERTERS, ...MQTT_CONVERTERS].map((c) => [c.name, c]));

// Looks a converter up by name; one HAProxy has and the engine lacks comes as a stand-in (lacking.ts).
export function findConverter(name: string): ConverterDef | undefined {
  return byName.get(name) ?? lackingConverter(name);
}

// True when the engine itself implements the converter.
export function engineHasConverter(name: string): boolean {
  return byName.has(name);
}
