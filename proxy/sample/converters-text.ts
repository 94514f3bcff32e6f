// String converters of src/sample.c and src/http_conv.c (HAProxy v2.6.0): regsub, url_dec, url_enc, json,
// concat, add_item, strcmp, secure_memcmp, iif, cut_crlf, ub64enc/ub64dec, be2dec, be2hex, htonl, cpl, odd,
// even. Strings are byte strings (latin1), as the rest of the engine reads header bytes.
import type { ConverterDef } from './converters.ts';
import { low32, toBigInt, wrap64, type Int } from './int64.ts';
import type { ArgValue, SampleValue } from './sample.ts';
import type { SampleContext } from './context.ts';
import { castSample } from './cast.ts';
import { getVar, parseVarName, typeOfValue, type VarName } from './vars.ts';

// A variable argument read as another type (sample_conv_var2smp); undefined when unset or not castable.
function varAs(ctx: SampleContext, v: VarName, to: 'str' | 'bin'): SampleValue | undefined {
  const x = getVar(ctx.vars, v);
  if (x === undefined) return undefined;
  return castSample(x, typeOfValue(x), to);
}

const isVarName = (t: string): boolean => !('error' in parseVarName(t));

// --- regsub ---------------------------------------------------------------------------------------------------

// exp_replace: \N is group N (nothing when it did not take part), \xHH a byte, \c the character c.
function expReplace(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = template[++i];
    if (n === undefined) return out;
    if (n >= '0' && n <= '9') out += m[Number(n)] ?? '';
    else if (n === 'x') {
      const hex = (d: string | undefined): number => {
        let v = (d ?? '0').toUpperCase().charCodeAt(0) - 48;
        if (v > 9) v -= 7;
        return v & 0xff;
      };
      out += String.fromCharCode(((hex(template[i + 1]) << 4) + hex(template[i + 2])) & 0xff);
      i += 2;
    } else out += n;
  }
  return out;
}

// sample_conv_regsub: replaces the first match (every match with 'g') and copies the rest. A later round
// matches as PCRE's REG_NOTBOL would: '^' no longer matches where the round starts (a sticky-free global
// JS regex from lastIndex gives exactly that), and a zero-length match steps over one character.
function regsub(s: string, re: RegExp, template: string, global: boolean): string {
  let out = '';
  let start = 0;
  let notBol = false;
  for (;;) {
    let m: RegExpExecArray | null = null;
    if (global || !notBol) {
      re.lastIndex = start;
      m = re.exec(s);
    }
    const so = m ? m.index - start : s.length - start;
    if (so > 0) out += s.slice(start, start + so);
    if (!m) break;
    out += expReplace(template, m);
    if (start >= s.length) break;
    let eo = m.index + m[0].length - start;
    if (eo === 0) {
      out += s[start] ?? '';
      eo++;
    }
    start += eo;
    notBol = true;
  }
  return out;
}

function regexFlags(a: readonly ArgValue[]): { i: boolean; g: boolean } | { error: string } {
  const flags = typeof a[2] === 'string' ? a[2] : '';
  let i = false;
  let g = false;
  for (const f of flags) {
    if (f === 'i') i = true;
    else if (f === 'g') g = true;
    else return { error: `invalid regex flag '${f}', only 'i' and 'g' are supported` };
  }
  return { i, g };
}

function compileRegex(a: readonly ArgValue[]): RegExp | { error: string } {
  const f = regexFlags(a);
  if ('error' in f) return f;
  try {
    return new RegExp(String(a[0] ?? ''), f.i ? 'gi' : 'g');
  } catch (e) {
    return { error: `regex '${String(a[0])}' is invalid (${(e as Error).message.replace(/^Invalid regular expression: /, '')})` };
  }
}

// --- url_dec / url_enc ----------------------------------------------------------------------------------------

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

// url_decode: '+' is a space in a form (and after a '?'); a '%' not followed by two hex digits fails.
export function urlDecode(s: string, inForm0: boolean): string | undefined {
  let inForm = inForm0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\0') break;
    if (c === '+') out += inForm ? ' ' : '+';
    else if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return undefined;
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      if (c === '?') inForm = true;
      out += c;
    }
  }
  return out;
}

