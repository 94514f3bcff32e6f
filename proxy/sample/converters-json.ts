// json_query(PATH[,int]) (src/sample.c over mjson, HAProxy 2.6): the value at a JSONPath such as
// "$.user.ids[1]". A number prints as C's "%g" (or, with "int", its integer text read by strtoll within
// ±(2^53-1)); a string comes unescaped (UTF-8 bytes); true/false are booleans; null, arrays, objects, a
// missing path and a body that is no JSON give no sample.
import type { ConverterDef } from './converters.ts';

// HAProxy reads JSON with the mjson library (src/mjson.c), which is lenient in its own ways: it stops at the
// first value found (text after it may be anything), takes the first of duplicate keys, and decodes only
// \u00XX escapes in strings. What follows is that reader's logic, in TypeScript.
const TOK_KEY = 1;
const TOK_STRING = 11;
const TOK_NUMBER = 12;
const TOK_TRUE = 13;
const TOK_FALSE = 14;
const TOK_NULL = 15;
const MAX_DEPTH = 20;
const isValue = (t: number): boolean => t > 10 && t < 20;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const ESC_CHARS = '\b\f\n\r\t\\"';
const ESC_LETTERS = 'bfnrt\\"';

// mystrtod: the number at s[from] and where it ends (the start when there is none).
function mystrtod(s: string, from: number): { value: number; end: number } {
  let d = 0;
  let sign = 1;
  let p = from;
  let a = from;
  const c = (i: number): number => (i < s.length ? s.charCodeAt(i) : 0);
  if (c(p) === 45) {
    sign = -1;
    p++;
  } else if (c(p) === 43) p++;
  if (isDigit(c(p))) {
    d = c(p++) - 48;
    while (isDigit(c(p))) d = d * 10 + (c(p++) - 48);
    a = p;
  } else if (c(p) !== 46) return { value: 0, end: a };
  d *= sign;
  if (c(p) === 46) {
    let f = 0;
    let base = 0.1;
    p++;
    while (isDigit(c(p))) {
      f += base * (c(p++) - 48);
      base /= 10;
    }
    d += f * sign;
    a = p;
  }
  if (c(p) === 69 || c(p) === 101) {
    let e = 0;
    let neg = false;
    p++;
    if (c(p) === 45) {
      p++;
      neg = true;
    }
    if (c(p) === 43) p++;
    while (isDigit(c(p))) e = e * 10 + c(p++) - 48;
    if (neg) e = -e;
    for (let i = 0; i < e; i++) d *= 10;
    for (let i = 0; i < -e; i++) d /= 10;
    a = p;
  } else if (p > from && !isDigit(c(p - 1))) a = from;
  return { value: d, end: a };
}

// mjson_pass_string: the index of the closing quote in s from `from`, or -1.
function passString(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length && ESC_CHARS.includes(s[i + 1]!)) i++;
    else if (ch === '\0') return -1;
    else if (ch === '"') return i;
  }
  return -1;
}

interface Found {
  tok: number;
  start: number;
  len: number;
}

// plen1/plen2/kcmp: a path segment's length without and with its backslashes, and the comparison with a key.
function segment(path: string, from: number): { n: number; raw: number } {
  let i = from;
  let n = 0;
  while (i < path.length && path[i] !== '.' && path[i] !== '[') {
    n++;
    i += path[i] === '\\' ? 2 : 1;
  }
  return { n, raw: i - from };
}

function keyEquals(key: string, path: string, from: number, n: number): boolean {
  for (let i = from, j = 0; j < n; i++, j++) {
    if (path[i] === '\\') i++;
    if (key[j] !== path[i]) return false;
  }
  return true;
}

