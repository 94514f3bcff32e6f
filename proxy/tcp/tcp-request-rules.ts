// The verdict of a proxy's "tcp-request connection", "tcp-request session" and "tcp-request content" rules, shared
// by mode tcp and mode http sessions (HAProxy runs these stages whatever the mode: src/tcp_rules.c). accept and
// reject end a stage; the variable actions (set-var, set-var-fmt, unset-var) and the stick actions (track-sc*,
// sc-inc-gpc*, sc-set-gpt*) run and evaluation goes on with the next rule.
import type { SampleContext } from '../sample/context.ts';
import type { ProxySpec, TcpRequestRule } from '../config/model.ts';
import { applyVarRule, isVarAction, type VarRule } from '../http/actions/var-actions.ts';
import { applyStickAction, type StickAction } from '../stick/track-actions.ts';
import { applyCaptureRule } from '../http/actions/capture-actions.ts';

const isFinal = (r: TcpRequestRule): r is Extract<TcpRequestRule, { action: 'accept' | 'reject' }> => r.action === 'accept' || r.action === 'reject';

const holds = (r: TcpRequestRule, ctx: SampleContext): boolean => !r.cond || r.cond.test(ctx) === (r.cond.polarity === 'if');

// A non-final rule: a variable action, a capture into a request slot, or a stick action into the session's (level
// 'session') or stream's counters.
function runStep(r: TcpRequestRule, ctx: SampleContext, level: 'session' | 'stream', backend = false): void {
  if (isVarAction(r.action)) applyVarRule(r as VarRule, ctx);
  else if (r.action === 'capture') applyCaptureRule(r, ctx, 'req');
  else applyStickAction(r as StickAction, ctx, { level, http: false, backend });
}

/**
 * The tcp-request content rules a backend runs when a stream enters it from `fe` (AN_REQ_INSPECT_BE): none for
 * the frontend's own section (a listen runs them once); its named defaults' rules only when the frontend does not
 * share that defaults section (tcp_inspect_request's def_rules: those rules are the very objects the frontend has).
 */
export function backendContentRules(fe: ProxySpec, be: ProxySpec): readonly TcpRequestRule[] {
  if (be === fe) return [];
  const frontOwn = new Set(fe.tcpRequestRules);
  return be.tcpRequestRules.filter((r) => r.stage === 'content' && !frontOwn.has(r));
}

// A stage run once on what is known (connection, session): the first accept or reject whose condition holds
// decides; none: accepted. `expectProxy` is set when an expect-proxy rule matched on the way.
function onceVerdict(stage: 'connection' | 'session', rules: readonly TcpRequestRule[], ctx: SampleContext, seen?: { expectProxy: boolean }): 'accept' | 'reject' {
  for (const r of rules) {
    if (r.stage !== stage || !holds(r, ctx)) continue;
    if (isFinal(r)) return r.action;
    if (r.action === 'expect-proxy') {
      if (seen) seen.expectProxy = true;
      continue;
    }
    runStep(r, ctx, 'session');
  }
  return 'accept';
}

/** tcp-request connection rules, when the connection is accepted (before any PROXY header or TLS handshake). */
export function connectionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext): { verdict: 'accept' | 'reject'; expectProxy: boolean } {
  const seen = { expectProxy: false };
  const verdict = onceVerdict('connection', rules, ctx, seen);
  return { verdict, expectProxy: seen.expectProxy };
}

/** tcp-request session rules, once the session exists (after the connection rules, before any content). */
export function sessionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext): 'accept' | 'reject' {
  return onceVerdict('session', rules, ctx);
}

/**
 * How far a content evaluation that waited got. As tcp_inspect_request does, each new evaluation starts again from
 * the first rule (a rule that cannot decide yet is no yield), so variables and captures before the rule that waited
 * are set again from the data buffered by then. The counter actions (sc-inc-gpc*, sc-set-gpt*) before that rule are
 * the exception: the engine runs them once, where the binary runs them once per wake-up, a number that depends on
 * how the data arrived (a counter before a waiting rule read 2 or 3 in different runs of the 2.6.12 binary).
 */
export interface ContentProgress {
  at: number;
}

// Actions whose second run changes nothing more than the first: rerun on every evaluation.
const rerunnable = (r: TcpRequestRule): boolean => isVarAction(r.action) || r.action === 'capture' || r.action === 'track-sc';

/**
 * Content rules on what is buffered so far; 'wait' while a condition cannot decide yet and this is not `final`.
 * With `progress`, a later call runs the counter actions before the rule that waited no more.
 */
export function contentVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext, final: boolean, progress?: ContentProgress, backend = false): 'accept' | 'reject' | 'wait' {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.stage !== 'content') continue;
    if (progress && i < progress.at && !isFinal(r) && !rerunnable(r)) continue;
    if (r.cond) {
      const result = final || !r.cond.testPartial ? r.cond.test(ctx) : r.cond.testPartial(ctx);
      if (result === undefined) {
        if (progress) progress.at = Math.max(progress.at, i);
        return 'wait';
      }
      if (result !== (r.cond.polarity === 'if')) continue;
    }
    if (isFinal(r)) {
      // a stream's content rules are what last_rule_file/line can name (the connection stages have no stream yet)
      if (ctx.captures) ctx.captures.lastRule = r.loc;
      return r.action;
    }
    // without `progress` a partial evaluation starts over from the first rule next time: a counter is only changed
    // once the verdict is final, so it is never counted twice (track-sc itself is idempotent)
    if (!final && !progress && !rerunnable(r)) {
      return 'wait';
    }
    runStep(r, ctx, 'stream', backend);
  }
  return 'accept';
}
