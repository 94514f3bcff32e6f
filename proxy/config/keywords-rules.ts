// "http-request", "http-response" and "tcp-request" rules (src/http_rules.c, src/http_act.c, src/tcp_rules.c),
// with HAProxy's messages; each action family parses its own arguments (proxy/http/actions/, as http_act.c keeps
// parse and run together). Actions the lab does not run are warned about and skipped, never silently dropped.
import { parseCacheAction } from '../cache/cache-actions.ts';
import type { Condition } from '../acl/types.ts';
import type { ProxyLineContext } from './context.ts';
import type { CaptureRule, HttpAfterResponseRule, HttpRequestRule, HttpResponseRule, TcpRequestRule } from './model.ts';
import type { Parsed, RuleBody } from '../http/actions/common.ts';
import { parseRedirect, parseReplyAction, type RedirectRule } from '../http/actions/final-actions.ts';
import { parseHeaderAction, parseReplaceHeader } from '../http/actions/header-actions.ts';
import { parseReplaceUri, parseSetRequestLine } from '../http/actions/request-line-actions.ts';
import { parseSetStatus } from '../http/actions/status-actions.ts';
import { isVarAction, parseVarAction, type VarRule } from '../http/actions/var-actions.ts';
import type { CheckPlace } from '../sample/places.ts';
import { parseAddressAction } from '../http/actions/address-actions.ts';
import { parseCaptureAction, parseTcpCaptureAction } from '../http/actions/capture-actions.ts';
import { formatPlaces } from '../http/actions/common.ts';
import { isStickAction, parseStickAction, type StickAction } from '../stick/track-actions.ts';
import { readCondition, ruleText, sentence, type CondPlace } from './rule-condition.ts';
import {
  HTTP_REQUEST_ACTIONS,
  HTTP_REQUEST_ACTIONS_TEXT,
  HTTP_RESPONSE_ACTIONS,
  HTTP_RESPONSE_ACTIONS_TEXT,
  HTTP_AFTER_RESPONSE_ACTIONS,
  HTTP_AFTER_RESPONSE_ACTIONS_TEXT,
  TCP_CONNECTION_ACTIONS,
  TCP_CONNECTION_ACTIONS_TEXT,
  TCP_CONTENT_ACTIONS,
  TCP_CONTENT_ACTIONS_TEXT,
} from './known-keywords.ts';
import { bestMatch } from './suggest.ts';
import { parseTime } from './units.ts';
import { parseSetTimeout } from '../http/actions/timeout-actions.ts';

function knownAction(name: string, list: readonly string[]): boolean {
  return list.some((a) => name === a || name.startsWith(`${a}(`) || (a.startsWith('track-sc') && /^track-sc\d$/.test(name)));
}

type RuleKind = 'tcp-request content' | 'http-request' | 'redirect' | 'use_backend';

// HAProxy's warnif_misplaced_*(): a rule written after one that always runs later still runs first; say so once.
function warnMisplaced(c: ProxyLineContext, after: readonly RuleKind[]): void {
  const p = c.proxy;
  const own: Record<RuleKind, number> = {
    'tcp-request content': p.tcpRequestRules.slice(p.inherited.tcp).filter((r) => r.stage === 'content').length,
    'http-request': p.httpRequestRules.length - p.inherited.http,
    redirect: p.redirectRules.length,
    use_backend: p.useBackends.length,
  };
  const first = after.find((k) => own[k] > 0);
  if (first) {
    const article = first === 'http-request' ? 'an' : 'a';
    c.warn(`a '${c.arg(0)}' rule placed after ${article} '${first}' rule will still be processed before.`);
  }
}

// What differs between the http-request, http-response and http-after-response rule lines besides their actions.
interface RuleFamily {
  readonly keyword: string;
  readonly actions: readonly string[];
  /** The list of actions as HAProxy's "expects ..." message spells it. */
  readonly actionsText: string;
  readonly place: CondPlace;
}