// mjson_find: the first token at the path, or null.
function mjsonFind(s: string, path: string): Found | null {
  if (path[0] !== '$') return null;
  const d = { pos: 1, d1: 0, d2: 0, i1: 0, i2: 0, obj: -1, found: null as Found | null };
  const at = (i: number): string => path[i] ?? '';
  // mjson_get_cb: true stops the walk
  const cb = (tok: number, start: number, len: number): boolean => {
    if (d.found) return true;
    if (tok === 123) {
      if (!at(d.pos) && d.d1 === d.d2) d.obj = start;
      d.d1++;
    } else if (tok === 91) {
      if (d.d1 === d.d2 && at(d.pos) === '[') {
        d.i1 = 0;
        d.i2 = Math.trunc(mystrtod(path, d.pos + 1).value);
        if (d.i1 === d.i2) {
          d.d2++;
          d.pos += 3;
        }
      }
      if (!at(d.pos) && d.d1 === d.d2) d.obj = start;
      d.d1++;
    } else if (tok === 44) {
      if (d.d1 === d.d2 + 1) {
        d.i1++;
        if (d.i1 === d.i2) {
          while (d.pos < path.length && at(d.pos) !== ']') d.pos++;
          d.pos++;
          d.d2++;
        }
      }
    } else if (tok === TOK_KEY && d.d1 === d.d2 + 1 && at(d.pos) === '.' && s[start] === '"' && s[start + len - 1] === '"') {
      const seg = segment(path, d.pos + 1);
      if (seg.n === len - 2 && keyEquals(s.slice(start + 1, start + len - 1), path, d.pos + 1, len - 2)) {
        d.d2++;
        d.pos += seg.raw + 1;
      } else if (d.d1 === d.d2) return true;
    } else if (tok === TOK_KEY && d.d1 === d.d2) {
      return true;
    } else if (tok === 125 || tok === 93) {
      d.d1--;
      if (!at(d.pos) && d.d1 === d.d2 && d.obj !== -1) {
        d.found = { tok: tok - 2, start: d.obj, len: start - d.obj + 1 };
        return true;
      }
    } else if (isValue(tok)) {
      if (d.d1 === d.d2 && !at(d.pos)) {
        d.found = { tok, start, len };
        return true;
      }
    }
    return false;
  };
  return walk(s, cb) ? d.found : null;
}

// mjson(): the tokenizer calling cb on every token; false on malformed input met before cb stopped it.
function walk(s: string, cb: (tok: number, start: number, len: number) => boolean): boolean {
  const S_VALUE = 0;
  const S_KEY = 1;
  const S_COLON = 2;
  const S_COMMA_OR_EOO = 3;
  let expecting = S_VALUE;
  const nesting: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const start = i;
    const c = s.charCodeAt(i);
    let tok = c;
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    // a closing bracket or brace must match the opening one; closing the outermost ends the walk
    const eoo = (): 'stop' | 'bad' | 'go' => {
      if (c !== nesting[nesting.length - 1]! + 2) return 'bad';
      nesting.pop();
      if (nesting.length === 0) {
        cb(tok, start, i - start + 1);
        return 'stop';
      }
      return 'go';
    };
    switch (expecting) {
      case S_VALUE:
        if (c === 123 || c === 91) {
          if (nesting.length >= MAX_DEPTH) return false;
          nesting.push(c);
          if (c === 123) expecting = S_KEY;
          break;
        }
        if (c === 93 && nesting.length > 0) {
          const r = eoo();
          if (r !== 'go') return r === 'stop';
          expecting = S_COMMA_OR_EOO;
          break;
        }
        if (s.startsWith('true', i) && i + 3 < s.length) {
          i += 3;
          tok = TOK_TRUE;
        } else if (s.startsWith('null', i) && i + 3 < s.length) {
          i += 3;
          tok = TOK_NULL;
        } else if (s.startsWith('false', i) && i + 4 < s.length) {
          i += 4;
          tok = TOK_FALSE;
        } else if (c === 45 || isDigit(c)) {
          const { end } = mystrtod(s, i);
          i += end - i - 1;
          tok = TOK_NUMBER;
        } else if (c === 34) {
          const n = passString(s, i + 1);
          if (n < 0) return false;
          i = n;
          tok = TOK_STRING;
        } else return false;
        if (nesting.length === 0) {
          cb(tok, start, i - start + 1);
          return true;
        }
        expecting = S_COMMA_OR_EOO;
        break;
      case S_KEY:
        if (c === 34) {
          const n = passString(s, i + 1);
          if (n < 0) return false;
          i = n;
          tok = TOK_KEY;
          expecting = S_COLON;
        } else if (c === 125) {
          const r = eoo();
          if (r !== 'go') return r === 'stop';
          expecting = S_COMMA_OR_EOO;
        } else return false;
        break;
      case S_COLON:
        if (c !== 58) return false;
        expecting = S_VALUE;
        break;
      case S_COMMA_OR_EOO:
        if (nesting.length <= 0) return false;
        if (c === 44) expecting = nesting[nesting.length - 1] === 123 ? S_KEY : S_VALUE;
        else if (c === 93 || c === 125) {
          const r = eoo();
          if (r !== 'go') return r === 'stop';
        } else return false;
        break;
    }
    if (cb(tok, start, i - start + 1)) return true;
  }
  return false;
}