// The query map of sample_conf_url_enc_init: everything but RFC 3986's unreserved characters is escaped.
function urlEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    const keep = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126;
    out += keep ? s[i] : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// --- json -----------------------------------------------------------------------------------------------------

const JSON_TYPES = ['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'] as const;
type JsonInput = (typeof JSON_TYPES)[number];

// utf8_next of src/tools.c: the code point at p, how many bytes it took, and what was wrong with it.
const UTF8_OK = 0;
const UTF8_BADSEQ = 1;
const UTF8_INVRANGE = 2;
const UTF8_TOOLONG = 4;
function utf8Next(b: Buffer, p: number): { c: number; len: number; code: number } {
  const len = b.length - p;
  let c = b[p]!;
  let code = UTF8_OK;
  let n: number;
  if ((c & 0x80) === 0) return { c, len: 1, code };
  if ((c & 0xe0) === 0xc0) {
    c &= 0x1f;
    n = 1;
  } else if ((c & 0xf0) === 0xe0) {
    c &= 0x0f;
    n = 2;
  } else if ((c & 0xf8) === 0xf0) {
    c &= 0x07;
    n = 3;
  } else if ((c & 0xfc) === 0xf8) {
    c &= 0x03;
    n = 4;
  } else if ((c & 0xfe) === 0xfc) {
    c &= 0x01;
    n = 5;
  } else return { c, len: 1, code: UTF8_BADSEQ };
  let i = 1;
  for (; i <= n && i < len; i++) {
    const x = b[p + i]!;
    if ((x & 0xc0) !== 0x80) return { c, len: 1, code: UTF8_BADSEQ };
    c = (c << 6) | (x & 0x3f);
  }
  if (i <= n) return { c, len: 1, code: UTF8_BADSEQ };
  const total = n + 1;
  // the smallest code point each length may carry: a longer form is "too long" (overlong)
  const MIN = [0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000];
  if (c < MIN[n]!) code |= UTF8_TOOLONG;
  if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) code |= UTF8_INVRANGE;
  return { c: c >>> 0, len: total, code };
}

const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;

