// The one compiler of format strings, for every place HAProxy parses one with parse_logformat_string (src/log.c):
// log-format, error-log-format, unique-id-format, header values, request-line rewrites, http-reply lf-string and
// lf-file, set-var-fmt, redirect, dynamic use_backend names, tcp-check payloads. The parse is the same everywhere
// (exact variable names, %{+Q,+X} and %o, %[samples], HAProxy's alerts); each place brings the variables it can
// fill and its options (LOG_OPT_MANDATORY, LOG_OPT_MERGE_SPACES, LOG_OPT_HTTP). Compiled when the config loads.
import { usableAt, type CheckPlace } from './places.ts';
import type { FetchSource } from './sample.ts';
import { compileSampleExpr } from './sample-expr.ts';
import type { SampleContext } from './context.ts';
import type { SampleScope } from './scope.ts';

/** A compiled format string: fills in its variables and samples from one input. */
export type Formatter<In> = (input: In) => string;

/** How one variable prints: +Q quotes text, +X writes numbers and addresses in hex; mandatory prints '-' for none. */
export interface VarOptions {
  readonly quote: boolean;
  readonly hex: boolean;
  readonly mandatory: boolean;
}

/** A variable's text; null when it writes nothing at all (not even the end of a run of spaces). */
export type FormatVar<In> = (input: In, o: VarOptions) => string | null;

/** What one place of the config offers a format string. */
export interface FormatPlace<In> {
  /** What the engine calls this place in its notes ("header values"). */
  readonly name: string;
  /** The variables the engine fills here; any other of HAProxy's names is accepted, noted, and prints as none. */
  readonly vars: Readonly<Record<string, FormatVar<In>>>;
  /** The sample context %[...] expressions read; undefined → they find no sample. */
  readonly sampleContext: (input: In) => SampleContext | undefined;
  /** LOG_OPT_MANDATORY (log lines): what is absent or empty prints '-'. */
  readonly mandatory: boolean;
  /** LOG_OPT_MERGE_SPACES (log lines, unique ids): a run of spaces prints as one, and none at the start. */
  readonly mergeSpaces: boolean;
  /** LOG_OPT_HTTP (HTTP rules, unique ids): samples are %-encoded for HTTP and never quoted. */
  readonly http: boolean;
}

/** Where one format string is compiled: its section and fetch checks (see SampleScope), and what it reports. */
export interface FormatScope extends SampleScope {
  /** Where its %[samples] run (add_sample_to_logformat_list's cap): each must work at one of them. */
  readonly checkAt?: readonly CheckPlace[];
  /** Receives every variable name it uses, for checks made once the section's mode is known. */
  readonly usedVars?: Set<string>;
}

/** Every variable HAProxy 2.6 knows (logformat_keywords in src/log.c), whatever place it is written in. */
export const FORMAT_VARIABLES: ReadonlySet<string> = new Set([
  'o', 'B', 'CC', 'CS', 'H', 'ID', 'ST', 'T', 'Ta', 'Tc', 'Td', 'Th', 'Ti', 'Tl', 'Tq', 'Tr', 'TR', 'Ts', 'Tt', 'Tu',
  'Tw', 'U', 'ac', 'b', 'bc', 'bi', 'bp', 'bq', 'ci', 'cp', 'f', 'fc', 'fi', 'fp', 'ft', 'hr', 'hrl', 'hs', 'hsl',
  'HM', 'HP', 'HPO', 'HQ', 'HU', 'HV', 'lc', 'ms', 'pid', 'r', 'rc', 'rt', 's', 'sc', 'si', 'sp', 'sq', 'sslc',
  'sslv', 't', 'tr', 'trg', 'trl', 'ts', 'tsc',
]);

/** Variables HAProxy reserves for proxies in mode http (logformat_keywords' PR_MODE_HTTP). */
export const HTTP_ONLY_VARS: ReadonlySet<string> = new Set(['CC', 'CS', 'Ta', 'Ti', 'Tq', 'Tr', 'TR', 'HM', 'HP', 'HPO', 'HQ', 'HU', 'HV', 'r', 'tr', 'trg', 'trl']);

