// The http-request actions that end the rules (src/http_act.c): allow, deny, tarpit, redirect, return — parsed
// with HAProxy's messages, and run as what the request gets instead of a server's answer.
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import type { RequestHead } from '../request-head.ts';
import { isCondWord, type Parsed } from './common.ts';
import { parseHttpReply, type HttpReply } from './http-reply.ts';
import { formatPlaces } from './common.ts';
import { tryRuleFormat } from '../../sample/rule-format.ts';
import type { SampleContext } from '../../sample/context.ts';
import { pathStart } from '../path.ts';

const REDIRECT_CODES = [301, 302, 303, 307, 308];

// deny / tarpit / return: the reply arguments (deny and tarpit also take the older "deny_status N").
export function parseReplyAction(c: ProxyLineContext, at: number, action: 'deny' | 'tarpit' | 'return', defaultStatus: number): Parsed<HttpRequestRule> {
  const r = parseHttpReply(c, at, defaultStatus, action !== 'return');
  if ('error' in r) return r;
  return { rule: { action, reply: r.reply }, next: r.next };
}

export function parseRedirect(c: ProxyLineContext, at: number): Parsed<HttpRequestRule> {
  let type: 'location' | 'prefix' | 'scheme' | undefined;
  let value = '';
  let code = 302;
  let dropQuery = false;
  let appendSlash = false;
  let ignoreEmpty = false;
  let setCookie: string | undefined;
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
      // the value as written, then "; path=/;" (a clear adds "Max-Age=0;" too)
      setCookie = c.arg(i + 1) + (a === 'set-cookie' ? '; path=/;' : '; path=/; Max-Age=0;');
      i += 2;
    } else if (a === 'ignore-empty') {
      ignoreEmpty = true;
      i++;
    } else {
      return {
        error: `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '${a}')`,
      };
    }
  }
  if (!type) return { error: `redirection type expected ('prefix', 'location', or 'scheme')` };
  const rule = { action: 'redirect' as const, type, value, code, dropQuery, appendSlash, ignoreEmpty, ...(setCookie !== undefined ? { setCookie } : {}) };
  // http-request redirect takes a log-format string (a prefix of "/" stays the self-redirection it means); the
  // standalone keyword keeps its text as written (http_parse_redirect_rule's use_fmt)
  if (c.arg(0) === 'redirect' || (type === 'prefix' && value === '/')) return { rule, next: i };
  const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
  if ('error' in f) return f;
  return { rule: { ...rule, format: f.format }, next: i };
}

/** A standalone "redirect" rule: the same rule as "http-request redirect". */
export type RedirectRule = Extract<HttpRequestRule, { action: 'redirect' }>;

/** A rule that ends the http-request rules. */
export type FinalRule = Extract<HttpRequestRule, { action: 'allow' | 'deny' | 'tarpit' | 'redirect' | 'return' }>;

/** What a final rule answers: HAProxy's error page for deny/tarpit, or the rule's own response. */
export type FinalAnswer =
  | { readonly kind: 'reply'; readonly reply: HttpReply }
  | { readonly kind: 'answer'; readonly status: number; readonly page: { contentType?: string; body: string; location?: string; setCookie?: string } };

// allow answers nothing (the request goes on to the backend): null. A redirect whose target is an empty
// ignore-empty location answers nothing either (see redirectTarget).
export function finalAnswer(rule: FinalRule, req: RequestHead, ctx: SampleContext): FinalAnswer | null {
  switch (rule.action) {
    case 'allow':
      return null;
    case 'deny':
    case 'tarpit':
    case 'return':
      return { kind: 'reply', reply: rule.reply };
    case 'redirect': {
      const location = redirectTarget(rule, req, ctx);
      if (location === null) return null;
      return { kind: 'answer', status: rule.code, page: { location, body: '', ...(rule.setCookie !== undefined ? { setCookie: rule.setCookie } : {}) } };
    }
  }
}

/** http_apply_redirect_rule's location; null when ignore-empty skips the rule (ret 2: the next rules run). */
export function redirectTarget(rule: RedirectRule, req: RequestHead, ctx: SampleContext): string | null {
  const value = rule.format ? rule.format(ctx) : rule.value;
  if (rule.type === 'location') return value === '' && rule.format && rule.ignoreEmpty ? null : value;
  // the path from the target as http_parse_path gives it, "/" without one; drop-query cuts it at its '?'
  let path = requestPath(req.uri);
  if (rule.dropQuery) {
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
  }
  let out: string;
  if (rule.type === 'prefix') out = !rule.format && value === '/' ? path : value + path;
  else out = `${value}://${req.header('host') ?? ''}${path}`;
  // append-slash looks at the end of what is sent: with the query kept, HAProxy adds the slash after it
  if (rule.appendSlash && out !== '' && !out.endsWith('/')) out += '/';
  return out;
}

// http_parse_path: an origin-form target is its own path; an absolute one's starts after the authority
function requestPath(uri: string): string {
  const at = pathStart(uri);
  return at < 0 ? '/' : uri.slice(at);
}
