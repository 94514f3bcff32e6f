// The stick-table references checked once every section is read (check_config_validity in src/cfgparse.c and
// check_trk_action in src/action.c): each stick rule's and track-sc action's table must exist and take the
// rule's key type; stick rules make their table store the server (server_id, server_key).
import type { Diagnostic } from '../config/diagnostics.ts';
import type { ProxyDraft } from '../config/draft.ts';
import { canCast } from '../sample/sample.ts';
import { dataTypeIndex } from './data-types.ts';
import { keySampleType } from './table-key.ts';
import type { StickTableSpec } from './table-spec.ts';
import type { PeersSpec } from '../config/model.ts';
import type { StickAction } from './track-actions.ts';

const SERVER_ID = dataTypeIndex('server_id');
const SERVER_KEY = dataTypeIndex('server_key');

/** Adds HAProxy's alerts for unresolved or incompatible tables to `d`, in its order. */
export function validateStickReferences(proxies: readonly ProxyDraft[], peers: ReadonlyMap<string, PeersSpec>, d: Diagnostic[]): void {
  const tables = new Map<string, StickTableSpec>();
  for (const p of proxies) if (p.stickTable && !tables.has(p.name)) tables.set(p.name, p.stickTable);
  for (const s of peers.values()) for (const t of s.tables) if (!tables.has(t.name)) tables.set(t.name, t);
  const alert = (message: string, loc: Diagnostic['loc']): void => {
    d.push({ severity: 'alert', message, form: 'plain', ...(loc ? { loc } : {}) });
  };
  for (const p of proxies) {
    if (p.kind === 'defaults') continue;
    // the section a table is shared with must exist and know this process (check_config_validity)
    const shared = p.stickTable?.peers;
    if (shared !== undefined) {
      const section = peers.get(shared);
      if (!section) alert(`Proxy '${p.name}': unable to find sync peers '${shared}'.`, p.stickTable!.loc);
      else if (!section.disabled && !section.hasFrontend) {
        alert(`Proxy '${p.name}': unable to find local peer '${section.localPeer}' in peers section '${shared}'.`, p.stickTable!.loc);
      }
    }
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
    if (p.kind !== 'backend') contentTrackWarnings(p, d);
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

const REQUEST_CONTENTS: ReadonlySet<string> = new Set(['l6req', 'http-req', 'http-req-persist']);

interface ExprSources {
  readonly suites?: readonly (readonly { readonly acl: { readonly exprs: readonly { readonly source: string }[] } }[])[];
}

// Whether a condition reads the request's contents (SMP_USE_L6REQ / HRQHV / HRQHP / HRQBO).
function readsRequest(cond: unknown): boolean {
  const suites = (cond as ExprSources | undefined)?.suites ?? [];
  return suites.some((s) => s.some((t) => t.acl.exprs.some((e) => REQUEST_CONTENTS.has(e.source))));
}

// check_trk_action()'s two warnings about tcp-request content track-sc rules of a frontend.
function contentTrackWarnings(p: ProxyDraft, d: Diagnostic[]): void {
  const where = `${p.kind === 'listen' ? 'proxy' : p.kind} '${p.name}'`;
  for (const r of p.tcpRequestRules) {
    if (r.stage !== 'content' || r.action !== 'track-sc') continue;
    const source = (r as { readonly expr: { readonly source: string } }).expr.source;
    const warn = (message: string): void => {
      d.push({ severity: 'warning', message, form: 'plain', loc: r.loc });
    };
    if (!p.tcpInspectDelay && REQUEST_CONTENTS.has(source)) {
      warn(`${where} : a 'tcp-request content track-sc*' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay.`);
    }
    if (p.mode === 'http' && !REQUEST_CONTENTS.has(source) && !readsRequest(r.cond)) {
      warn(`${where} : a 'tcp-request content track-sc*' rule not depending on request contents for an HTTP frontend should be executed at the session level, using a 'tcp-request session' rule (mandatory to track invalid HTTP requests).`);
    }
  }
}
