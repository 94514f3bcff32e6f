// The stick-table references checked once every section is read (check_config_validity in src/cfgparse.c and
// check_trk_action in src/action.c): each stick rule's and track-sc action's table must exist and take the
// rule's key type; stick rules make their table store the server (server_id, server_key).
import type { Diagnostic } from '../config/diagnostics.ts';
import type { ProxyDraft } from '../config/draft.ts';
import { canCast } from '../sample/sample.ts';
import { dataTypeIndex } from './data-types.ts';
import { keySampleType } from './table-key.ts';
import type { StickTableSpec } from './table-spec.ts';
import type { StickAction } from './track-actions.ts';

const SERVER_ID = dataTypeIndex('server_id');
const SERVER_KEY = dataTypeIndex('server_key');

/** Adds HAProxy's alerts for unresolved or incompatible tables to `d`, in its order. */
export function validateStickReferences(proxies: readonly ProxyDraft[], d: Diagnostic[]): void {
  const tables = new Map<string, StickTableSpec>();
  for (const p of proxies) if (p.stickTable && !tables.has(p.name)) tables.set(p.name, p.stickTable);
  const alert = (message: string, loc: Diagnostic['loc']): void => {
    d.push({ severity: 'alert', message, form: 'plain', ...(loc ? { loc } : {}) });
  };
  for (const p of proxies) {
    if (p.kind === 'defaults') continue;
    const sticks = [
      ...p.stickRules.map((r) => ({ r, what: 'stick-table' })),
      ...p.storeResponseRules.map((r) => ({ r, what: 'store table' })),
    ];
    for (const { r, what } of sticks) {
      const name = r.table ?? p.name;
      const t = tables.get(name);
      if (!t) alert(`Proxy '${p.name}': unable to find ${what} '${name}'.`, r.loc);
      else if (!canCast(r.expr.outType, keySampleType(t.type))) alert(`Proxy '${p.name}': type of fetch not usable with type of stick-table '${name}'.`, r.loc);
      else {
        if (!t.store.has(SERVER_ID)) t.store.set(SERVER_ID, { index: SERVER_ID });
        if (!t.store.has(SERVER_KEY)) t.store.set(SERVER_KEY, { index: SERVER_KEY });
      }
    }
    const order = ['connection', 'session', 'content'] as const;
    const rules = [
      ...order.flatMap((stage) => p.tcpRequestRules.filter((r) => r.stage === stage)),
      ...p.httpRequestRules,
      ...p.httpResponseRules,
    ];
    for (const r of rules) {
      if (r.action !== 'track-sc') continue;
      const rule = r as StickAction & { readonly action: 'track-sc'; readonly loc: Diagnostic['loc'] };
      const name = rule.table ?? p.name;
      const t = tables.get(name);
      if (!t) alert(`Proxy '${p.name}': unable to find table '${name}' referenced by track-sc${rule.sc}.`, rule.loc);
      else if (!canCast(rule.expr.outType, keySampleType(t.type))) {
        alert(`Proxy '${p.name}': stick-table '${name}' uses a type incompatible with the 'track-sc${rule.sc}' rule.`, rule.loc);
      }
    }
  }
}
