// Runs a proxy's http-request and http-response rules in order (HAProxy's http_req_get_intercept_rule and
// http_res_get_intercept_rule): each action family runs its own rules; a final one ends the list.
import type { HttpAfterResponseRule, HttpRequestRule, HttpResponseRule, ProxySpec } from '../../config/model.ts';
import type { RuleTrace } from '../../events.ts';
import type { SampleContext } from '../../sample/context.ts';
import type { RequestHead } from '../request-head.ts';
import type { ResponseHead } from '../response-head.ts';
import type { FinalRule } from './final-actions.ts';
import { applyHeaderRule, replaceHeaders } from './header-actions.ts';
import { applyRequestLineRule } from './request-line-actions.ts';
import { applySetStatus } from './status-actions.ts';
import { applyVarRule } from './var-actions.ts';
import { applyAddressRule } from './address-actions.ts';
import { applyStickAction } from '../../stick/track-actions.ts';
import { applyCaptureRule } from './capture-actions.ts';
import { applySetTimeout } from './timeout-actions.ts';

/**
 * Runs the rules on `req`; returns the final rule that ended them (allow, deny, ...), or null when all ran.
 * `backend`: they are a backend's, reached from another frontend (what its track-sc rules remember).
 */
export function runRequestRules(rules: readonly HttpRequestRule[], req: RequestHead, ctx: SampleContext, backend = false, hooks?: CacheHooks): FinalRule | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.cond && rule.cond.test(ctx) !== (rule.cond.polarity === 'if')) continue;
    switch (rule.action) {
      case 'set-header':
      case 'add-header':
      case 'del-header':
        applyHeaderRule(req.headers, rule, ctx);
        continue;
      case 'replace-header':
      case 'replace-value':
        replaceHeaders(req.headers, rule, ctx);
        continue;
      case 'set-method':
      case 'set-path':
      case 'set-pathq':
      case 'set-query':
      case 'set-uri':
      case 'replace-path':
      case 'replace-pathq':
      case 'replace-uri':
        applyRequestLineRule(req, rule, ctx);
        continue;
      case 'set-var':
      case 'set-var-fmt':
      case 'unset-var':
        applyVarRule(rule, ctx);
        continue;
      case 'set-src':
      case 'set-dst':
      case 'set-src-port':
      case 'set-dst-port':
        applyAddressRule(rule, ctx);
        continue;
      case 'track-sc':
      case 'sc-inc-gpc':
      case 'sc-set-gpt':
        applyStickAction(rule, ctx, { level: 'stream', http: true, backend });
        continue;
      case 'capture':
        applyCaptureRule(rule, ctx, 'req');
        continue;
      case 'set-timeout':
        applySetTimeout(rule, ctx);
        continue;
      case 'cache-use':
        hooks?.cacheUse(rule.cache, ctx);
        continue;
      case 'redirect':
        // ignore-empty: a location that prints nothing skips the rule (http_apply_redirect_rule's ret 2)
        if (rule.ignoreEmpty && rule.type === 'location' && rule.format && rule.format(ctx) === '') continue;
        return rule;
      default:
        return rule;
    }
  }
  return null;
}

/** The first rule whose condition holds (the standalone redirect rules), or null. */
export function firstMatching<R extends HttpRequestRule>(rules: readonly R[], ctx: SampleContext): R | null {
  for (const rule of rules) {
    if (!rule.cond || rule.cond.test(ctx) === (rule.cond.polarity === 'if')) return rule;
  }
  return null;
}

/** What the cache actions do to the exchange the rules run for (cache/cache-exchange.ts). */
export interface CacheHooks {
  cacheUse(cache: string, ctx: SampleContext): void;
  cacheStore(cache: string, ctx: SampleContext): void;
}

export type ResponseDeny = Extract<HttpResponseRule, { action: 'deny' | 'return' }>;