/** HAProxy's message for a format string that does not parse (without the caller's "failed to parse ... : "). */
export class FormatError extends Error {}

// A compiled piece: literal text, a separator (one space, merged), or something printed from the input.
type Part<In> = { lit: string } | { sep: true } | { run: (input: In) => string | null };

type Flags = { quote: boolean; hex: boolean };

/** Compiles `fmt` for `place`; throws a FormatError with HAProxy's message when it does not parse. */
export function compileFormat<In>(fmt: string, place: FormatPlace<In>, scope: FormatScope): Formatter<In> {
  const parts: Part<In>[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit: configBytes(lit) });
    lit = '';
  };
  let defaults: Flags = { quote: false, hex: false };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === ' ' && place.mergeSpaces) {
      flush();
      parts.push({ sep: true });
      i++;
      continue;
    }
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    const next = fmt[i + 1];
    if (next === undefined) throw new FormatError(`truncated line after '%'`);
    if (next === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    if (/[0-9 \t]/.test(next)) {
      throw new FormatError(`unexpected variable name near '${next}' at position ${i + 1} line : '${fmt}'. Maybe you want to write a single '%', use the syntax '%%'`);
    }
    let at = i + 1;
    let args: string[] = [];
    if (next === '{') {
      const end = fmt.indexOf('}', at);
      if (end < 0) throw new FormatError(`truncated line after '${fmt.slice(at + 1)}'`);
      args = fmt.slice(at + 1, end).split(',');
      at = end + 1;
      if (fmt[at] !== '[' && !/[A-Za-z0-9]/.test(fmt[at] ?? '')) throw new FormatError(`parse argument modifier without variable name near '%{${fmt.slice(i + 2, end)}}'`);
    }
    const flags = applyArgs(defaults, args);
    if (fmt[at] === '[') {
      const s = compileSample(fmt, at, flags, place, scope);
      flush();
      parts.push({ run: s.print });
      i = s.next;
      continue;
    }
    if (!/[A-Za-z]/.test(fmt[at] ?? '')) {
      // HAProxy drops a '%' before anything else and keeps the text
      i = at;
      continue;
    }
    let end = at;
    while (end < fmt.length && /[A-Za-z0-9]/.test(fmt[end]!)) end++;
    const name = fmt.slice(at, end);
    if (name === 'o') {
      // %o sets the options of the variables that follow
      defaults = flags;
      i = end;
      continue;
    }
    if (!FORMAT_VARIABLES.has(name)) throw new FormatError(`no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`);
    scope.usedVars?.add(name);
    const o: VarOptions = { ...flags, mandatory: place.mandatory };
    const v = place.vars[name] ?? lackingVar<In>(name, place, scope);
    flush();
    parts.push({ run: (input) => v(input, o) });
    i = end;
  }
  flush();
  return assemble(parts);
}

/**
 * Text written in the config, as the bytes HAProxy copies from the file: one char per byte (latin1), as the
 * engine holds what it reads from the wire, so a format's output is bytes whatever its parts came from.
 */
