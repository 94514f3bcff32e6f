// Log-format strings, wherever HAProxy takes one (parse_logformat_string): header values and request-line
// rewrites of http-request/http-response rules, and `log-format` lines. One compiler; each place says which
// %variables it offers and how an absent sample prints. Compiled when the config loads, run per request.
import { usableAt, type CheckPlace } from './places.ts';
import type { FetchSource } from './sample.ts';
import { compileSampleExpr } from './sample-expr.ts';
import type { SampleContext } from './context.ts';

/** A compiled format string: fills in its variables and samples from one input. */
export type Formatter<In> = (input: In) => string;

/** What one place of the config offers a format string. */
export interface FormatPlace<In> {
  /** The %variables available there (%ci, %Tw, ...); the longest known name wins (%tsc before %ts). */
  readonly vars: Readonly<Record<string, (input: In) => string | number>>;
  /** The sample context %[...] expressions read; undefined → they find no sample. */
  readonly sampleContext: (input: In) => SampleContext | undefined;
  /**
   * Log lines (LOG_OPT_MANDATORY): an absent or empty sample prints '-', and a malformed format is an error.
   * Elsewhere an absent sample prints nothing and what does not parse stays literal text.
   */
  readonly logLine: boolean;
  /** The section the format is written in: what a fetch's omitted proxy or table argument means. */
  readonly proxy?: string;
}

type Part<In> = string | ((input: In) => string);

/** Compiles `fmt` for `place`; throws, naming the offending part, when a log line's format is malformed. */
export function compileFormat<In>(fmt: string, place: FormatPlace<In>): Formatter<In> {
  if (!fmt.includes('%') && !(place.logLine && fmt.includes('\\'))) return () => fmt;
  const parts: Part<In>[] = [];
  let lit = '';
  const push = (p: (input: In) => string) => {
    if (lit) parts.push(lit);
    lit = '';
    parts.push(p);
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      // log lines keep the backslash escapes of their quoted argument
      lit += place.logLine && c === '\\' && i + 1 < fmt.length ? fmt[++i]! : c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    let at = i + 1;
    let quote = false;
    if (place.logLine && fmt[at] === '{') {
      const end = fmt.indexOf('}', at);
      if (end < 0) throw new Error(`missing '}' after '%{' at position ${at}`);
      quote = fmt.slice(at + 1, end).split(',').includes('+Q');
      at = end + 1;
    }
    if (fmt[at] === '[') {
      const sample = samplePart(fmt, at, quote, place);
      if (sample) {
        push(sample.part);
        i = sample.next;
        continue;
      }
    } else {
      const m = /^[A-Za-z]+/.exec(fmt.slice(at));
      let name = m ? m[0] : '';
      while (name.length > 0 && !(name in place.vars)) name = name.slice(0, -1);
      if (name !== '') {
        const get = place.vars[name]!;
        push(quote ? (input) => `"${get(input)}"` : (input) => String(get(input)));
        i = at + name.length;
        continue;
      }
      if (place.logLine) throw new Error(m ? `unknown log-format variable '%${m[0]}'` : `no variable name after '%' at position ${at}`);
    }
    lit += '%';
    i++;
  }
  if (lit) parts.push(lit);
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const only = parts[0];
    return () => only;
  }
  return (input) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(input);
    return out;
  };
}

// %[expr] starting at fmt[at] === '['. Outside log lines, an expression that does not parse is literal text (null).
function samplePart<In>(fmt: string, at: number, quote: boolean, place: FormatPlace<In>): { part: (input: In) => string; next: number } | null {
  const expr = compileSampleExpr(fmt.slice(at + 1), place.proxy ?? '');
  const absent = place.logLine ? (quote ? '""' : '-') : quote ? '""' : '';
  if (!('error' in expr) && fmt[at + 1 + expr.end] === ']') {
    const ctxOf = place.sampleContext;
    const part = (input: In) => {
      const ctx = ctxOf(input);
      const v = ctx ? expr.evaluate(ctx) : undefined;
      if (v === undefined || (place.logLine && v === '')) return absent;
      return quote ? `"${v}"` : v;
    };
    return { part, next: at + 1 + expr.end + 1 };
  }
  if (!place.logLine) return null;
  // the config check refused what does not parse where a sample is readable; what is left prints as absent
  const end = fmt.indexOf(']', at);
  if (end < 0) throw new Error(`missing ']' after '%[' at position ${at}`);
  return { part: () => absent, next: end + 1 };
}