/** Runs each proxy's http-response rules on `resp`, in the order given; returns the deny or return that ended them, or null. */
export function runResponseRules(specs: readonly ProxySpec[], resp: ResponseHead, ctx: SampleContext, hooks?: CacheHooks): ResponseDeny | null {
  for (const spec of specs) {
    for (const rule of spec.httpResponseRules) {
      if (rule.cond && rule.cond.test(ctx) !== (rule.cond.polarity === 'if')) continue;
      if (rule.action === 'allow') {
        // HTTP_RULE_RES_STOP: the rest of this proxy's list is skipped, the next proxy's still runs
        if (ctx.captures) ctx.captures.lastRule = rule.loc;
        break;
      }
      switch (rule.action) {
        case 'deny':
        case 'return':
          return rule;
        case 'track-sc':
        case 'sc-inc-gpc':
        case 'sc-set-gpt':
          applyStickAction(rule, ctx, { level: 'stream', http: true, backend: spec !== specs[specs.length - 1] });
          continue;
        case 'cache-store':
          hooks?.cacheStore(rule.cache, ctx);
          continue;
        default:
          applyResponseEdit(resp, rule, ctx);
      }
    }
  }
  return null;
}

// The edits http-response and http-after-response rules share: status, header rewrites, variables.
function applyResponseEdit(resp: AfterResponseHead | ResponseHead, rule: ResponseEditRule, ctx: SampleContext): void {
  switch (rule.action) {
    case 'set-status':
      applySetStatus(resp, rule);
      return;
    case 'replace-header':
    case 'replace-value':
      replaceHeaders(resp.headers, rule, ctx);
      return;
    case 'set-var':
    case 'set-var-fmt':
    case 'unset-var':
      applyVarRule(rule, ctx);
      return;
    case 'capture':
      applyCaptureRule(rule, ctx, 'res');
      return;
    default:
      applyHeaderRule(resp.headers, rule, ctx);
  }
}

type ResponseEditRule = Exclude<HttpAfterResponseRule, { action: 'allow' | 'strict-mode' }>;

/** The head http-after-response rules edit: a server's response or one the proxy made itself. */
export interface AfterResponseHead {
  status: number;
  reason: string;
  readonly headers: string[];
}

/**
 * Runs each proxy's http-after-response rules on `resp`, in the order given (the backend's, then the frontend's,
 * as http_eval_after_res_rules); allow ends one proxy's list only. strict-mode changes nothing here: the engine's
 * header rewrites cannot fail, which is all it governs.
 */
export function runAfterResponseRules(specs: readonly ProxySpec[], resp: AfterResponseHead, ctx: SampleContext): void {
  for (const spec of specs) {
    for (const rule of spec.httpAfterResponseRules as readonly HttpAfterResponseRule[]) {
      if (rule.cond && rule.cond.test(ctx) !== (rule.cond.polarity === 'if')) continue;
      if (rule.action === 'allow') {
        if (ctx.captures) ctx.captures.lastRule = rule.loc;
        break;
      }
      switch (rule.action) {
        case 'strict-mode':
          continue;
        default:
          applyResponseEdit(resp, rule, ctx);
      }
    }
  }
}

// http-request actions after which the next rules still run.
const NON_FINAL_REQUEST_ACTIONS: ReadonlySet<string> = new Set([
  'set-header', 'add-header', 'del-header', 'replace-header', 'replace-value',
  'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'replace-path', 'replace-pathq', 'replace-uri',
  'set-var', 'set-var-fmt', 'unset-var', 'track-sc', 'sc-inc-gpc', 'sc-set-gpt', 'capture',
]);

// Re-evaluates a frontend's http-request and use_backend rules in explain mode, for the TUI (only when someone listens).
export function traceRequestRules(spec: ProxySpec, ctx: SampleContext): RuleTrace[] {
  const out: RuleTrace[] = [];
  for (const r of spec.httpRequestRules) {
    if (!r.cond) {
      out.push({ rule: r.text, loc: r.loc, matched: true, acls: [] });
      if (!NON_FINAL_REQUEST_ACTIONS.has(r.action)) return out;
      continue;
    }
    const tr = r.cond.explain(ctx);
    const matched = tr.result === (r.cond.polarity === 'if');
    out.push({ rule: r.text, loc: r.loc, matched, acls: tr.acls });
    if (matched && !NON_FINAL_REQUEST_ACTIONS.has(r.action)) return out;
  }
  for (const r of spec.useBackends) {
    if (!r.cond) {
      out.push({ rule: r.text, loc: r.loc, matched: true, acls: [] });
      return out;
    }
    const tr = r.cond.explain(ctx);
    const matched = tr.result === (r.cond.polarity === 'if');
    out.push({ rule: r.text, loc: r.loc, matched, acls: tr.acls });
    if (matched) return out;
  }
  return out;
}