// mjson_unescape: the \b \f \n \r \t \\ \" escapes and \u00XX as one byte; any other \u fails.
function unescape(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 5 < s.length && s[i + 1] === 'u') {
      if (s[i + 2] !== '0' || s[i + 3] !== '0') return undefined;
      const hex = (ch: number): number => (ch >= 48 && ch <= 57 ? ch - 48 : ch >= 65 && ch <= 70 ? ch - 55 : ch - 87);
      out += String.fromCharCode(((hex(s.charCodeAt(i + 4)) << 4) | hex(s.charCodeAt(i + 5))) & 0xff);
      i += 5;
    } else if (s[i] === '\\' && i + 1 < s.length) {
      const k = ESC_LETTERS.indexOf(s[i + 1]!);
      if (k < 0) return undefined;
      out += ESC_CHARS[k];
      i++;
    } else out += s[i];
  }
  return out;
}

// printf's "%g": six significant digits, exponent form below 1e-4 and from 1e6, trailing zeros dropped.
export function formatG(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential(5).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (t: string): string => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 6) return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(x.toFixed(5 - exp));
}

// strtoll(text, NULL, 0): sign, then hex after 0x, octal after 0, decimal otherwise; saturating.
function strtoll(s: string, from: number): number {
  const m = /^[ \t\n\r\f\v]*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)?/.exec(s.slice(from));
  const digits = m?.[2];
  if (!digits) return 0;
  const big = BigInt(digits.length > 1 && digits[0] === '0' && !/[xX]/.test(digits) ? `0o${digits.slice(1)}` : digits);
  const v = m![1] === '-' ? -big : big;
  const MAX = 9223372036854775807n;
  return Number(v > MAX ? MAX : v < -MAX - 1n ? -MAX - 1n : v);
}

const JSON_INT_MAX = 2 ** 53 - 1;

export const JSON_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'json_query', inType: 'str', outType: 'any', args: ['str', 'str'], minArgs: 1,
    validate: (a) => {
      if (String(a[0] ?? '') === '') return 'json_path must not be empty';
      if (a[1] !== undefined && a[1] !== '' && a[1] !== 'int') return 'output_type only supports "int" as argument';
      return null;
    },
    compile: (a) => {
      const path = String(a[0]);
      const asInt = a[1] === 'int';
      return (v) => {
        const s = v as string;
        const f = mjsonFind(s, path);
        if (!f) return undefined;
        switch (f.tok) {
          case TOK_NUMBER: {
            if (asInt) {
              const n = strtoll(s, f.start);
              return n < -JSON_INT_MAX || n > JSON_INT_MAX ? undefined : n;
            }
            return formatG(mystrtod(s, f.start).value);
          }
          case TOK_TRUE:
            return true;
          case TOK_FALSE:
            return false;
          case TOK_STRING:
            return unescape(s.slice(f.start + 1, f.start + f.len - 1));
          default:
            return undefined;
        }
      };
    },
  },
];
