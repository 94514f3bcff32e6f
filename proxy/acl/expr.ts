// One ACL expression ("FETCH [flags] PATTERNS..."), parsed as HAProxy's parse_acl_expr (src/acl.c) does:
// ACL keyword or sample fetch, arguments, converters, then -i/-n/-m/-f/-u/-M/-- once, then the patterns.
// The result is a closure: fetch → (converters) → cast → match, with the visitor built once.
import type { SourceLoc, Word } from '../config/diagnostics.ts';
import { registerArgReferences, type ArgReference, type ReferenceSite } from '../sample/arg-refs.ts';
import type { SampleContext } from '../sample/context.ts';
import { parseArgs } from '../sample/args.ts';
import { isIdChar, parseConverterChain } from '../sample/converter-chain.ts';
import { findFetch } from '../sample/fetches/index.ts';
import { findAclKeyword } from './keywords.ts';
import { canCast, fetchFlags, type FetchFn, type FetchSource, type SampleType, type SampleValue, type Visit } from '../sample/sample.ts';
import { compileMatch, MATCH_EXPECTS, MATCH_METHODS, type AnyMatch, type CompiledMatch, type MatchMethod } from './match.ts';
import { castSample } from '../sample/cast.ts';
import { PatternRefs, type PatternRef } from './pattern-refs.ts';
import { PatternLookup, patternUse } from './pattern-lookup.ts';

/** What one evaluation of an expression saw, for the explain view. */
export interface ExprTrace {
  readonly values: string[];
  matched: boolean;
  pattern?: string;
}

export interface AclExpr {
  /** HAProxy's expr->kw: the ACL keyword, or the fetch keyword. */
  readonly kw: string;
  /** The fetch word as written, e.g. "hdr_sub(host)". */
  readonly text: string;
  readonly source: FetchSource;
  readonly loc: SourceLoc;
  test(ctx: SampleContext): boolean;
  /** PASS (3), MISS (1: may still match once more data arrives) or FAIL (0), as acl_exec_cond counts them. */
  partial(ctx: SampleContext): AclResult;
  explain(ctx: SampleContext): ExprTrace;
}

/** HAProxy's acl_test_res values, so AND is `&` and OR is `|`. */
export type AclResult = 0 | 1 | 3;

export interface ExprOptions {
  readonly baseDir: string;
  /** The section the ACL is written in. */
  readonly proxy: string;
  /** Collects the lacking fetches and converters it uses (see SampleScope). */
  readonly notes?: Set<string>;
  /** The config's pattern files; without it (a lone expression's check) a throwaway set. */
  readonly patterns?: PatternRefs;
  /** Receives the proxies, servers and tables its arguments name, resolved once every section is parsed. */
  readonly refs?: ArgReference[];
  warn(message: string, loc: SourceLoc): void;
}

const STD_OPS: Record<string, 'eq' | 'gt' | 'ge' | 'lt' | 'le'> = { eq: 'eq', gt: 'gt', ge: 'ge', lt: 'lt', le: 'le' };

// is_idchar from HAProxy: what a keyword may contain.
function defaultMatch(type: SampleType): AnyMatch | null {
  switch (type) {
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'ip':
      return 'ip';
    case 'str':
      return 'str';
    default:
      return null;
  }
}

