// "http-request", "http-response" and "tcp-request" rules (src/http_rules.c, src/http_act.c, src/tcp_rules.c),
// with HAProxy's messages. Actions the lab does not run are warned about and skipped, never silently dropped.
import { checkFormatString, compileRuleFormat } from '../sample/format-string.ts';
import type { Condition } from '../acl/types.ts';
import type { ProxyLineContext } from './context.ts';
import type { HttpRequestRule, HttpResponseRule, ReplaceHeaderRule } from './model.ts';
import type { CheckPlace } from '../sample/places.ts';
import { compileRegex } from '../acl/regex.ts';
import { readCondition, ruleText, sentence, type CondPlace } from './rule-condition.ts';
import {
  HTTP_REQUEST_ACTIONS,
  HTTP_REQUEST_ACTIONS_TEXT,
  HTTP_RESPONSE_ACTIONS,
  HTTP_RESPONSE_ACTIONS_TEXT,
  TCP_CONNECTION_ACTIONS,
  TCP_CONNECTION_ACTIONS_TEXT,
  TCP_CONTENT_ACTIONS,
  TCP_CONTENT_ACTIONS_TEXT,
} from './known-keywords.ts';
import { bestMatch } from './suggest.ts';
import { parseTime } from './units.ts';

/** Status codes HAProxy has a built-in error page for (http_err_codes[] in src/http.c). */
export const ERROR_PAGE_CODES = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];
const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** Omit over each member of a union (plain Omit would merge the members). */
type RuleBody<R> = R extends unknown ? Omit<R, 'cond' | 'loc' | 'text'> : never;
type Parsed<R> = { rule: RuleBody<R>; next: number } | { error: string };

function knownAction(name: string, list: readonly string[]): boolean {
  return list.some((a) => name === a || name.startsWith(`${a}(`) || (a.startsWith('track-sc') && /^track-sc\d$/.test(name)));
}

/** Arguments the deny/tarpit/return actions share with "http-request return". */
const RETURN_ARGS = new Set(['content-type', 'string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles', 'default-errorfiles', 'hdr']);

function isCondWord(text: string): boolean {
  return text === 'if' || text === 'unless';
}

// deny / tarpit: [deny_status N] plus return-style payload arguments (payloads are not supported by the lab).
function parseDenyLike(c: ProxyLineContext, at: number, action: 'deny' | 'tarpit', status = action === 'deny' ? 403 : 500): Parsed<HttpRequestRule> {
  let i = at;
  let payload = false;
  while (i < c.count && !isCondWord(c.arg(i))) {
    const a = c.arg(i);
    if (a === 'deny_status' || a === 'status') {
      const v = c.arg(i + 1);
      if (v === '') return { error: `'${a}' expects <status_code> as argument` };
      status = Number.parseInt(v, 10) || 0;
      if (status < 200 || status > 599) return { error: `Unexpected status code '${status}'` };
      i += 2;
    } else if (RETURN_ARGS.has(a)) {
      c.unsupported(`'${c.arg(0)} ${action} ... ${a}'`, { at: c.word(i) });
      payload = true;
      i += a === 'default-errorfiles' ? 1 : a === 'hdr' ? 3 : 2;
    } else break;
  }
  if (!payload && !ERROR_PAGE_CODES.includes(status)) {
    return { error: `status code '${status}' not handled by default with 'default-errorfiles' argument.` };
  }
  return { rule: { action, status }, next: i };
}

function parseRedirect(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
  let type: 'location' | 'prefix' | 'scheme' | undefined;
  let value = '';
  let code = 302;
  let dropQuery = false;
  let appendSlash = false;
  let i = at;
  while (i < c.count && !isCondWord(c.arg(i))) {
    const a = c.arg(i);
    if (a === 'location' || a === 'prefix' || a === 'scheme') {
      if (c.arg(i + 1) === '' && i + 1 >= c.count) return { error: `missing argument for '${a}'` };
      type = a;
      value = c.arg(i + 1);
      i += 2;
    } else if (a === 'code') {
      if (i + 1 >= c.count) return { error: `missing argument for '${a}'` };
      const n = Number.parseInt(c.arg(i + 1), 10) || 0;
      if (!REDIRECT_CODES.includes(n)) {
        return { error: `'code': unsupported HTTP code '${c.arg(i + 1)}' (must be one of 301, 302, 303, 307 or 308)` };
      }
      code = n;
      i += 2;
    } else if (a === 'drop-query') {
      dropQuery = true;
      i++;
    } else if (a === 'append-slash') {
      appendSlash = true;
      i++;
    } else if (a === 'set-cookie' || a === 'clear-cookie') {
      if (i + 1 >= c.count) return { error: `missing argument for '${a}'` };
      c.unsupported(`'http-request redirect ... ${a}'`, { at: c.word(i) });
      i += 2;
    } else if (a === 'ignore-empty') {
      c.unsupported(`'http-request redirect ... ignore-empty'`, { at: c.word(i) });
      i++;
    } else {
      return {
        error: `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '${a}')`,
      };
    }
  }
  if (!type) return { error: `redirection type expected ('prefix', 'location', or 'scheme')` };
  return { rule: { action: 'redirect', type, value, code, dropQuery, appendSlash }, next: i };
}

