// An exchange's rules: http-request (then the standalone redirects) on the request, http-response on the server's
// head (the backend's, then the frontend's, as HAProxy's http_process_res_common), http-after-response on any head
// about to leave, the engine's own answers included.
import type { ProxySpec } from '../config/model.ts';
import type { SourceLoc } from '../config/diagnostics.ts';
import type { SampleContext } from '../sample/context.ts';
import type { FinalRule } from './actions/final-actions.ts';
import { firstMatching, runAfterResponseRules, runRequestRules, runResponseRules, type AfterResponseHead, type CacheHooks, type ResponseDeny } from './actions/run-rules.ts';
import { cacheStore, cacheUse, newCacheTxn } from '../cache/cache-exchange.ts';
import { htxSize } from './status-pages.ts';
import type { Txn } from './exchange.ts';
import type { ResponseHead } from './response-head.ts';
import { restrictHeaderNames } from './restrict-header-names.ts';

/** An http-response rule that replaces the server's answer, with the context its reply is built in. */
export interface ResponseDenial {
  readonly rule: ResponseDeny;
  readonly ctx: SampleContext;
}

/** Runs a proxy's http-request rules, then option http-restrict-req-hdr-names, then its redirect rules (even after an allow). Returns the rule that answers
 *  the request (deny, tarpit, return, redirect) with what decided it noted on the exchange, or null. */
export function applyRequestRules(t: Txn, spec: ProxySpec): FinalRule | null {
  const final = runRequestRules(spec.httpRequestRules, t.req, t.ctx, spec !== t.fe.spec, cacheHooks(t, null));
  // allow, deny and tarpit are noted before their answer is built; return and redirect build theirs in the action,
  // before HAProxy notes them (see noteAnsweringRule)
  if (final && final.action !== 'return' && final.action !== 'redirect') t.captures.lastRule = final.loc;
  let rule: FinalRule | null;
  const restricted = final && final.action !== 'allow' ? null : restrictHeaderNames(spec, t.req.headers);
  if (final && final.action !== 'allow') {
    rule = final;
    t.decidedBy = `http-request ${final.action}`;
  } else if (restricted) {
    rule = restricted;
    t.decidedBy = 'option http-restrict-req-hdr-names';
  } else {
    rule = firstMatching(spec.redirectRules, t.ctx);
    if (!rule) return null;
    t.decidedBy = 'redirect';
  }
  t.rule = { text: rule.text, loc: rule.loc };
  t.termination = 'PR--';
  return rule;
}

/** An http-request return or redirect, or an http-response return, is noted as the last rule once its answer is
 *  built (its formats saw the rule before it), as http_req/res_get_intercept_rule note an action's result. The
 *  standalone redirect rules are never noted. */
export function noteAnsweringRule(t: Txn, rule: { readonly loc: SourceLoc }): void {
  if (t.decidedBy === 'http-request return' || t.decidedBy === 'http-request redirect' || t.decidedBy === 'http-response return') t.captures.lastRule = rule.loc;
}

/** Runs the http-response rules on a final server head; header rules edit `resp.headers`. A rule that replaces
 *  the response (deny, return) is returned, counted and its termination state set. */
export function applyResponseRules(t: Txn, resp: ResponseHead): ResponseDenial | null {
  t.responseStarts();
  const beSpec = t.backend?.spec;
  const feSpec = t.fe.spec;
  if (feSpec.httpResponseRules.length === 0 && (!beSpec || beSpec.httpResponseRules.length === 0)) return null;
  // http-response track-sc counts the status it tracks from
  const stick = t.ctx.stick ? { ...t.ctx.stick, status: resp.status } : undefined;
  const ctx: SampleContext = { ...t.ctx, req: undefined, reqPersist: t.req, res: resp, server: t.server ?? undefined, stick };
  const deny = runResponseRules(beSpec && beSpec !== feSpec ? [beSpec, feSpec] : [feSpec], resp, ctx, cacheHooks(t, resp));
  if (!deny) return null;
  t.decidedBy = `http-response ${deny.action}`;
  t.rule = { text: deny.text, loc: deny.loc };
  if (deny.action === 'deny') {
    t.captures.lastRule = deny.loc;
    t.fe.deniedResponses++;
    if (t.backend) t.backend.deniedResponses++;
    if (t.server) t.server.deniedResponses++;
    t.termination = 'PH--';
  } else t.termination = 'LH--';
  return { rule: deny, ctx };
}

/** The proxies whose http-after-response rules apply (the backend's first, then the frontend's), or null. */
export function afterResponseSpecs(t: Txn): ProxySpec[] | null {
  const beSpec = t.backend?.spec;
  const feSpec = t.fe.spec;
  const specs = beSpec && beSpec !== feSpec ? [beSpec, feSpec] : [feSpec];
  return specs.some((s) => s.httpAfterResponseRules.length > 0) ? specs : null;
}

/** http-after-response rules on a head about to leave; `view` is what res.* fetches see of it. */
export function applyAfterResponseRules(t: Txn, head: AfterResponseHead, view: { version: string; compAlgo?: string | undefined; cacheName?: string | undefined }): void {
  const specs = afterResponseSpecs(t);
  if (!specs) return;
  t.responseStarts();
  const res = { get status() { return head.status; }, version: view.version, headers: head.headers, compAlgo: view.compAlgo, cacheName: view.cacheName };
  const ctx: SampleContext = { ...t.ctx, req: undefined, reqPersist: t.req, res, server: t.server ?? undefined };
  runAfterResponseRules(specs, head, ctx);
}

// The cache actions' effects on this exchange: cache-use on the request, cache-store on `resp`.
function cacheHooks(t: Txn, resp: ResponseHead | null): CacheHooks {
  return {
    cacheUse: (name) => {
      t.cache ??= newCacheTxn(t.req.method);
      cacheUse(t.cache, name, t.gen.caches.get(name), t.req, Math.floor(Date.now() / 1000));
    },
    cacheStore: (name) => {
      const cache = t.gen.caches.get(name);
      // a response from the cache is never stored again
      if (!resp || !cache || resp.cacheName !== undefined) return;
      t.cache ??= newCacheTxn(t.req.method);
      cacheStore(t.cache, cache, t.req, resp, htxSize(resp.status, resp.reason, resp.headers, 0), Math.floor(Date.now() / 1000));
    },
  };
}