const REQUEST_FAMILY: RuleFamily = {
  keyword: 'http-request', actions: HTTP_REQUEST_ACTIONS, actionsText: HTTP_REQUEST_ACTIONS_TEXT,
  place: { front: 'http-request', back: 'backend http-request' },
};
const RESPONSE_FAMILY: RuleFamily = {
  keyword: 'http-response', actions: HTTP_RESPONSE_ACTIONS, actionsText: HTTP_RESPONSE_ACTIONS_TEXT,
  place: { front: 'http-response', back: 'backend http-response' },
};
const AFTER_RESPONSE_FAMILY: RuleFamily = {
  keyword: 'http-after-response', actions: HTTP_AFTER_RESPONSE_ACTIONS, actionsText: HTTP_AFTER_RESPONSE_ACTIONS_TEXT,
  place: { front: 'http-response', back: 'backend http-response' },
};

function notInAnonymousDefaults(c: ProxyLineContext, keyword: string): boolean {
  if (!c.isDefaults || c.proxy.name !== '') return false;
  c.alert(`'${keyword}' not allowed in anonymous 'defaults' section.`);
  return true;
}

// An action none of a family's own cases parses: a variable action, else one HAProxy knows and the lab does not
// run (warned, skipped), else an unknown one (alert, with the nearest name). Null when nothing is to be kept.
function otherAction<R>(c: ProxyLineContext, f: RuleFamily, action: string): Parsed<R> | null {
  if (isVarAction(action)) return parseVarAction(c, 2, formatPlaces(c)) as Parsed<R>;
  if (knownAction(action, f.actions)) {
    c.unsupported(`'${f.keyword} ${action}'`, { at: c.word(1) });
    return null;
  }
  const best = action === '' ? undefined : bestMatch(action, f.actions);
  c.alert(
    `'${f.keyword}' expects ${f.actionsText}, but got '${action}'${action === '' ? ' (missing argument)' : ''}.${best ? ` Did you mean '${best}' maybe ?` : ''}`,
    { form: 'parsing-tight', at: c.word(1), abort: true },
  );
  return null;
}

// The parsed action's error, or its if/unless tail: the rule to keep with its condition and place, or null
// when an alert was emitted.
function finishRule<R>(c: ProxyLineContext, f: RuleFamily, action: string, parsed: Parsed<R>): R | null {
  if ('error' in parsed) {
    // HAProxy's parse_http_req_cond & co refuse the rule: ERR_ABORT, reading stops there
    c.alert(`error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${f.keyword} ${action}' rule : ${parsed.error}.`, { abort: true });
    return null;
  }
  const cond = finishCondition(c, parsed.next, f.keyword, action, f.place);
  if (cond === false) return null;
  return { ...parsed.rule, ...(cond ? { cond } : {}), loc: c.loc, text: ruleText(c.args) } as R;
}

const FINAL_REQUEST_ACTIONS = new Set(['allow', 'deny', 'tarpit', 'redirect', 'return']);
const FINAL_RESPONSE_ACTIONS = new Set(['allow', 'deny', 'redirect', 'return']);

// "http-request ACTION ... [if|unless COND]"
export function parseHttpRequest(c: ProxyLineContext): void {
  if (notInAnonymousDefaults(c, 'http-request')) return;
  const last = c.proxy.httpRequestRules[c.proxy.httpRequestRules.length - 1];
  if (last && !last.cond && FINAL_REQUEST_ACTIONS.has(last.action)) {
    c.warn(`previous 'http-request' action is final and has no condition attached, further entries are NOOP.`, { form: 'parsing-tight' });
  }
  const action = c.arg(1);
  let parsed: Parsed<HttpRequestRule>;
  switch (action) {
    case 'allow':
      parsed = { rule: { action: 'allow' }, next: 2 };
      break;
    case 'deny':
    case 'tarpit':
    case 'return':
      parsed = parseReplyAction(c, 2, action, action === 'deny' ? 403 : action === 'tarpit' ? 500 : 200);
      break;
    case 'redirect':
      parsed = parseRedirect(c, 2);
      break;
    case 'cache-use':
      parsed = parseCacheAction(c, 2, 'cache-use') as Parsed<HttpRequestRule>;
      break;
    case 'set-src':
    case 'set-dst':
    case 'set-src-port':
    case 'set-dst-port': {
      const r = parseAddressAction(action, c.arg(2), c.sampleScope);
      parsed = 'error' in r ? { error: r.error } : { rule: r.rule as HttpRequestRule, next: 3 };
      break;
    }
    case 'set-header':
    case 'add-header':
    case 'del-header':
      parsed = parseHeaderAction(c, 2, action);
      break;
    case 'replace-header':
    case 'replace-value':
      parsed = parseReplaceHeader(c, 2, action);
      break;
    case 'set-method':
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
      parsed = parseSetRequestLine(c, 2, action);
      break;
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri':
      parsed = parseReplaceUri(c, 2, action);
      break;
    case 'capture':
      parsed = parseCaptureAction(c, 2, 'req');
      break;
    case 'set-timeout':
      parsed = parseSetTimeout(c, 2);
      break;
    default: {
      if (isStickAction(action)) {
        parsed = parseStickAction(c, 2, formatPlaces(c));
        break;
      }
      const other = otherAction<HttpRequestRule>(c, REQUEST_FAMILY, action);
      if (!other) return;
      parsed = other;
    }
  }
  const rule = finishRule(c, REQUEST_FAMILY, action, parsed);
  if (!rule) return;
  warnMisplaced(c, ['redirect', 'use_backend']);
  c.proxy.httpRequestRules.push(rule);
}

