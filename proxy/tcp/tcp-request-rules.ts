// The verdict of a proxy's "tcp-request connection", "tcp-request session" and "tcp-request content" rules, shared
// by mode tcp and mode http sessions (HAProxy runs these stages whatever the mode: src/tcp_rules.c). accept and
// reject end a stage; set-var, set-var-fmt and unset-var run and evaluation goes on with the next rule.
import type { SampleContext } from '../sample/context.ts';
import type { TcpRequestRule } from '../config/model.ts';
import { applyVarRule, type VarRule } from '../http/actions/var-actions.ts';

const isFinal = (r: TcpRequestRule): r is Extract<TcpRequestRule, { action: 'accept' | 'reject' }> => r.action === 'accept' || r.action === 'reject';

const holds = (r: TcpRequestRule, ctx: SampleContext): boolean => !r.cond || r.cond.test(ctx) === (r.cond.polarity === 'if');

// A stage run once on what is known (connection, session): the first accept or reject whose condition holds
// decides; none: accepted.
function onceVerdict(stage: 'connection' | 'session', rules: readonly TcpRequestRule[], ctx: SampleContext): 'accept' | 'reject' {
  for (const r of rules) {
    if (r.stage !== stage || !holds(r, ctx)) continue;
    if (isFinal(r)) return r.action;
    applyVarRule(r as VarRule, ctx);
  }
  return 'accept';
}

/** tcp-request connection rules, when the connection is accepted. */
export function connectionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext): 'accept' | 'reject' {
  return onceVerdict('connection', rules, ctx);
}

/** tcp-request session rules, once the session exists (after the connection rules, before any content). */
export function sessionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext): 'accept' | 'reject' {
  return onceVerdict('session', rules, ctx);
}

/**
 * Content rules on what is buffered so far; 'wait' while a condition cannot decide yet and this is not `final`.
 * Each evaluation starts again at the first rule, so variable actions run again too (HAProxy resumes at a rule
 * only when an action yields, never on missing data: tcp_inspect_request's missing_data path).
 */
export function contentVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext, final: boolean): 'accept' | 'reject' | 'wait' {
  for (const r of rules) {
    if (r.stage !== 'content') continue;
    if (r.cond) {
      const result = final || !r.cond.testPartial ? r.cond.test(ctx) : r.cond.testPartial(ctx);
      if (result === undefined) return 'wait';
      if (result !== (r.cond.polarity === 'if')) continue;
    }
    if (isFinal(r)) return r.action;
    applyVarRule(r as VarRule, ctx);
  }
  return 'accept';
}