function parseReturn(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
  let status = 200;
  let contentType: string | undefined;
  let body: string | undefined;
  let bodyKind: string | undefined;
  let i = at;
  while (i < c.count && !isCondWord(c.arg(i))) {
    const a = c.arg(i);
    if (a === 'status') {
      if (i + 1 >= c.count) return { error: `'status' expects <status_code> as argument` };
      status = Number.parseInt(c.arg(i + 1), 10) || 0;
      if (status < 200 || status > 599) return { error: `Unexpected status code '${status}'` };
      i += 2;
    } else if (a === 'content-type') {
      if (i + 1 >= c.count) return { error: `'content-type' expects <type> as argument` };
      contentType = c.arg(i + 1);
      i += 2;
    } else if (a === 'string' || a === 'lf-string') {
      if (bodyKind !== undefined) return { error: `unexpected '${a}' argument, '${bodyKind}' already defined` };
      if (i + 1 >= c.count) return { error: `'${a}' expects <str> as argument` };
      bodyKind = a;
      body = c.arg(i + 1);
      i += 2;
    } else if (RETURN_ARGS.has(a)) {
      if (a !== 'hdr' && bodyKind !== undefined) return { error: `unexpected '${a}' argument, '${bodyKind}' already defined` };
      c.unsupported(`'http-request return ... ${a}'`, { at: c.word(i) });
      if (a !== 'hdr') bodyKind = a;
      i += a === 'default-errorfiles' ? 1 : a === 'hdr' ? 3 : 2;
    } else break;
  }
  if ((status === 204 || status === 304) && body !== undefined && body !== '') {
    return { error: `No body expected for ${status} responses` };
  }
  if (bodyKind === 'lf-string' && contentType === undefined) {
    return { error: 'a content type must be defined with a log-format payload' };
  }
  if (bodyKind === 'string' && body !== '' && contentType === undefined) {
    return { error: 'a content type must be defined when non-empty payload is configured' };
  }
  return {
    rule: { action: 'return', status, ...(contentType !== undefined ? { contentType } : {}), ...(body !== undefined ? { body } : {}) },
    next: i,
  };
}

function parseHeaderAction(c: ProxyLineContext, at: number, action: 'set-header' | 'add-header' | 'del-header'): Parsed<HttpRequestRule> {
  if (action === 'del-header') {
    if (at >= c.count || isCondWord(c.arg(at))) return { error: 'expects at least 1 argument' };
    let next = at + 1;
    if (c.arg(next) === '-m') {
      c.unsupported(`'${c.arg(0)} del-header ... -m'`, { at: c.word(next) });
      next += 2;
    }
    return { rule: { action, name: c.arg(at) }, next };
  }
  if (at + 1 >= c.count || isCondWord(c.arg(at)) || isCondWord(c.arg(at + 1))) return { error: 'expects exactly 2 arguments' };
  const value = c.arg(at + 1);
  const bad = checkFormatString(value, formatPlaces(c), c.proxy.name);
  if (bad) return { error: bad };
  return { rule: { action, name: c.arg(at), value, format: compileRuleFormat(value) }, next: at + 2 };
}

// Where a rule's log-format strings are checked: a listen section has both sides (HAProxy's cap FE|BE).
function formatPlaces(c: ProxyLineContext): CheckPlace[] {
  const response = c.arg(0) === 'http-response';
  const front: CheckPlace = response ? 'http-response' : 'http-request';
  const back: CheckPlace = response ? 'backend http-response' : 'backend http-request';
  return c.proxyType === 'backend' ? [back] : c.proxyType === 'frontend' ? [front] : [front, back];
}

// set-method / set-path / set-pathq / set-query / set-uri <fmt> (parse_set_req_line)
function parseSetRequestLine(c: ProxyLineContext, at: number, action: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri'): Parsed<HttpRequestRule> {
  const value = c.arg(at);
  if (value === '' || isCondWord(value) || (at + 1 < c.count && !isCondWord(c.arg(at + 1)))) return { error: 'expects exactly 1 argument <format>' };
  const bad = checkFormatString(value, formatPlaces(c), c.proxy.name);
  if (bad) return { error: bad };
  return { rule: { action, value, format: compileRuleFormat(value) }, next: at + 1 };
}