// "redirect location|prefix|scheme ... [if|unless COND]": the proxy's redirect rules, run after its http-request
// rules (http_process_req_common); the same rule as "http-request redirect".
export function parseRedirectKeyword(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'redirect' not allowed in 'defaults' section.`);
    return;
  }
  const where = `error detected in ${c.proxyType} '${c.proxy.name}' while parsing redirect rule`;
  const parsed = parseRedirect(c, 1);
  if ('error' in parsed) {
    c.alert(`${where} : ${parsed.error}.`);
    return;
  }
  const r = readCondition(c, parsed.next, { front: 'http-request', back: 'backend http-request' });
  if (!r.ok) {
    c.alert('trailing' in r ? `${where} : unexpected '${r.trailing.text}'.` : `${where} : error in condition: ${sentence(r.error)}`);
    return;
  }
  warnMisplaced(c, ['use_backend']);
  c.proxy.redirectRules.push({ ...parsed.rule, ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) } as RedirectRule);
}

// The if/unless tail shared by http-request and http-response; false when an alert was emitted.
function finishCondition(c: ProxyLineContext, at: number, keyword: string, action: string, place: CondPlace): Condition | undefined | false {
  const r = readCondition(c, at, place);
  if (r.ok) return r.cond;
  // an http-* rule HAProxy's parser refuses (parse_http_req_cond & co) aborts the reading
  const abort = keyword.startsWith('http-');
  if ('trailing' in r) {
    c.alert(`'${keyword} ${action}' expects either 'if' or 'unless' followed by a condition but found '${r.trailing.text}'.`, {
      form: 'parsing-tight',
      at: r.trailing,
      abort,
    });
    return false;
  }
  if (action === 'redirect') {
    c.alert(`error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${keyword} redirect' rule : error in condition: ${sentence(r.error)}`, { abort });
  } else {
    c.alert(`error detected while parsing an '${keyword} ${action}' condition : ${sentence(r.error)}`, { abort });
  }
  return false;
}

// "http-response ACTION ... [if|unless COND]"
export function parseHttpResponse(c: ProxyLineContext): void {
  if (notInAnonymousDefaults(c, 'http-response')) return;
  const last = c.proxy.httpResponseRules[c.proxy.httpResponseRules.length - 1];
  if (last && !last.cond && FINAL_RESPONSE_ACTIONS.has(last.action)) {
    c.warn(`previous 'http-response' action is final and has no condition attached, further entries are NOOP.`, { form: 'parsing-tight' });
  }
  const action = c.arg(1);
  let parsed: Parsed<HttpResponseRule>;
  switch (action) {
    case 'allow':
      parsed = { rule: { action: 'allow' }, next: 2 };
      break;
    case 'deny':
    case 'return':
      parsed = parseReplyAction(c, 2, action, action === 'deny' ? 502 : 200) as Parsed<HttpResponseRule>;
      break;
    case 'set-header':
    case 'add-header':
    case 'del-header':
      parsed = parseHeaderAction(c, 2, action) as Parsed<HttpResponseRule>;
      break;
    case 'replace-header':
    case 'replace-value':
      parsed = parseReplaceHeader(c, 2, action);
      break;
    case 'set-status':
      parsed = parseSetStatus(c, 2);
      break;
    case 'capture':
      parsed = parseCaptureAction(c, 2, 'res');
      break;
    case 'cache-store':
      parsed = parseCacheAction(c, 2, 'cache-store') as Parsed<HttpResponseRule>;
      break;
    default: {
      if (isStickAction(action)) {
        parsed = parseStickAction(c, 2, formatPlaces(c));
        break;
      }
      const other = otherAction<HttpResponseRule>(c, RESPONSE_FAMILY, action);
      if (!other) return;
      parsed = other;
    }
  }
  const rule = finishRule(c, RESPONSE_FAMILY, action, parsed);
  if (!rule) return;
  c.proxy.httpResponseRules.push(rule);
}

