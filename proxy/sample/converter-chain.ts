// A converter chain (",lower,field(1,:)") after a fetch and its arguments, as sample_parse_expr reads it; shared
// by ACL expressions and the %[...] sample expressions of header values.
import { parseArgs } from './args.ts';
import { registerArgReferences } from './arg-refs.ts';
import { findConverter } from './converters.ts';
import { castSample } from './cast.ts';
import type { SampleContext } from './context.ts';
import type { SampleScope } from './scope.ts';
import { canCast, type SampleType, type SampleValue } from './sample.ts';

export type Converter = (v: SampleValue, ctx: SampleContext) => SampleValue | undefined;

/**
 * Reads converters from word[start..]; `fetchWhat` names the fetch in "missing comma after ..." (e.g.
 * "fetch keyword 'path'"). Errors are HAProxy's wording without the caller's prefix or suffix.
 */
export function parseConverterChain(
  word: string, start: number, inType: SampleType, fetchWhat: string, scope: SampleScope, fetchName: string,
): { convs: Converter[]; outType: SampleType; end: number } | { error: string } {
  const convs: Converter[] = [];
  // the declared type decides which converter may follow; the run-time one how a value is cast (they differ
  // after a converter whose result type depends on its arguments, as protobuf's)
  let curType = inType;
  let runType = inType;
  let p = start;
  let lastConv: string | null = null;
  while (p < word.length) {
    if (word[p] !== ',') return { error: `missing comma after ${lastConv ? `converter '${lastConv}'` : fetchWhat}` };
    while (word[p] === ',') p++;
    if (p >= word.length) break;
    let e = p;
    while (e < word.length && isIdChar(word[e]!)) e++;
    const name = word.slice(p, e);
    const conv = findConverter(name);
    if (!conv) return { error: `unknown converter '${name}'` };
    if (!canCast(curType, conv.inType)) return { error: `converter '${name}' cannot be applied` };
    const cargs = parseArgs(word, e, conv.args, conv.minArgs);
    if ('error' in cargs) {
      const got = cargs.error.match(/got (\d+)/)?.[1];
      const pos = cargs.error.match(/position (\d+)/)?.[1] ?? (got !== undefined ? String(Number(got) + 1) : String(cargs.arg ?? 1));
      return { error: `invalid arg ${pos} in converter '${name}' : ${cargs.error}` };
    }
    if (conv.validate) {
      const bad = conv.validate(cargs.values, scope);
      if (bad) return { error: `invalid args in converter '${name}' : ${bad}` };
    }
    registerArgReferences(scope.site, conv.args, cargs.values, conv.minArgs, fetchName, name);
    if (conv.lacking) scope.notes?.add(`converter '${name}'`);
    const fn = conv.compile(cargs.values, scope);
    const needs = conv.inType !== runType ? runType : null;
    convs.push(needs ? (v, ctx) => { const c = castSample(v, needs, conv.inType); return c === undefined ? undefined : fn(c, ctx); } : fn);
    // a converter that hands its input on ('any' out, as set-var) keeps the input's type
    curType = conv.outType === 'any' && conv.inType === 'any' ? curType : conv.outType;
    runType = conv.runOutType ?? (conv.outType === 'any' && conv.inType === 'any' ? runType : conv.outType);
    lastConv = name;
    p = cargs.end;
  }
  return { convs, outType: runType === 'any' ? 'any' : curType, end: p };
}

/** Characters of a fetch or converter name (HAProxy's is_idchar). */
export function isIdChar(c: string): boolean {
  return /[A-Za-z0-9._+:-]/.test(c);
}
