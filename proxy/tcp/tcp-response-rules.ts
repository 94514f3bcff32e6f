// The verdict of a backend's "tcp-response content" rules on the response buffered so far (tcp_inspect_response
// in src/tcp_rules.c), shared by mode tcp and mode http. As on the request side, each evaluation starts again
// from the first rule until one decides: accept and reject end the rules, close ends them after shutting the
// server's connection, and a condition that cannot decide yet (a partial evaluation) makes them wait.
import type { SampleContext } from '../sample/context.ts';
import type { TcpResponseRule } from '../config/model.ts';
import { applyVarRule, isVarAction, type VarRule } from '../http/actions/var-actions.ts';
import { applyStickAction, type StickAction } from '../stick/track-actions.ts';

export type ResponseVerdict = 'accept' | 'reject' | 'close' | 'wait';

/** How far the evaluations got: the counter actions before the rule that waited run once (see contentVerdict). */
export interface ResponseProgress {
  at: number;
}

const isFinal = (r: TcpResponseRule): r is Extract<TcpResponseRule, { action: 'accept' | 'reject' | 'close' }> =>
  r.action === 'accept' || r.action === 'reject' || r.action === 'close';

/**
 * Runs `rules` on `ctx` (whose resPayload is what the server sent so far); `final` once no more can change the
 * answer (the server closed, the message is complete, the inspect delay is over, or there is none). `backend` is
 * set when the stream came to this backend from another frontend (STKCTR_TRACK_BACKEND has no effect here, but
 * the counters the actions reach are the stream's).
 */
export function responseVerdict(rules: readonly TcpResponseRule[], ctx: SampleContext, final: boolean, progress: ResponseProgress, backend: boolean): ResponseVerdict {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.cond) {
      const result = final || !r.cond.testPartial ? r.cond.test(ctx) : r.cond.testPartial(ctx);
      if (result === undefined) {
        progress.at = Math.max(progress.at, i);
        return 'wait';
      }
      if (result !== (r.cond.polarity === 'if')) continue;
    }
    if (isFinal(r)) {
      if (ctx.captures) ctx.captures.lastRule = r.loc;
      return r.action;
    }
    if (isVarAction(r.action)) applyVarRule(r as VarRule, ctx);
    else if (i >= progress.at) applyStickAction(r as StickAction, ctx, { level: 'stream', http: false, backend });
  }
  return 'accept';
}
