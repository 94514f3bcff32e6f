// A sample expression outside ACLs, as in the %[...] of a header value: a fetch, its arguments and converters
// (HAProxy's sample_parse_expr). It gives one value, the last the fetch hands out (a header's last occurrence,
// as HAProxy does outside ACLs), turned into text; nothing when the fetch finds nothing.
import { parseArgs } from './args.ts';
import { registerArgReferences } from './arg-refs.ts';
import { isIdChar, parseConverterChain } from './converter-chain.ts';
import { findFetch } from './fetches/index.ts';
import { castSample } from './cast.ts';
import type { FetchSource, SampleType, SampleValue } from './sample.ts';
import type { SampleContext } from './context.ts';
import type { SampleScope } from './scope.ts';

export interface SampleExpr {
  /** The fetch's keyword, and where its data comes from (which decides where it may be used). */
  readonly fetch: string;
  readonly source: FetchSource;
  /** Characters of the input the expression used (the caller expects a ']' there in a format string). */
  readonly end: number;
  /** The expression's type once its converters ran ('any' for var() without converters). */
  readonly outType: SampleType;
  evaluate(ctx: SampleContext): string | undefined;
  /** The last value with its own type (what set-var stores), or undefined when there is none. */
  evaluateSample(ctx: SampleContext): SampleValue | undefined;
}

/** Parses the expression at the start of `text` ("req.hdr(host),lower]...") in `scope` (its section, its notes). */
export function compileSampleExpr(text: string, scope: SampleScope): SampleExpr | { error: string } {
  let kwEnd = 0;
  while (kwEnd < text.length && isIdChar(text[kwEnd]!)) kwEnd++;
  const name = text.slice(0, kwEnd);
  if (name === '') return { error: 'missing fetch method' };
  const def = findFetch(name);
  if (!def) return { error: `unknown fetch method '${name}'` };
  const args = parseArgs(text, kwEnd, def.args, def.minArgs);
  if ('error' in args) return { error: `fetch method '${name}' : ${args.error}` };
  if (def.validate) {
    const bad = def.validate(args.values);
    if (bad) return { error: `invalid args in fetch method '${name}' : ${bad}` };
  }
  // the converter chain ends where the expression does: at the first character that cannot continue it
  let chainEnd = args.end;
  while (chainEnd < text.length && text[chainEnd] === ',') {
    chainEnd++;
    while (chainEnd < text.length && isIdChar(text[chainEnd]!)) chainEnd++;
    if (text[chainEnd] === '(') chainEnd = argListEnd(text, chainEnd);
  }
  const chain = parseConverterChain(text.slice(0, chainEnd), args.end, def.outType, `fetch keyword '${name}'`, scope, name);
  if ('error' in chain) return chain;
  registerArgReferences(scope.site, def.args, args.values, def.minArgs, name);
  if (def.lacking) scope.notes?.add(`fetch method '${name}'`);
  const fetch = def.compile(args.values, scope.proxy);
  const { convs, outType } = chain;
  let last: SampleValue | undefined;
  const keepLast = (v: SampleValue): boolean => {
    last = v;
    return false;
  };
  function evaluateSample(ctx: SampleContext): SampleValue | undefined {
    last = undefined;
    fetch(ctx, keepLast);
    let v = last as SampleValue | undefined; // set by keepLast during fetch()
    for (let i = 0; i < convs.length && v !== undefined; i++) v = convs[i]!(v, ctx);
    return v;
  }
  return {
    fetch: name,
    source: def.source,
    end: chainEnd,
    outType,
    evaluateSample,
    evaluate(ctx) {
      const v = evaluateSample(ctx);
      if (v === undefined) return undefined;
      const s = castSample(v, outType, 'str');
      if (s === undefined) return undefined;
      return typeof s === 'string' ? s : Buffer.isBuffer(s) ? s.toString('latin1') : String(s);
    },
  };
}

// Where an argument list that opens at text[open] ends (after its ')'): quotes and backslashes protect a ')' as
// make_arg_list reads them, so regsub("(a|b)",x) is one list.
function argListEnd(text: string, open: number): number {
  let sq = false;
  let dq = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && !sq) dq = !dq;
    else if (c === "'" && !dq) sq = !sq;
    else if (c === '\\' && !sq) i++;
    else if (c === ')' && !sq && !dq) return i + 1;
  }
  return text.length;
}
