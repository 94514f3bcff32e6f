// The verdict of a proxy's "tcp-request connection" and "tcp-request content" rules, shared by mode tcp and mode
// http sessions (HAProxy runs both stages whatever the mode: src/tcp_rules.c).
import type { SampleContext } from '../sample/context.ts';
import type { TcpRequestRule } from '../config/model.ts';
import { applyStickAction, type StickAction } from '../stick/track-actions.ts';

/**
 * The first connection (or session) rule whose condition holds decides; none: accepted. The stick actions on the
 * way (track-sc*, sc-inc-gpc*, sc-set-gpt*) run and the list goes on, into the session's counters.
 */
export function connectionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext, stage: 'connection' | 'session' = 'connection'): 'accept' | 'reject' {
  for (const r of rules) {
    if (r.stage !== stage) continue;
    if (r.cond && r.cond.test(ctx) !== (r.cond.polarity === 'if')) continue;
    if (r.action === 'accept' || r.action === 'reject') return r.action;
    applyStickAction(r as StickAction, ctx, { level: 'session', http: false, backend: false });
  }
  return 'accept';
}

/** Content rules on what is buffered so far; 'wait' while a condition cannot decide yet and this is not `final`. */
export function contentVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext, final: boolean): 'accept' | 'reject' | 'wait' {
  for (const r of rules) {
    if (r.stage !== 'content') continue;
    if (r.cond) {
      const result = final || !r.cond.testPartial ? r.cond.test(ctx) : r.cond.testPartial(ctx);
      if (result === undefined) return 'wait';
      if (result !== (r.cond.polarity === 'if')) continue;
    }
    if (r.action === 'accept' || r.action === 'reject') return r.action;
    // a partial evaluation starts over from the first rule next time (HAProxy resumes where it stopped): a
    // counter is only changed once the verdict is final, so it is never counted twice
    if (!final && r.action !== 'track-sc') return 'wait';
    applyStickAction(r as StickAction, ctx, { level: 'stream', http: false, backend: false });
  }
  return 'accept';
}
