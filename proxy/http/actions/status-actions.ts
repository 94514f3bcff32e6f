// http-response set-status (src/http_act.c): parsed with HAProxy's messages, run on the response head.
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpResponseRule } from '../../config/model.ts';
import { httpReason } from '../reasons.ts';
import type { ResponseHead } from '../response-head.ts';
import { isCondWord, type Parsed } from './common.ts';

export // set-status <code> [reason <str>] (parse_http_set_status)
function parseSetStatus(c: ProxyLineContext, at: number): Parsed<HttpResponseRule> {
  const code = c.arg(at);
  if (code === '') return { error: 'expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>' };
  const status = /^\d+$/.test(code) ? Number(code) : NaN;
  if (!(status >= 100 && status <= 999)) return { error: 'expects an integer status code between 100 and 999' };
  if (c.arg(at + 1) === 'reason' && c.arg(at + 2) !== '' && !isCondWord(c.arg(at + 2))) {
    return { rule: { action: 'set-status', status, reason: c.arg(at + 2) }, next: at + 3 };
  }
  return { rule: { action: 'set-status', status }, next: at + 1 };
}

/** Sets the status, and the reason given or HAProxy's own for that code. */
export function applySetStatus(resp: Pick<ResponseHead, 'status' | 'reason'>, rule: Extract<HttpResponseRule, { action: 'set-status' }>): void {
  resp.status = rule.status;
  resp.reason = rule.reason ?? httpReason(rule.status);
}