// replace-path / replace-pathq / replace-uri <match-regex> <replace-fmt> (parse_replace_uri)
function parseReplaceUri(c: ProxyLineContext, at: number, action: 'replace-path' | 'replace-pathq' | 'replace-uri'): Parsed<HttpRequestRule> {
  if (at + 1 >= c.count || isCondWord(c.arg(at)) || isCondWord(c.arg(at + 1)) || (at + 2 < c.count && !isCondWord(c.arg(at + 2)))) {
    return { error: 'expects exactly 2 arguments <match-regex> and <replace-format>' };
  }
  const regex = compileRegex(c.arg(at), false);
  if (typeof regex === 'string') return { error: `failed to parse the regex : ${regex}` };
  const value = c.arg(at + 1);
  const bad = checkFormatString(value, formatPlaces(c), c.proxy.name);
  if (bad) return { error: bad };
  return { rule: { action, regex, value, format: compileRuleFormat(value) }, next: at + 2 };
}

// replace-header / replace-value <name> <match-regex> <replace-fmt> (parse_http_replace_header)
function parseReplaceHeader(c: ProxyLineContext, at: number, action: 'replace-header' | 'replace-value'): Parsed<ReplaceHeaderRule> {
  if (at + 2 >= c.count || [0, 1, 2].some((k) => c.arg(at + k) === '')) return { error: 'expects exactly 3 arguments' };
  const regex = compileRegex(c.arg(at + 1), false);
  if (typeof regex === 'string') return { error: regex };
  const value = c.arg(at + 2);
  const bad = checkFormatString(value, formatPlaces(c), c.proxy.name);
  if (bad) return { error: bad };
  return { rule: { action, name: c.arg(at), regex, value, format: compileRuleFormat(value) }, next: at + 3 };
}

// set-status <code> [reason <str>] (parse_http_set_status)
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

type RuleKind = 'tcp-request content' | 'http-request' | 'use_backend';

// HAProxy's warnif_misplaced_*(): a rule written after one that always runs later still runs first; say so once.
function warnMisplaced(c: ProxyLineContext, after: readonly RuleKind[]): void {
  const p = c.proxy;
  const own: Record<RuleKind, number> = {
    'tcp-request content': p.tcpRequestRules.slice(p.inherited.tcp).filter((r) => r.stage === 'content').length,
    'http-request': p.httpRequestRules.length - p.inherited.http,
    use_backend: p.useBackends.length,
  };
  const first = after.find((k) => own[k] > 0);
  if (first) {
    const article = first === 'http-request' ? 'an' : 'a';
    c.warn(`a '${c.arg(0)}' rule placed after ${article} '${first}' rule will still be processed before.`);
  }
}

const FINAL_REQUEST_ACTIONS = new Set(['allow', 'deny', 'tarpit', 'redirect', 'return']);

// "http-request ACTION ... [if|unless COND]"
export function parseHttpRequest(c: ProxyLineContext): void {
  if (c.isDefaults && c.proxy.name === '') {
    c.alert(`'http-request' not allowed in anonymous 'defaults' section.`);
    return;
  }
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
      parsed = parseDenyLike(c, 2, action);
      break;
    case 'redirect':
      parsed = parseRedirect(c, 2);
      break;
    case 'return':
      parsed = parseReturn(c, 2);
      break;
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
    default: {
      if (knownAction(action, HTTP_REQUEST_ACTIONS)) {
        c.unsupported(`'http-request ${action}'`, { at: c.word(1) });
        return;
      }
      const best = action === '' ? undefined : bestMatch(action, HTTP_REQUEST_ACTIONS);
      c.alert(
        `'http-request' expects ${HTTP_REQUEST_ACTIONS_TEXT}, but got '${action}'${action === '' ? ' (missing argument)' : ''}.${best ? ` Did you mean '${best}' maybe ?` : ''}`,
        { form: 'parsing-tight', at: c.word(1) },
      );
      return;
    }
  }
  if ('error' in parsed) {
    c.alert(`error detected in ${c.proxyType} '${c.proxy.name}' while parsing 'http-request ${action}' rule : ${parsed.error}.`);
    return;
  }
  const cond = finishCondition(c, parsed.next, 'http-request', action, { front: 'http-request', back: 'backend http-request' });
  if (cond === false) return;
  warnMisplaced(c, ['use_backend']);
  c.proxy.httpRequestRules.push({ ...parsed.rule, ...(cond ? { cond } : {}), loc: c.loc, text: ruleText(c.args) } as HttpRequestRule);
}