export function configBytes(text: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII text is already its bytes
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** Compiles `fmt`, or gives HAProxy's message when it does not parse. */
export function tryCompileFormat<In>(fmt: string, place: FormatPlace<In>, scope: FormatScope): Formatter<In> | { error: string } {
  try {
    return compileFormat(fmt, place, scope);
  } catch (err) {
    if (err instanceof FormatError) return { error: err.message };
    throw err;
  }
}

function assemble<In>(parts: readonly Part<In>[]): Formatter<In> {
  if (parts.length === 0) return () => '';
  const only = parts[0]!;
  if (parts.length === 1 && 'lit' in only) return () => only.lit;
  return (input) => {
    let out = '';
    // sess_build_logline: a separator writes one space, and none after another or at the start
    let lastSpace = true;
    for (const p of parts) {
      if ('lit' in p) {
        out += p.lit;
        lastSpace = false;
      } else if ('sep' in p) {
        if (!lastSpace) out += ' ';
        lastSpace = true;
      } else {
        // a variable counts as written even when empty, except %hr/%hs for a frontend without slots there
        const s = p.run(input);
        if (s !== null) {
          out += s;
          lastSpace = false;
        }
      }
    }
    return out;
  };
}

// "%{+Q,-X}": each flag turns an option on (+) or off (-); unknown ones are ignored, as HAProxy ignores them.
function applyArgs(base: Flags, args: readonly string[]): Flags {
  const o = { ...base };
  for (const a of args) {
    const on = a[0] === '+';
    if (!on && a[0] !== '-') continue;
    if (a.slice(1) === 'Q') o.quote = on;
    else if (a.slice(1) === 'X') o.hex = on;
  }
  return o;
}

// A variable HAProxy fills here and the engine does not: the config loads as HAProxy's does, with a note, and it
// prints what an absent value prints.
function lackingVar<In>(name: string, place: FormatPlace<In>, scope: FormatScope): FormatVar<In> {
  scope.notes?.add(`log-format variable '%${name}' in ${place.name}`);
  return (_input, o) => absentText(o);
}

/** lf_text_len of no value: '-' where mandatory, "" with +Q, else nothing. */
export function absentText(o: VarOptions): string {
  return o.quote ? '""' : o.mandatory ? '-' : '';
}

const SOURCE_NEEDS: Partial<Record<FetchSource, string>> = {
  'http-req': 'HTTP request headers',
  'http-req-persist': 'HTTP request',
  l6req: 'request buffer',
  'http-res': 'HTTP response headers',
  'http-res-persist': 'HTTP response',
  backend: 'backend',
  server: 'server',
};

// %[expr] starting at fmt[at] === '[' (add_sample_to_logformat_list, then the ']' check of parse_logformat_string).
function compileSample<In>(fmt: string, at: number, flags: Flags, place: FormatPlace<In>, scope: FormatScope): { print: (input: In) => string; next: number } {
  const text = fmt.slice(at + 1);
  const expr = compileSampleExpr(text, scope);
  if ('error' in expr) throw new FormatError(`failed to parse sample expression <${text}> : ${expr.error}`);
  if (scope.checkAt && !scope.checkAt.some((p) => usableAt(expr.source, p))) {
    const needs = SOURCE_NEEDS[expr.source] ?? 'an unavailable source';
    throw new FormatError(`sample fetch <${text}> may not be reliably used here because it needs '${needs}' which is not available here`);
  }
  const close = fmt[at + 1 + expr.end];
  if (close !== ']') {
    const name = fmt.slice(at + 1, at + 1 + expr.end);
    throw new FormatError(close !== undefined && close >= ' ' && close <= '~' ? `expected ']' after '${name}', but found '${close}'` : `missing ']' after '${name}'`);
  }
  const ctxOf = place.sampleContext;
  let print: (input: In) => string;
  if (place.http) {
    // lf_encode_chunk: never quoted, nothing for no sample, control bytes %-encoded
    print = (input) => {
      const ctx = ctxOf(input);
      const v = ctx ? expr.evaluate(ctx) : undefined;
      return v === undefined ? '' : httpEncode(v);
    };
  } else {
    const o: VarOptions = { ...flags, mandatory: place.mandatory };
    const absent = absentText(o);
    print = (input) => {
      const ctx = ctxOf(input);
      const v = ctx ? expr.evaluate(ctx) : undefined;
      if (v === undefined || v === '') return absent;
      return o.quote ? `"${v}"` : v;
    };
  }
  return { print, next: at + 1 + expr.end + 1 };
}

// http_encode_map: everything but VCHAR, obs-text, SP and HTAB becomes %XX
function httpEncode(v: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      out += v.slice(from, i) + '%' + c.toString(16).toUpperCase().padStart(2, '0');
      from = i + 1;
    }
  }
  return from === 0 ? v : out + v.slice(from);
}
