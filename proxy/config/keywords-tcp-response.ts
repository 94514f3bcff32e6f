// "tcp-response inspect-delay T" and "tcp-response content ACTION [if|unless COND]" (src/tcp_rules.c
// tcp_parse_tcp_rep / tcp_parse_response_rule), with HAProxy's messages. Only a backend or a named defaults section
// has them; a frontend may not inherit them.
import type { ProxyLineContext } from './context.ts';
import type { TcpResponseRule } from './model.ts';
import type { CheckPlace } from '../sample/places.ts';
import { isVarAction, parseVarAction, type VarRule } from '../http/actions/var-actions.ts';
import { isStickAction, parseStickAction, type StickAction } from '../stick/track-actions.ts';
import { readCondition, ruleText, type CondPlace } from './rule-condition.ts';
import { parseTime } from './units.ts';

/** What 2.6.12's "expects ..." message lists (tcp_res_cont_keywords as this build registers them). */
const ACTIONS_TEXT =
  "'accept', 'close', 'reject', 'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'";

/** Actions HAProxy has there that the engine does not run: warned about and skipped. */
const NOT_RUN: ReadonlySet<string> = new Set(['ot-group', 'set-log-level', 'set-nice', 'send-spoe-group', 'set-mark', 'set-tos', 'silent-drop']);

const PLACE: CondPlace = { front: 'tcp-response content', back: 'backend tcp-response content', rule: 'tcp-response content' };

export function parseTcpResponse(c: ProxyLineContext): void {
  const sub = c.arg(1);
  if (sub === '') {
    c.alert(`missing argument for 'tcp-response' in ${c.proxyType} '${c.proxy.name}'`);
    return;
  }
  if (sub !== 'inspect-delay' && sub !== 'content') {
    c.alert(`'tcp-response' expects 'inspect-delay' or 'content' in ${c.proxyType} '${c.proxy.name}' (got '${sub}')`);
    return;
  }
  if ((c.isDefaults && c.proxy.name === '') || !c.hasBackend) {
    c.alert(`tcp-response ${sub} is only allowed in 'backend' sections or 'defaults' section with a name`);
    return;
  }
  if (sub === 'inspect-delay') inspectDelay(c);
  else content(c);
}

function inspectDelay(c: ProxyLineContext): void {
  const t = c.arg(2) === '' ? undefined : parseTime(c.arg(2));
  if (!t || !t.ok) {
    const why = t && 'badChar' in t ? ` (unexpected character '${t.badChar}')` : t ? ` (timer overflow in '${c.arg(2)}', maximum value is 2147483647 ms or ~24.8 days)` : '';
    c.alert(`'tcp-response inspect-delay' expects a positive delay in milliseconds, in ${c.proxyType} '${c.proxy.name}'${why}`);
    return;
  }
  // the delay a section inherited counts as already defined, as in HAProxy
  if (c.proxy.tcpResponseInspectDelay) {
    c.warn(`ignoring tcp-response inspect-delay (was already defined) in ${c.proxyType} '${c.proxy.name}'`);
    return;
  }
  c.proxy.tcpResponseInspectDelay = t.ms;
}

function content(c: ProxyLineContext): void {
  const action = c.arg(2);
  const places: CheckPlace[] = [...(c.hasFrontend ? (['tcp-response content'] as const) : []), 'backend tcp-response content'];
  let body: { action: 'accept' | 'reject' | 'close' } | VarRule | Exclude<StickAction, { action: 'track-sc' }>;
  let condAt = 3;
  if (action === 'accept' || action === 'reject' || action === 'close') body = { action };
  else if (isVarAction(action)) {
    const parsed = parseVarAction(c, 3, places);
    if ('error' in parsed) {
      c.alert(parsed.error);
      return;
    }
    body = parsed.rule;
    condAt = parsed.next;
  } else if (isStickAction(action) && !action.startsWith('track-sc')) {
    const parsed = parseStickAction(c, 3, places, 'tcp-response content');
    if ('error' in parsed) {
      c.alert(parsed.error);
      return;
    }
    body = parsed.rule as Exclude<StickAction, { action: 'track-sc' }>;
    condAt = parsed.next;
  } else if (NOT_RUN.has(action)) {
    c.unsupported(`'tcp-response content ${action}'`, { at: c.word(2) });
    return;
  } else {
    c.alert(`'tcp-response content' expects ${ACTIONS_TEXT} in ${c.proxyType} '${c.proxy.name}' (got '${action}').`);
    return;
  }
  const r = readCondition(c, condAt, PLACE);
  if (!r.ok) {
    if ('trailing' in r) c.alert(`'tcp-response content ${action}' only accepts 'if' or 'unless', in ${c.proxyType} '${c.proxy.name}' (got '${r.trailing.text}')`);
    else c.alert(`'tcp-response content ${action}' : error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${c.arg(condAt)}' condition : ${r.error}`);
    return;
  }
  c.proxy.tcpResponseRules.push({ ...body, ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) } as TcpResponseRule);
}
