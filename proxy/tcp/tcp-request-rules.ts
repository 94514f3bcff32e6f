// The verdict of a proxy's "tcp-request connection" and "tcp-request content" rules, shared by mode tcp and mode
// http sessions (HAProxy runs both stages whatever the mode: src/tcp_rules.c).
import type { SampleContext } from '../sample/context.ts';
import type { TcpRequestRule } from '../config/model.ts';

/** The first connection rule whose condition holds decides; none: accepted. */
export function connectionVerdict(rules: readonly TcpRequestRule[], ctx: SampleContext): 'accept' | 'reject' {
  for (const r of rules) {
    if (r.stage !== 'connection') continue;
    if (r.cond && r.cond.test(ctx) !== (r.cond.polarity === 'if')) continue;
    return r.action;
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
    return r.action;
  }
  return 'accept';
}
