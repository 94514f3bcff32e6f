// Log-format strings in header values (set-header/add-header): literals, %%, %ci %cp %fi %fp and %[sample
// expression]. Checked at config time as HAProxy's parse_logformat_string does, compiled once, run per request.
import { usableAt, type CheckPlace } from './places.ts';
import type { FetchSource } from './sample.ts';
import { compileSampleExpr } from './sample-expr.ts';
import type { SampleContext } from './types.ts';

type Formatter = (ctx: SampleContext) => string;
const formatters = new Map<string, Formatter>();

// Header values are log-format strings: literals, %% , %ci %cp %fi %fp, and %[sample expression] (any fetch with
// converters; nothing when it finds no sample). Compiled once per distinct string; the config check has already
// refused expressions that do not parse (checkFormatString).
export function expandLogFormat(fmt: string, ctx: SampleContext): string {
  if (!fmt.includes('%')) return fmt;
  let f = formatters.get(fmt);
  if (!f) {
    f = compileHeaderFormat(fmt);
    formatters.set(fmt, f);
  }
  return f(ctx);
}

const SHORT_VARS: Record<string, Formatter> = {
  ci: (ctx) => ctx.src,
  cp: (ctx) => String(ctx.srcPort),
  fi: (ctx) => ctx.dst,
  fp: (ctx) => String(ctx.dstPort),
};

function compileHeaderFormat(fmt: string): Formatter {
  const parts: (string | Formatter)[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; ) {
    if (fmt[i] !== '%') {
      lit += fmt[i++];
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    if (fmt[i + 1] === '[') {
      const expr = compileSampleExpr(fmt.slice(i + 2), '');
      if (!('error' in expr) && fmt[i + 2 + expr.end] === ']') {
        if (lit) parts.push(lit);
        lit = '';
        parts.push((ctx) => expr.evaluate(ctx) ?? '');
        i += 2 + expr.end + 1;
        continue;
      }
    }
    const short = SHORT_VARS[fmt.slice(i + 1, i + 3)];
    if (short) {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(short);
      i += 3;
      continue;
    }
    lit += fmt[i++];
  }
  if (lit) parts.push(lit);
  return (ctx) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(ctx);
    return out;
  };
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
 * HAProxy's check of a header value's %[...] expressions (add_sample_to_logformat_list): each must parse and
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