/** Header values and request-line rewrites: %ci %cp %fi %fp and samples of the transaction being processed. */
export const RULE_FORMAT: FormatPlace<SampleContext> = {
  vars: {
    ci: (ctx) => ctx.src,
    cp: (ctx) => ctx.srcPort,
    fi: (ctx) => ctx.dst,
    fp: (ctx) => ctx.dstPort,
  },
  sampleContext: (ctx) => ctx,
  logLine: false,
};

/** A rule's format string, compiled once with the rule; `proxy` is the section it is written in. */
export function compileRuleFormat(fmt: string, proxy = ''): Formatter<SampleContext> {
  return compileFormat(fmt, proxy === '' ? RULE_FORMAT : { ...RULE_FORMAT, proxy });
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

/**
 * HAProxy's check of a format string's %[...] expressions (add_sample_to_logformat_list): each must parse and
 * its fetch must work at one of `places` (a listen section has both sides). Returns HAProxy's message, or null.
 */
export function checkFormatString(fmt: string, places: readonly CheckPlace[], proxy: string): string | null {
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') continue;
    if (fmt[i + 1] === '%') {
      i++;
      continue;
    }
    let open = i + 1;
    if (fmt[open] === '{') {
      // options such as %{+Q}[...]
      const close = fmt.indexOf('}', open);
      if (close < 0) continue;
      open = close + 1;
    }
    if (fmt[open] !== '[') continue;
    i = open - 1;
    const text = fmt.slice(i + 2);
    const expr = compileSampleExpr(text, proxy);
    if ('error' in expr) return `failed to parse sample expression <${text}> : ${expr.error}`;
    if (fmt[i + 2 + expr.end] !== ']') return `failed to parse sample expression <${text}> : missing ']'`;
    if (!places.some((place) => usableAt(expr.source, place))) {
      const needs = SOURCE_NEEDS[expr.source] ?? 'an unavailable source';
      return `sample fetch <${text}> may not be reliably used here because it needs '${needs}' which is not available here`;
    }
    i += 2 + expr.end;
  }
  return null;
}

/**
 * A log line's %[expr] starting at fmt[at] === '[': prints the sample, or what an absent one prints there ('-' in
 * log lines, nothing in unique ids, `""` quoted). Throws HAProxy's message when no ']' closes it.
 */
export function compileFormatSample(fmt: string, at: number, quote: boolean, mandatory: boolean): { print: (ctx: SampleContext | undefined) => string; next: number } {
  const expr = compileSampleExpr(fmt.slice(at + 1), '');
  const absent = quote ? '""' : mandatory ? '-' : '';
  if (!('error' in expr) && fmt[at + 1 + expr.end] === ']') {
    const print = (ctx: SampleContext | undefined) => {
      const v = ctx ? expr.evaluate(ctx) : undefined;
      if (v === undefined || v === '') return absent;
      return quote ? `"${v}"` : v;
    };
    return { print, next: at + 1 + expr.end + 1 };
  }
  if (!('error' in expr)) {
    const c = fmt[at + 1 + expr.end];
    const name = fmt.slice(at + 1, at + 1 + expr.end);
    throw new Error(c === undefined ? `missing ']' after '${name}'` : `expected ']' after '${name}', but found '${c}'`);
  }
  // the config check refused what does not parse where a sample is readable; what is left prints as absent
  const end = fmt.indexOf(']', at);
  if (end < 0) throw new Error(`missing ']' after '${fmt.slice(at + 1)}'`);
  return { print: () => absent, next: end + 1 };
}