// "http-after-response ACTION ... [if|unless COND]": run on every response, the proxy's own answers included
// (src/http_ana.c, http_eval_after_res_rules).
export function parseHttpAfterResponse(c: ProxyLineContext): void {
  if (notInAnonymousDefaults(c, 'http-after-response')) return;
  const last = c.proxy.httpAfterResponseRules[c.proxy.httpAfterResponseRules.length - 1];
  if (last && !last.cond && last.action === 'allow') {
    c.warn(`previous 'http-after-response' action is final and has no condition attached, further entries are NOOP.`, { form: 'parsing-tight' });
  }
  const action = c.arg(1);
  let parsed: Parsed<HttpAfterResponseRule>;
  switch (action) {
    case 'allow':
      parsed = { rule: { action: 'allow' }, next: 2 };
      break;
    case 'strict-mode': {
      const v = c.arg(2);
      if (v !== 'on' && v !== 'off') parsed = { error: `Unexpected value '${v}'. Only 'on' and 'off' are supported` };
      else parsed = { rule: { action: 'strict-mode', on: v === 'on' }, next: 3 };
      break;
    }
    case 'set-header':
    case 'add-header':
    case 'del-header':
      parsed = parseHeaderAction(c, 2, action) as Parsed<HttpAfterResponseRule>;
      break;
    case 'replace-header':
    case 'replace-value':
      parsed = parseReplaceHeader(c, 2, action);
      break;
    case 'set-status':
      parsed = parseSetStatus(c, 2) as Parsed<HttpAfterResponseRule>;
      break;
    case 'capture':
      parsed = parseCaptureAction(c, 2, 'res');
      break;
    default: {
      const other = otherAction<HttpAfterResponseRule>(c, AFTER_RESPONSE_FAMILY, action);
      if (!other) return;
      parsed = other;
    }
  }
  const rule = finishRule(c, AFTER_RESPONSE_FAMILY, action, parsed);
  if (!rule) return;
  c.proxy.httpAfterResponseRules.push(rule);
}

