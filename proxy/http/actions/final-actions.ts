// The http-request actions that end the rules (src/http_act.c): allow, deny, tarpit, redirect, return — parsed
// with HAProxy's messages, and run as what the request gets instead of a server's answer.
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import type { RequestHead } from '../request-head.ts';
import { ERROR_PAGE_CODES, isCondWord, type Parsed } from './common.ts';

const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** Arguments the deny/tarpit/return actions share with "http-request return". */
const RETURN_ARGS = new Set(['content-type', 'string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles', 'default-errorfiles', 'hdr']);

// deny / tarpit: [deny_status N] plus return-style payload arguments (payloads are not supported by the lab).
export function parseDenyLike(c: ProxyLineContext, at: number, action: 'deny' | 'tarpit', status = action === 'deny' ? 403 : 500): Parsed<HttpRequestRule> {
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

export function parseRedirect(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
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

export function parseReturn(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
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

/** A rule that ends the http-request rules. */
export type FinalRule = Extract<HttpRequestRule, { action: 'allow' | 'deny' | 'tarpit' | 'redirect' | 'return' }>;

/** What a final rule answers: HAProxy's error page for deny/tarpit, or the rule's own response. */
export type FinalAnswer =
  | { readonly kind: 'denied'; readonly status: number }
  | { readonly kind: 'answer'; readonly status: number; readonly page: { contentType?: string; body: string; location?: string } };

// allow answers nothing (the request goes on to the backend): null.
export function finalAnswer(rule: FinalRule, req: RequestHead): FinalAnswer | null {
  switch (rule.action) {
    case 'allow':
      return null;
    case 'deny':
    case 'tarpit':
      return { kind: 'denied', status: rule.status };
    case 'redirect':
      return { kind: 'answer', status: rule.code, page: { location: redirectTarget(rule, req), body: '' } };
    case 'return':
      return { kind: 'answer', status: rule.status, page: { contentType: rule.contentType, body: rule.body ?? '' } };
  }
}

function redirectTarget(rule: Extract<HttpRequestRule, { action: 'redirect' }>, req: RequestHead): string {
  if (rule.type === 'location') return rule.value;
  if (rule.type === 'prefix') {
    let path = rule.dropQuery ? req.path : req.uri;
    if (rule.appendSlash && !req.path.endsWith('/')) path = rule.dropQuery ? `${req.path}/` : req.uri.replace(req.path, `${req.path}/`);
    return rule.value === '/' ? path : rule.value + path;
  }
  const host = req.header('host') ?? '';
  return `${rule.value}://${host}${rule.dropQuery ? req.path : req.uri}`;
}
