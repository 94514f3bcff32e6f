// if/unless conditions (HAProxy's parse_acl_cond and acl_exec_cond in src/acl.c): terms side by side AND
// together, "or"/"||" starts a new suite (suites OR together), leading '!' negate a term, "{ ... }" is an
// anonymous ACL. Compiled once into closures; test() allocates nothing of its own.
import type { SourceLoc, Word } from '../config/diagnostics.ts';
import type { SampleContext } from '../sample/context.ts';
import type { AclTrace, Condition, ConditionTrace } from './types.ts';
import { ProxyAcls, type Acl, type AclParseContext, type AclRegistry } from './named-acls.ts';
import type { FetchSource } from '../sample/sample.ts';

/** One ACL in a condition, negated or not. */
export interface Term {
  readonly acl: Acl;
  readonly neg: boolean;
}

/** A compiled condition, with what the config checks need to know about it. */
export interface CompiledCondition extends Condition {
  testPartial(ctx: SampleContext): boolean | undefined;
  /** OR of AND-suites, as parsed. */
  readonly suites: readonly (readonly Term[])[];
  /** True when some fetch needs the HTTP request (HAProxy's http_needed). */
  readonly usesHttp: boolean;
}

const NOWHERE: SourceLoc = { file: '', line: 0, col: 0 };

type Test = (ctx: SampleContext) => boolean;

function termTest(t: Term): Test {
  const acl = t.acl;
  return t.neg ? (ctx) => !acl.test(ctx) : (ctx) => acl.test(ctx);
}

function suiteTest(terms: readonly Term[]): Test {
  const fns = terms.map(termTest);
  if (fns.length === 1) return fns[0]!;
  if (fns.length === 2) {
    const [a, b] = fns as [Test, Test];
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (let i = 0; i < fns.length; i++) if (!fns[i]!(ctx)) return false;
    return true;
  };
}

function conditionTest(suites: readonly (readonly Term[])[]): Test {
  const fns = suites.map(suiteTest);
  if (fns.length === 0) return () => false;
  if (fns.length === 1) return fns[0]!;
  return (ctx) => {
    for (let i = 0; i < fns.length; i++) if (fns[i]!(ctx)) return true;
    return false;
  };
}

// Evaluates one ACL for the explain view: every expression until one matches, with the values it saw.
function explainAcl(t: Term, ctx: SampleContext): AclTrace {
  const values: string[] = [];
  const fetches: string[] = [];
  let matched = false;
  let pattern: string | undefined;
  for (const e of t.acl.exprs) {
    const tr = e.explain(ctx);
    fetches.push(e.text);
    values.push(...tr.values);
    if (tr.matched) {
      matched = true;
      pattern = tr.pattern;
      fetches.length = 0;
      fetches.push(e.text);
      break;
    }
  }
  const trace: AclTrace = {
    name: t.acl.name === '' ? '{ ... }' : t.acl.name,
    negated: t.neg,
    fetch: fetches.join(' | '),
    values,
    matched,
    loc: t.acl.loc,
    ...(pattern !== undefined ? { pattern } : {}),
  };
  return trace;
}

function explainCondition(suites: readonly (readonly Term[])[], ctx: SampleContext): ConditionTrace {
  const acls: AclTrace[] = [];
  let any = false;
  for (const suite of suites) {
    let all = true;
    for (const t of suite) {
      const tr = explainAcl(t, ctx);
      acls.push(tr);
      if (tr.matched === t.neg) {
        all = false;
        break;
      }
    }
    if (all) {
      any = true;
      break;
    }
  }
  return { result: any, acls };
}

// acl_exec_cond with SMP_OPT_FINAL unset: terms AND (stop at the first that is not PASS), suites OR (stop at
// PASS); a negated MISS stays MISS. Returns the result before polarity, or undefined for MISS.
function conditionPartial(suites: readonly (readonly Term[])[], ctx: SampleContext): boolean | undefined {
  let cond = 0;
  for (const suite of suites) {
    let s = 3;
    for (const t of suite) {
      let r = t.acl.partial(ctx);
      if (t.neg && r !== 1) r = r === 3 ? 0 : 3;
      s &= r;
      if (s !== 3) break;
    }
    cond |= s;
    if (cond === 3) break;
  }
  return cond === 3 ? true : cond === 1 ? undefined : false;
}

const HTTP_SOURCES: ReadonlySet<FetchSource> = new Set(['http-req', 'http-req-persist', 'http-res', 'http-res-persist']);

/**
 * Parses the words after 'if'/'unless' (the caller strips the keyword and passes polarity). test() and
 * explain() give the ACLs' result before polarity; see appliesTo() for the rule's decision.
 */
export function parseCondition(
  polarity: 'if' | 'unless',
  words: readonly Word[],
  acls: AclRegistry,
  ctx: AclParseContext,
): { cond: CompiledCondition } | { error: string } {
  if (!(acls instanceof ProxyAcls)) return { error: 'internal error: ACL registry not created by createAclRegistry()' };
  const suites: Term[][] = [];
  let cur: Term[] | null = null;
  let neg = false;
  for (let i = 0; i < words.length; i++) {
    let word = words[i]!.text;
    while (word.startsWith('!')) {
      neg = !neg;
      word = word.slice(1);
    }
    if (word === '') continue;
    if (word.toLowerCase() === 'or' || word === '||') {
      cur = null;
      neg = false;
      continue;
    }
    let acl: Acl | { error: string };
    if (word === '{') {
      let end = i + 1;
      while (end < words.length && words[end]!.text !== '}') end++;
      if (end >= words.length) return { error: "missing closing '}' in condition" };
      acl = acls.parse('', words.slice(i + 1, end), ctx, words[i]!.loc);
      i = end;
    } else {
      acl = acls.lookup(word, ctx, words[i]!.loc);
    }
    if ('error' in acl) return acl;
    if (!cur) {
      cur = [];
      suites.push(cur);
    }
    cur.push({ acl, neg });
    neg = false;
  }

  const test = conditionTest(suites);
  const usesHttp = suites.some((s) => s.some((t) => t.acl.exprs.some((e) => HTTP_SOURCES.has(e.source))));
  const cond: CompiledCondition = {
    polarity,
    text: words.map((w) => w.text).join(' '),
    loc: words[0]?.loc ?? NOWHERE,
    suites,
    usesHttp,
    test,
    testPartial: (c) => conditionPartial(suites, c),
    explain: (c) => explainCondition(suites, c),
  };
  return { cond };
}

// Whether a rule with this condition applies to the request: the ACL result with the polarity applied.
export function appliesTo(cond: Condition, ctx: SampleContext): boolean {
  return cond.test(ctx) === (cond.polarity === 'if');
}