// "tcp-request inspect-delay T" / "tcp-request connection|content accept|reject [if|unless COND]"
export function parseTcpRequest(c: ProxyLineContext): void {
  const where = c.isDefaults && c.proxy.name === '' ? 'defaults section' : `${c.proxyType} '${c.proxy.name}'`;
  const stage = c.arg(1);
  if (stage === '') {
    c.alert(`missing argument for 'tcp-request' in ${where}`);
    return;
  }
  if (stage === 'inspect-delay') {
    if (c.isDefaults && c.proxy.name === '') {
      c.alert(`tcp-request inspect-delay is not allowed in anonymous 'defaults' sections`);
      return;
    }
    const t = c.arg(2) === '' ? undefined : parseTime(c.arg(2));
    if (!t || !t.ok) {
      const why = t && 'badChar' in t ? ` (unexpected character '${t.badChar}')` : t ? ` (timer overflow in '${c.arg(2)}', maximum value is 2147483647 ms or ~24.8 days)` : '';
      c.alert(`'tcp-request inspect-delay' expects a positive delay in milliseconds, in ${c.proxyType} '${c.proxy.name}'${why}`);
      return;
    }
    if (c.proxy.tcpInspectDelay !== undefined && c.proxy.tcpInspectDelay !== 0 && !c.isDefaults) {
      c.warn(`ignoring tcp-request inspect-delay (was already defined) in ${c.proxyType} '${c.proxy.name}'`);
      return;
    }
    c.proxy.tcpInspectDelay = t.ms;
    return;
  }
  if (stage !== 'connection' && stage !== 'session' && stage !== 'content') {
    c.alert(`'tcp-request' expects 'inspect-delay', 'connection', or 'content' in ${c.proxyType} '${c.proxy.name}' (got '${stage}')`);
    return;
  }
  if (stage !== 'content' && !c.hasFrontend) {
    c.alert(`tcp-request ${stage} is not allowed because ${c.proxyType} ${c.proxy.name} is not a frontend`);
    return;
  }
  if (c.isDefaults && c.proxy.name === '') {
    c.alert(`tcp-request ${stage} is not allowed in anonymous 'defaults' sections`);
    return;
  }
  const action = c.arg(2);
  const place: CondPlace =
    stage === 'content'
      ? { front: 'tcp-request content', back: 'backend tcp-request content', rule: 'tcp-request content' }
      : { front: `tcp-request ${stage}`, back: `tcp-request ${stage}`, rule: `tcp-request ${stage}` };
  let varRule: VarRule | undefined;
  let stick: { rule: RuleBody<StickAction>; next: number } | undefined;
  let capture: CaptureRule | undefined;
  let condAt = 3;
  if (isVarAction(action)) {
    // set-var(NAME) EXPR, set-var-fmt(NAME) FMT, unset-var(NAME): its expression must work at this stage
    const places: CheckPlace[] = stage === 'content' ? [...(c.hasFrontend ? [place.front] : []), ...(c.hasBackend ? [place.back] : [])] : [place.front];
    const parsed = parseVarAction(c, 3, places);
    if ('error' in parsed) {
      c.alert(parsed.error);
      return;
    }
    varRule = parsed.rule;
    condAt = parsed.next;
  } else if (isStickAction(action)) {
    const places: CheckPlace[] = stage === 'content' ? (c.proxyType === 'backend' ? ['backend tcp-request content'] : c.hasBackend ? ['tcp-request content', 'backend tcp-request content'] : ['tcp-request content']) : [place.front];
    const p = parseStickAction(c, 3, places, `tcp-request ${stage}`);
    if ('error' in p) {
      c.alert(p.error);
      return;
    }
    stick = p;
    condAt = p.next;
  } else if (action === 'expect-proxy') {
    // tcp_parse_request_rule: only "layer4", and only where the connection is accepted
    if (c.arg(3) !== 'layer4') {
      c.alert(`'tcp-request ${stage} expect-proxy' only supports 'layer4' in ${c.proxyType} '${c.proxy.name}' (got '${c.arg(3)}')`);
      return;
    }
    if (stage !== 'connection') {
      c.alert(`'expect-proxy layer4' is not allowed in 'tcp-request ${stage}' rules in ${c.proxyType} '${c.proxy.name}'`);
      return;
    }
    condAt = 4;
  } else if (action === 'capture') {
    const p = parseTcpCaptureAction(c, stage);
    if ('error' in p) {
      c.alert(p.error);
      return;
    }
    capture = p.rule;
    condAt = p.next;
  } else if (action !== 'accept' && action !== 'reject') {
    const list = stage === 'content' ? TCP_CONTENT_ACTIONS : TCP_CONNECTION_ACTIONS;
    if (action !== '' && knownAction(action, list)) {
      c.unsupported(`'tcp-request ${stage} ${action}'`, { at: c.word(2) });
      return;
    }
    // the session stage takes the connection stage's actions (tcp_req_sess_keywords)
    const text = stage === 'content' ? TCP_CONTENT_ACTIONS_TEXT : TCP_CONNECTION_ACTIONS_TEXT;
    c.alert(`'tcp-request ${stage}' expects ${text} in ${c.proxyType} '${c.proxy.name}' (got '${action}').`);
    return;
  }
  const r = readCondition(c, condAt, place);
  if (!r.ok) {
    if ('trailing' in r) {
      c.alert(`'tcp-request ${stage} ${action}' only accepts 'if' or 'unless', in ${c.proxyType} '${c.proxy.name}' (got '${r.trailing.text}')`);
    } else {
      c.alert(
        `'tcp-request ${stage} ${action}' : error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${c.arg(condAt)}' condition : ${r.error}`,
      );
    }
    return;
  }
  warnMisplaced(c, stage === 'content' ? ['http-request', 'use_backend'] : ['tcp-request content', 'http-request', 'use_backend']);
  const cond = r.cond ? { cond: r.cond } : {};
  const body = varRule ?? capture ?? (stick ? stick.rule : { action: action as 'accept' | 'reject' | 'expect-proxy' });
  c.proxy.tcpRequestRules.push({ stage, ...body, ...cond, loc: c.loc, text: ruleText(c.args) } as TcpRequestRule);
}
