// http-request set-timeout server|tunnel <time>|<expr> (http_act.c, cfg_parse_rule_set_timeout): this stream's
// server or tunnel timeout instead of the backend's. The stream keeps the value (SampleContext.streamTimeouts);
// the server connection and the tunnel read it, and cur_server_timeout / cur_tunnel_timeout show it.
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import type { SampleContext } from '../../sample/context.ts';
import { compileSampleExpr } from '../../sample/sample-expr.ts';
import { readInt64 } from '../../sample/sample.ts';
import { parseTime } from '../../config/units.ts';
import type { Parsed } from './common.ts';

export type SetTimeoutRule = Extract<HttpRequestRule, { action: 'set-timeout' }>;

/** Parses "set-timeout NAME VALUE" from word `at` (the word after the action). */
export function parseSetTimeout(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
  const name = c.arg(at);
  const value = c.arg(at + 1);
  if (name === '' || value === '') return { error: 'expects exactly 2 arguments' };
  if (c.proxyType === 'frontend') return { error: `proxy '${c.proxy.name}' has no backend capability` };
  if (name !== 'server' && name !== 'tunnel') return { error: `'set-timeout' rule supports 'server'/'tunnel' (got '${name}')` };
  const t = parseTime(value);
  if (t.ok) {
    if (t.ms === 0) return { error: `null value is not valid for a 'set-timeout ${name}' rule` };
    return { rule: { action: 'set-timeout', which: name, ms: t.ms }, next: at + 2 };
  }
  if ('overflow' in t) {
    return { error: `timer overflow in argument '${value}' to rule 'set-timeout ${name}' (maximum value is 2147483647 ms or ~24.8 days)` };
  }
  // not a time: an expression giving milliseconds
  const expr = compileSampleExpr(value, c.sampleScope);
  if ('error' in expr) return { error: `unexpected character '${t.badChar}' in rule 'set-timeout ${name}'` };
  return { rule: { action: 'set-timeout', which: name, expr }, next: at + 2 };
}

export function applySetTimeout(rule: SetTimeoutRule, ctx: SampleContext): void {
  const to = ctx.streamTimeouts;
  if (!to) return;
  if (rule.ms !== undefined) {
    to[rule.which] = rule.ms;
    return;
  }
  // sample_fetch_as_type(SINT): no sample leaves the timeout as it was
  const v = rule.expr?.evaluate(ctx);
  if (v === undefined || v === '') return;
  to[rule.which] = Number(readInt64(v));
}