function display(v: SampleValue): string {
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** One source of patterns of an expression (a file, or the inline patterns): the pattern that matched, if any. */
interface Group {
  readonly match: (v: SampleValue) => boolean;
  readonly which: (v: SampleValue) => string | undefined;
}

// found and bool look at the sample only; every other method looks the sample up in the reference.
function groupOf(ref: PatternRef, method: AnyMatch, icase: boolean, noDns: boolean): Group {
  if (method === 'found' || method === 'bool') {
    const m = compileMatch(method, [], icase, noDns) as CompiledMatch;
    return { match: (v) => m.match(v) >= 0, which: () => undefined };
  }
  const lookup = new PatternLookup(ref, method, icase, noDns);
  return { match: (v) => lookup.find(v) !== undefined, which: (v) => lookup.find(v)?.elt.pattern };
}

/**
 * Parses words = [FETCH, flags..., patterns...]. Returns the expression or HAProxy's error text (without the
 * "error detected while parsing ACL" wrapper, which the caller adds).
 */
export function parseAclExpr(words: readonly Word[], opts: ExprOptions): AclExpr | { error: string } {
  const first = words[0];
  const word = first?.text ?? '';
  const loc = first?.loc ?? { file: '', line: 0, col: 0 };
  let kwEnd = 0;
  while (kwEnd < word.length && isIdChar(word[kwEnd]!)) kwEnd++;
  const kwName = word.slice(0, kwEnd);
  const aclkw = kwName !== '' ? findAclKeyword(kwName) : undefined;
  const fetchDef = aclkw ? findFetch(aclkw.fetch) : kwName !== '' ? findFetch(kwName) : undefined;

  if (!aclkw && !fetchDef) {
    if (kwName === '') return { error: `missing fetch method in ACL expression '${word}'` };
    return { error: `unknown fetch method '${kwName}' in ACL expression '${word}'` };
  }
  const def = fetchDef!;
  const parsed = parseArgs(word, kwEnd, def.args, def.minArgs);
  if ('error' in parsed) {
    return { error: aclkw ? `ACL keyword '${aclkw.name}' : ${parsed.error}` : `fetch method '${kwName}' : ${parsed.error} in ACL expression '${word}'` };
  }
  if (def.validate) {
    const bad = def.validate(parsed.values);
    if (bad) return { error: aclkw ? `in argument to '${aclkw.name}', ${bad}` : `invalid args in fetch method '${kwName}' : ${bad} in ACL expression '${word}'` };
  }
  if (def.lacking) opts.notes?.add(`fetch method '${def.name}'`);
  const fetch: FetchFn = def.compile(parsed.values, opts.proxy);
  const site: ReferenceSite | undefined = opts.refs ? { loc, context: 'acl', refs: opts.refs } : undefined;
  registerArgReferences(site, def.args, parsed.values, def.minArgs, def.name);

  // Converters: ",lower,field(1,:)..." right after the keyword and its arguments.
  const fail = (why: string): { error: string } => ({ error: aclkw ? `ACL keyword '${aclkw.name}' : ${why}.` : `${why} in ACL expression '${word}'` });
  const chain = parseConverterChain(word, parsed.end, def.outType, aclkw ? 'fetch keyword' : `fetch keyword '${kwName}'`, { proxy: opts.proxy, ...(opts.notes ? { notes: opts.notes } : {}), ...(opts.patterns ? { patterns: opts.patterns } : {}), ...(site ? { site } : {}) }, def.name);
  if ('error' in chain) return fail(chain.error);
  const convs = chain.convs;
  const curType = chain.outType;

  const kw = aclkw && convs.length === 0 ? aclkw.name : def.name;
  let method: AnyMatch | null = aclkw && convs.length === 0 ? aclkw.match : defaultMatch(curType);

  const rest = words.slice(1);
  if (method !== null && curType !== 'bool' && rest.length === 0) {
    opts.warn(
      `parsing acl keyword '${word}' :\n` +
        '  no pattern to match against were provided, so this ACL will never match.\n' +
        "  If this is what you intended, please add '--' to get rid of this warning.\n" +
        "  If you intended to match only for existence, please use '-m found'.\n" +
        "  If you wanted to force an int to match as a bool, please use '-m bool'.\n",
      loc,
    );
  }

  // Options before the patterns.
  let icase = false;
  let noDns = false;
  let asMap = false;
  let loaded = false;
  let uniqueId = -1;
  const patternRefs = opts.patterns ?? new PatternRefs(opts.baseDir);
  const groups: Group[] = [];
  let i = 0;
  while (i < rest.length && rest[i]!.text.startsWith('-')) {
    const opt = rest[i]!.text;
    if (opt === '-i') icase = true;
    else if (opt === '-n') noDns = true;
    else if (opt === '-u') {
      const id = rest[i + 1]?.text ?? '';
      if (!/^-?\d+$/.test(id)) return { error: 'the argument of -u must be an integer' };
      uniqueId = Number(id);
      if (patternRefs.hasId(uniqueId)) return { error: 'the id is already used' };
      i++;
    } else if (opt === '-M') asMap = true;
    else if (opt === '-f') {
      if (method === null) return { error: `matching method must be specified first (using '-m') when using a sample fetch of this type ('${kw}')` };
      const file = rest[i + 1]?.text ?? '';
      const ref = patternRefs.file(file, asMap, { kind: asMap ? 'map' : 'acl', file: loc.file, line: loc.line });
      if ('error' in ref) return ref;
      // an ACL's file is an ACL reference even with -M (refflags = ACL|MAP)
      ref.flags.acl = true;
      const added = ref.addUse(patternUse(method, icase, noDns));
      if (added.error !== undefined) return { error: added.error };
      groups.push(groupOf(ref, method, icase, noDns));
      loaded = true;
      i++;
    } else if (opt === '-m') {
      if (loaded) return { error: "'-m' must only be specified before patterns and files in parsing ACL expression" };
      const name = rest[i + 1]?.text ?? '';
      if (!(MATCH_METHODS as readonly string[]).includes(name)) return { error: `unknown matching method '${name}' when parsing ACL expression` };
      const m = name as MatchMethod;
      if (m !== 'found' && !canCast(curType, MATCH_EXPECTS[m])) return { error: `matching method '${name}' cannot be used with fetch keyword '${kw}'` };
      method = m;
      i++;
    } else if (opt === '--') {
      i++;
      break;
    } else {
      return { error: `'${opt}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'` };
    }
    i++;
  }
  if (method === null) return { error: `matching method must be specified first (using '-m') when using a sample fetch of this type ('${kw}')` };

  // Patterns; int and len accept the operators eq/gt/ge/lt/le, rewritten into ranges as parse_acl_expr does.
  const patterns: string[] = [];
  let op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' = 'eq';
  for (; i < rest.length; i++) {
    let text = rest[i]!.text;
    if (method === 'int' || method === 'len') {
      const maybeOp = STD_OPS[text];
      if (maybeOp) {
        op = maybeOp;
        continue;
      }
      if (!text.includes(':') && !text.includes('-') && op !== 'eq') {
        if (!/^\d+$/.test(text)) return { error: `'${text}' is neither a number nor a supported operator` };
        const n = Number(text);
        text = op === 'gt' ? `${n + 1}:` : op === 'ge' ? `${n}:` : op === 'lt' ? `:${n - 1}` : `:${n}`;
      }
    }
    patterns.push(text);
  }
  const inline = compileMatch(method, patterns, icase, noDns);
  if ('error' in inline) return inline;
  // every expression has a reference of its own for its inline patterns (show acl lists it, add acl #ID adds to it)
  const own = patternRefs.inline(`acl '${kw}' file '${loc.file}' line ${loc.line}`, uniqueId);
  own.addUse(patternUse(method, icase, noDns));
  for (const p of patterns) own.load(0, p, undefined);
  groups.push(groupOf(own, method, icase, noDns));

  return buildExpr(kw, word, def.source, loc, fetch, convs, curType, method, groups);
}

function buildExpr(
  kw: string, text: string, source: FetchSource, loc: SourceLoc, fetch: FetchFn,
  convs: readonly ((v: SampleValue, ctx: SampleContext) => SampleValue | undefined)[],
  type: SampleType, method: AnyMatch, groups: readonly Group[],
): AclExpr {
  const expects = MATCH_EXPECTS[method];
  const needsCast = method !== 'found' && expects !== type && !(expects === 'addr' && type === 'ip');
  const matchers = groups.map((g) => g.match);
  const single = matchers.length === 1 ? matchers[0]! : null;
  const httpSource = source === 'http-req' || source === 'http-req-persist';
  // A converter that fails stops the expression (sample_process fails); a failed cast only skips the sample.
  let aborted = false;
  // the context of the test running now, for converters that read or store variables
  let cur: SampleContext | undefined;
  const convert = (v: SampleValue): SampleValue | undefined => {
    let x: SampleValue | undefined = v;
    for (let k = 0; k < convs.length && x !== undefined; k++) x = convs[k]!(x, cur!);
    return x;
  };

  let visit: Visit;
  if (method === 'found' && convs.length === 0) visit = () => true;
  else if (!needsCast && convs.length === 0 && single) visit = single;
  else {
    visit = (raw) => {
      const v0 = convs.length === 0 ? raw : convert(raw);
      if (v0 === undefined) {
        aborted = true;
        return true;
      }
      if (method === 'found') return true;
      const v = needsCast ? castSample(v0, type, expects) : v0;
      if (v === undefined) return false;
      for (let k = 0; k < matchers.length; k++) if (matchers[k]!(v)) return true;
      return false;
    };
  }
  const test =
    convs.length === 0
      ? (ctx: SampleContext) => fetch(ctx, visit)
      : (ctx: SampleContext) => {
          aborted = false;
          cur = ctx;
          return fetch(ctx, visit) && !aborted;
        };

  return {
    kw, text, source, loc,
    test,
    partial: (ctx) => {
      fetchFlags.mayChange = false;
      fetchFlags.partial = true;
      let ok: boolean;
      try {
        ok = test(ctx);
      } finally {
        fetchFlags.partial = false;
      }
      const may = fetchFlags.mayChange || (httpSource && ctx.req === undefined && ctx.reqIncomplete === true);
      fetchFlags.mayChange = false;
      return ok ? 3 : may ? 1 : 0;
    },
    explain: (ctx) => {
      const trace: ExprTrace = { values: [], matched: false };
      fetch(ctx, (raw) => {
        const v0 = convs.length === 0 ? raw : convert(raw);
        if (v0 === undefined) return true;
        trace.values.push(display(v0));
        if (method === 'found') {
          trace.matched = true;
          return true;
        }
        const v = needsCast ? castSample(v0, type, expects) : v0;
        if (v === undefined) return false;
        for (const g of groups) {
          if (!g.match(v)) continue;
          trace.matched = true;
          const pat = g.which(v);
          if (pat !== undefined) trace.pattern = pat;
          return true;
        }
        return false;
      });
      return trace;
    },
  };
}
