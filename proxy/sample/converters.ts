// Converters an ACL may chain after its fetch ("hdr(host),lower,field(1,:)"), as HAProxy's src/sample.c does:
// each takes a sample and gives another, or undefined when it fails (the expression then stops there).
import type { ArgType, ArgValue, SampleType, SampleValue } from './sample.ts';

export interface ConverterDef {
  readonly name: string;
  readonly inType: SampleType;
  readonly outType: SampleType;
  readonly args: readonly ArgType[];
  readonly minArgs: number;
  /** Checks the arguments once (HAProxy's val_args); an error message or null. */
  readonly validate?: (args: readonly ArgValue[]) => string | null;
  compile(args: readonly ArgValue[]): (v: SampleValue) => SampleValue | undefined;
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

const CONVERTERS: readonly ConverterDef[] = [
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

const byName = new Map(CONVERTERS.map((c) => [c.name, c]));

// Looks a converter up by name.
export function findConverter(name: string): ConverterDef | undefined {
  return byName.get(name);
}