// The if/unless tail shared by http-request and http-response; false when an alert was emitted.
function finishCondition(c: ProxyLineContext, at: number, keyword: string, action: string, place: CondPlace): Condition | undefined | false {
  const r = readCondition(c, at, place);
  if (r.ok) return r.cond;
  if ('trailing' in r) {
    c.alert(`'${keyword} ${action}' expects either 'if' or 'unless' followed by a condition but found '${r.trailing.text}'.`, {
      form: 'parsing-tight',
      at: r.trailing,
    });
    return false;
  }
  if (action === 'redirect') {
    c.alert(`error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${keyword} redirect' rule : error in condition: ${sentence(r.error)}`);
  } else {
    c.alert(`error detected while parsing an '${keyword} ${action}' condition : ${sentence(r.error)}`);
  }
  return false;
}

// "http-response ACTION ... [if|unless COND]"
export function parseHttpResponse(c: ProxyLineContext): void {
  if (c.isDefaults && c.proxy.name === '') {
    c.alert(`'http-response' not allowed in anonymous 'defaults' section.`);
    return;
  }
  const action = c.arg(1);
  let parsed: Parsed<HttpResponseRule>;
  switch (action) {
    case 'deny':
      parsed = parseDenyLike(c, 2, 'deny', 502) as Parsed<HttpResponseRule>;
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
    default: {
      if (knownAction(action, HTTP_RESPONSE_ACTIONS)) {
        c.unsupported(`'http-response ${action}'`, { at: c.word(1) });
        return;
      }
      const best = action === '' ? undefined : bestMatch(action, HTTP_RESPONSE_ACTIONS);
      c.alert(
        `'http-response' expects ${HTTP_RESPONSE_ACTIONS_TEXT}, but got '${action}'${action === '' ? ' (missing argument)' : ''}.${best ? ` Did you mean '${best}' maybe ?` : ''}`,
        { form: 'parsing-tight', at: c.word(1) },
      );
      return;
    }
  }
  if ('error' in parsed) {
    c.alert(`error detected in ${c.proxyType} '${c.proxy.name}' while parsing 'http-response ${action}' rule : ${parsed.error}.`);
    return;
  }
  const cond = finishCondition(c, parsed.next, 'http-response', action, { front: 'http-response', back: 'backend http-response' });
  if (cond === false) return;
  c.proxy.httpResponseRules.push({ ...parsed.rule, ...(cond ? { cond } : {}), loc: c.loc, text: ruleText(c.args) } as HttpResponseRule);
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
  if (stage === 'session') {
    c.unsupported(`'tcp-request session'`, { at: c.word(1) });
    return;
  }
  if (stage !== 'connection' && stage !== 'content') {
    c.alert(`'tcp-request' expects 'inspect-delay', 'connection', or 'content' in ${c.proxyType} '${c.proxy.name}' (got '${stage}')`);
    return;
  }
  if (stage === 'connection' && !c.hasFrontend) {
    c.alert(`tcp-request connection is not allowed because ${c.proxyType} ${c.proxy.name} is not a frontend`);
    return;
  }
  if (c.isDefaults && c.proxy.name === '') {
    c.alert(`tcp-request ${stage} is not allowed in anonymous 'defaults' sections`);
    return;
  }
  const action = c.arg(2);
  if (action !== 'accept' && action !== 'reject') {
    const list = stage === 'connection' ? TCP_CONNECTION_ACTIONS : TCP_CONTENT_ACTIONS;
    if (action !== '' && knownAction(action, list)) {
      c.unsupported(`'tcp-request ${stage} ${action}'`, { at: c.word(2) });
      return;
    }
    const text = stage === 'connection' ? TCP_CONNECTION_ACTIONS_TEXT : TCP_CONTENT_ACTIONS_TEXT;
    c.alert(`'tcp-request ${stage}' expects ${text} in ${c.proxyType} '${c.proxy.name}' (got '${action}').`);
    return;
  }
  const place: CondPlace =
    stage === 'connection'
      ? { front: 'tcp-request connection', back: 'tcp-request connection', rule: 'tcp-request connection' }
      : { front: 'tcp-request content', back: 'backend tcp-request content', rule: 'tcp-request content' };
  const r = readCondition(c, 3, place);
  if (!r.ok) {
    if ('trailing' in r) {
      c.alert(`'tcp-request ${stage} ${action}' only accepts 'if' or 'unless', in ${c.proxyType} '${c.proxy.name}' (got '${r.trailing.text}')`);
    } else {
      c.alert(
        `'tcp-request ${stage} ${action}' : error detected in ${c.proxyType} '${c.proxy.name}' while parsing '${c.arg(3)}' condition : ${r.error}`,
      );
    }
    return;
  }
  warnMisplaced(c, stage === 'connection' ? ['tcp-request content', 'http-request', 'use_backend'] : ['http-request', 'use_backend']);
  c.proxy.tcpRequestRules.push({ stage, action, ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) });
}
