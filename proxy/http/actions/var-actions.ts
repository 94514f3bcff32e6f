// set-var(NAME) EXPR, set-var-fmt(NAME) FMT and unset-var(NAME) (parse_store / action_store in src/vars.c), shared
// by http-request, http-response, http-after-response and the tcp-request/tcp-response content rules.
import type { ProxyLineContext } from '../../config/context.ts';
import type { RuleFormat } from '../../config/model.ts';
import { PLAIN_FORMAT, tryRuleFormat } from '../../sample/rule-format.ts';
import { usableAt, type CheckPlace } from '../../sample/places.ts';
import { compileSampleExpr, type SampleExpr } from '../../sample/sample-expr.ts';
import type { SampleContext } from '../../sample/context.ts';
import type { FetchSource } from '../../sample/sample.ts';
import { parseVarConditions, parseVarName, setVarIf, unsetVar, type VarCondition, type VarName } from '../../sample/vars.ts';
import type { Parsed } from './common.ts';

export type VarRule =
  | { readonly action: 'set-var'; readonly variable: VarName; readonly expr: SampleExpr; readonly conds?: ReadonlySet<VarCondition> }
  | { readonly action: 'set-var-fmt'; readonly variable: VarName; readonly value: string; readonly format: RuleFormat; readonly conds?: ReadonlySet<VarCondition> }
  | { readonly action: 'unset-var'; readonly variable: VarName };

const EXPECTS = "Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'";

/** True for the action words this family parses ("set-var(txn.x)", and the incomplete "set-var" HAProxy reports). */
export function isVarAction(word: string): boolean {
  return word.startsWith('set-var') || word.startsWith('unset-var');
}

// HAProxy's sample_src_names for the sources our fetches have, as "extracts information from '...'" names them.
const SOURCE_NAMES: Partial<Record<FetchSource, string>> = {
  l5: 'client-side connection',
  l6req: 'request buffer',
  'http-req': 'HTTP request headers',
  'http-req-persist': 'HTTP request headers',
  'http-res': 'HTTP response headers',
  'http-res-persist': 'HTTP response headers',
  backend: 'backend',
  server: 'server',
};

/** Parses the action word c.arg(at - 1) and its argument; `places` are where its expression or format runs. */
export function parseVarAction(c: ProxyLineContext, at: number, places: readonly CheckPlace[]): Parsed<VarRule> {
  const word = c.arg(at - 1);
  const m = /^(set-var-fmt|set-var|unset-var)(\(.*)?$/.exec(word);
  if (!m || !m[2]) return { error: `invalid or incomplete action '${word}'. ${EXPECTS}` };
  const action = m[1] as VarRule['action'];
  const inner = m[2];
  const close = inner.indexOf(')');
  if (close < 0) return { error: `incomplete argument after action '${word}'. ${EXPECTS}` };
  const args = inner.slice(1, close);
  const comma = args.indexOf(',');
  const nameText = comma < 0 ? args : args.slice(0, comma);
  const variable = parseVarName(nameText, inner.slice(1 + nameText.length));
  if ('error' in variable) return variable;
  // 2.6's conditions after the name (ifexists, ifgt ...): set-var and set-var-fmt only
  let conds: ReadonlySet<VarCondition> | undefined;
  if (comma >= 0) {
    if (action === 'unset-var') return { error: 'unset-var does not expect parameters after the variable name. Only "set-var" and "set-var-fmt" manage conditions' };
    const parsed = parseVarConditions(args.slice(comma + 1).split(','));
    if ('error' in parsed) return parsed;
    conds = parsed;
  }
  const withConds = conds && conds.size > 0 ? { conds } : {};
  if (action === 'unset-var') return { rule: { action, variable }, next: at };
  if (action === 'set-var-fmt') {
    const value = c.arg(at);
    const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: places }, PLAIN_FORMAT);
    if ('error' in f) return f;
    return { rule: { action, variable, value, format: f.format, ...withConds }, next: at + 1 };
  }
  const expr = compileSampleExpr(c.arg(at), c.sampleScope);
  if ('error' in expr) return expr;
  if (expr.end !== c.arg(at).length) return { error: `missing comma after fetch keyword '${expr.fetch}'` };
  if (!places.some((p) => usableAt(expr.source, p))) {
    return { error: `fetch method '${word}' extracts information from '${sourceName(expr.source)}', none of which is available here` };
  }
  return { rule: { action, variable, expr, ...withConds }, next: at + 1 };
}

/** How HAProxy's "extracts information from '...'" names a fetch's source. */
export function sourceName(source: FetchSource): string {
  return SOURCE_NAMES[source] ?? source;
}

const NO_CONDS: ReadonlySet<VarCondition> = new Set();

/** Runs one variable rule: a missing sample or an unreachable scope changes nothing, as in HAProxy. */
export function applyVarRule(rule: VarRule, ctx: SampleContext): void {
  switch (rule.action) {
    case 'set-var': {
      const v = rule.expr.evaluateSample(ctx);
      if (v !== undefined) setVarIf(ctx.vars, rule.variable, v, rule.conds ?? NO_CONDS);
      return;
    }
    case 'set-var-fmt':
      setVarIf(ctx.vars, rule.variable, rule.format(ctx), rule.conds ?? NO_CONDS);
      return;
    case 'unset-var':
      unsetVar(ctx.vars, rule.variable);
  }
}