// sample_conv_json: escapes a string for a JSON string literal, reading it as ASCII or UTF-8 (failing or
// skipping what is not valid, by the mode), and \u escapes for the rest.
function jsonEscape(s: string, mode: JsonInput): string | undefined {
  const b = Buffer.from(s, 'latin1');
  let out = '';
  let p = 0;
  while (p < b.length) {
    let c: number;
    if (mode === 'ascii') {
      c = b[p]!;
      p++;
    } else {
      const r = utf8Next(b, p);
      p += r.len;
      c = r.c;
      if (mode === 'utf8' && r.code !== UTF8_OK) return undefined;
      if (mode === 'utf8s' && r.code !== UTF8_OK) continue;
      if (mode === 'utf8p' && r.code & (UTF8_INVRANGE | UTF8_BADSEQ)) return undefined;
      if (mode === 'utf8ps' && r.code & (UTF8_INVRANGE | UTF8_BADSEQ)) continue;
      if (c > 0xffff) {
        if (mode === 'utf8' || mode === 'utf8p') return undefined;
        continue;
      }
    }
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f) out += '\\/';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c > 0xff || !isPrint(c)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

// --- be2dec / be2hex ------------------------------------------------------------------------------------------

function be2dec(b: Buffer, sep: string, chunk: number, truncate: boolean): string {
  const last = truncate ? b.length - chunk + 1 : b.length;
  let out = '';
  let ptr = 0;
  while (ptr < last) {
    if (ptr) out += sep;
    let n = 0n;
    for (let i = 0; i < chunk && ptr < b.length; i++) n = (n << 8n) + BigInt(b[ptr++]!);
    out += n.toString();
  }
  return out;
}

function be2hex(b: Buffer, sep: string, chunk0: number, truncate: boolean): string {
  const chunk = sep === '' && !truncate ? b.length : chunk0;
  const last = truncate ? b.length - chunk + 1 : b.length;
  let out = '';
  let ptr = 0;
  while (ptr < last) {
    if (ptr) out += sep;
    for (let i = 0; i < chunk && ptr < b.length; i++) out += b[ptr++]!.toString(16).toUpperCase().padStart(2, '0');
    // a chunk size of 0 with nothing to separate would never advance (HAProxy's trash limit stops it)
    if (chunk <= 0) break;
  }
  return out;
}

const checkBe = (hex: boolean) => (a: readonly ArgValue[]): string | null => {
  const chunk = typeof a[1] === 'number' ? a[1] : 0;
  const trunc = typeof a[2] === 'number' ? a[2] : 0;
  const sep = String(a[0] ?? '');
  if (hex ? chunk <= 0 && (sep.length > 0 || trunc !== 0) : chunk <= 0 || chunk > 8) {
    return hex ? `chunk_size needs to be positive (${chunk})` : `chunk_size out of [1..8] range (${chunk})`;
  }
  if (trunc !== 0 && trunc !== 1) return `Unsupported truncate value (${trunc})`;
  return null;
};

// --- the table ------------------------------------------------------------------------------------------------

const varArgCheck = (a: readonly ArgValue[]): string | null => {
  const t = String(a[0] ?? '');
  if (t === '') return 'missing variable name';
  return isVarName(t) ? null : `failed to register variable name '${t}'`;
};

// concat/add_item: an optional variable in the middle, read as a string when it is set and castable.
function optionalVar(a: ArgValue): VarName | null {
  const t = String(a ?? '');
  return t === '' ? null : (parseVarName(t) as VarName);
}

export const TEXT_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'regsub', inType: 'str', outType: 'str', args: ['str', 'str', 'str'], minArgs: 2,
    validate: (a) => {
      const r = compileRegex(a);
      return 'error' in r ? r.error : null;
    },
    compile: (a) => {
      const re = compileRegex(a) as RegExp;
      const template = String(a[1] ?? '');
      const global = (regexFlags(a) as { g: boolean }).g;
      return (v) => regsub(v as string, re, template, global);
    },
  },
  {
    name: 'url_dec', inType: 'str', outType: 'str', args: ['sint'], minArgs: 0,
    compile: (a) => {
      const inForm = typeof a[0] === 'number' && a[0] !== 0;
      return (v) => urlDecode(v as string, inForm);
    },
  },
  {
    name: 'url_enc', inType: 'str', outType: 'str', args: ['str'], minArgs: 1,
    validate: (a) => (a[0] === undefined || a[0] === '' || a[0] === 'query' ? null : "Unexpected encode type. Allowed value is 'query'"),
    compile: () => (v) => urlEncode(v as string),
  },
  {
    name: 'json', inType: 'str', outType: 'str', args: ['str'], minArgs: 1,
    validate: (a) =>
      a[0] === undefined || a[0] === '' || JSON_TYPES.includes(a[0] as JsonInput)
        ? null
        : "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'",
    compile: (a) => {
      const mode = (a[0] === undefined || a[0] === '' ? 'ascii' : a[0]) as JsonInput;
      return (v) => jsonEscape(v as string, mode);
    },
  },
  {
    name: 'concat', inType: 'str', outType: 'str', args: ['str', 'str', 'str'], minArgs: 1,
    validate: (a) => (a[1] !== undefined && a[1] !== '' && !isVarName(String(a[1])) ? `failed to register variable name '${String(a[1])}'` : null),
    compile: (a) => {
      const before = String(a[0] ?? '');
      const variable = optionalVar(a[1]);
      const after = String(a[2] ?? '');
      return (v, ctx) => {
        const mid = variable ? varAs(ctx, variable, 'str') : undefined;
        return `${v as string}${before}${typeof mid === 'string' ? mid : ''}${after}`;
      };
    },
  },
  {
    name: 'add_item', inType: 'str', outType: 'str', args: ['str', 'str', 'str'], minArgs: 2,
    validate: (a) => {
      if (a[1] !== undefined && a[1] !== '' && !isVarName(String(a[1]))) return `failed to register variable name '${String(a[1])}'`;
      if ((a[1] ?? '') === '' && (a[2] ?? '') === '') return 'one of the optional arguments has to be nonempty';
      return null;
    },
    compile: (a) => {
      const delim = String(a[0] ?? '');
      const variable = optionalVar(a[1]);
      const suffix = String(a[2] ?? '');
      return (v, ctx) => {
        const s = v as string;
        const mid = variable ? varAs(ctx, variable, 'str') : undefined;
        const item = typeof mid === 'string' ? mid : '';
        const sep = s !== '' && (item !== '' || suffix !== '') ? delim : '';
        return `${s}${sep}${item}${suffix}`;
      };
    },
  },
  {
    // strncmp over the shorter length, then the shorter string is the smaller; glibc gives the byte difference
    name: 'strcmp', inType: 'str', outType: 'int', args: ['str'], minArgs: 1, validate: varArgCheck,
    compile: (a) => {
      const variable = parseVarName(String(a[0])) as VarName;
      return (v, ctx) => {
        const other = varAs(ctx, variable, 'str');
        if (typeof other !== 'string') return undefined;
        const s = v as string;
        const max = Math.min(s.length, other.length);
        for (let i = 0; i < max; i++) {
          const d = (s.charCodeAt(i) & 0xff) - (other.charCodeAt(i) & 0xff);
          if (d !== 0) return d;
          if (s.charCodeAt(i) === 0) return 0;
        }
        return s.length === other.length ? 0 : s.length < other.length ? -1 : 1;
      };
    },
  },
  {
    name: 'secure_memcmp', inType: 'bin', outType: 'bool', args: ['str'], minArgs: 1, validate: varArgCheck,
    compile: (a) => {
      const variable = parseVarName(String(a[0])) as VarName;
      return (v, ctx) => {
        const other = varAs(ctx, variable, 'bin');
        if (!Buffer.isBuffer(other)) return undefined;
        return (v as Buffer).equals(other);
      };
    },
  },
  {
    name: 'iif', inType: 'bool', outType: 'str', args: ['str', 'str'], minArgs: 2,
    compile: (a) => {
      const yes = String(a[0] ?? '');
      const no = String(a[1] ?? '');
      return (v) => (v ? yes : no);
    },
  },
  {
    name: 'cut_crlf', inType: 'str', outType: 'str', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      const i = s.search(/[\r\n]/);
      return i < 0 ? s : s.slice(0, i);
    },
  },
  { name: 'ub64enc', inType: 'bin', outType: 'str', args: [], minArgs: 0, compile: () => (v) => (v as Buffer).toString('base64url') },
  {
    // base64url without padding (a length of 1 mod 4 cannot be one); 2.6's table reads '=' as '_' (63)
    name: 'ub64dec', inType: 'str', outType: 'bin', args: [], minArgs: 0,
    compile: () => (v) => {
      const s = v as string;
      return /^[A-Za-z0-9_=-]*$/.test(s) && s.length % 4 !== 1 ? Buffer.from(s.replace(/=/g, '_'), 'base64url') : undefined;
    },
  },
  {
    name: 'be2dec', inType: 'bin', outType: 'str', args: ['str', 'sint', 'sint'], minArgs: 1, validate: checkBe(false),
    compile: (a) => {
      const sep = String(a[0] ?? '');
      const chunk = typeof a[1] === 'number' ? a[1] : 0;
      const trunc = a[2] === 1;
      return (v) => be2dec(v as Buffer, sep, chunk, trunc);
    },
  },
  {
    name: 'be2hex', inType: 'bin', outType: 'str', args: ['str', 'sint', 'sint'], minArgs: 1, validate: checkBe(true),
    compile: (a) => {
      const sep = String(a[0] ?? '');
      const chunk = typeof a[1] === 'number' ? a[1] : 0;
      const trunc = a[2] === 1;
      return (v) => be2hex(v as Buffer, sep, chunk, trunc);
    },
  },
  {
    name: 'htonl', inType: 'int', outType: 'bin', args: [], minArgs: 0,
    compile: () => (v) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(low32(v as Int));
      return b;
    },
  },
  { name: 'cpl', inType: 'int', outType: 'int', args: [], minArgs: 0, compile: () => (v) => wrap64(~toBigInt(v as Int)) },
  { name: 'odd', inType: 'int', outType: 'bool', args: [], minArgs: 0, compile: () => (v) => (Number(BigInt.asUintN(1, toBigInt(v as Int))) === 1) },
  { name: 'even', inType: 'int', outType: 'bool', args: [], minArgs: 0, compile: () => (v) => (Number(BigInt.asUintN(1, toBigInt(v as Int))) === 0) },
];
