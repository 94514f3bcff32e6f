// The "stick-table" and "stick" keywords of proxy sections (src/cfgparse-listen.c), with HAProxy's messages.
import type { ProxyLineContext } from '../config/context.ts';
import { readCondition, ruleText } from '../config/rule-condition.ts';
import { usableAt } from '../sample/places.ts';
import { compileSampleExpr } from '../sample/sample-expr.ts';
import { sourceName } from '../http/actions/var-actions.ts';
import type { StickRule } from '../config/model.ts';
import { parseStickTable } from './table-spec.ts';

// "stick-table type ... size ..." : the section's own table, named after it.
export function parseStickTableKeyword(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'stick-table' is not supported in 'defaults' section.`);
    return;
  }
  const kind = c.proxy.kind as 'frontend' | 'backend' | 'listen';
  const other = c.state.tables?.find((t) => t.name === c.proxy.name);
  if (other) {
    c.alert(`stick-table name '${c.proxy.name}' conflicts with table declared in ${other.where} at ${other.loc.file}:${other.loc.line}.`);
    return;
  }
  const r = parseStickTable(c.args.map((w) => w.text), c.proxy.name, c.loc, kind);
  if ('error' in r) {
    c.alert(r.error, r.tight ? { form: 'parsing-tight' } : {});
    return;
  }
  for (const w of r.warnings) c.warn(w, { form: 'parsing-tight' });
  c.proxy.stickTable = r.table;
  c.state.tables?.push({ name: r.table.name, where: `${kind === 'listen' ? 'proxy' : kind} '${c.proxy.name}'`, loc: c.loc });
}

const KINDS: Record<string, StickRule['kind']> = {
  store: 'store-request',
  'store-request': 'store-request',
  'store-response': 'store-response',
  match: 'match',
  on: 'on',
};

// "stick on|match|store-request|store-response EXPR [table NAME] [if|unless COND]"
export function parseStickKeyword(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'stick' not allowed in 'defaults' section.`);
    return;
  }
  if (c.notCap('backend', 'stick')) return;
  const kind = KINDS[c.arg(1)];
  if (!kind) {
    c.alert(`'stick' expects 'on', 'match', or 'store'.`);
    return;
  }
  const text = c.arg(2);
  if (text === '') {
    c.alert(`'stick' expects a fetch method.`);
    return;
  }
  const expr = compileSampleExpr(text, c.sampleScope);
  if ('error' in expr) {
    c.alert(`'stick': ${expr.error}`);
    return;
  }
  const response = kind === 'store-response';
  if (!usableAt(expr.source, response ? 'backend http-response' : 'use-server')) {
    c.alert(`'stick': fetch method '${expr.fetch}' extracts information from '${sourceName(expr.source)}', none of which is available ${response ? "for 'store-response'" : 'during request'}.`);
    return;
  }
  let at = 3;
  let table: string | undefined;
  if (c.arg(at) === 'table') {
    table = c.arg(at + 1);
    at += 2;
  }
  const w = c.arg(at);
  if (w !== '' && w !== 'if' && w !== 'unless') {
    c.alert(`'stick': unknown keyword '${w}'.`);
    return;
  }
  const place = response ? 'backend http-response' : 'use-server';
  const r = readCondition(c, at, { front: place, back: place });
  if (!r.ok) {
    c.alert(`'stick': error detected while parsing sticking condition : ${'error' in r ? r.error : r.trailing.text}.`);
    return;
  }
  const rule: StickRule = { kind, expr, ...(table !== undefined ? { table } : {}), ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) };
  (response ? c.proxy.storeResponseRules : c.proxy.stickRules).push(rule);
}
