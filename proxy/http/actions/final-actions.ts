// The http-request actions that end the rules (src/http_act.c): allow, deny, tarpit, redirect, return — parsed
// with HAProxy's messages, and run as what the request gets instead of a server's answer.
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import type { RequestHead } from '../request-head.ts';
import { isCondWord, type Parsed } from './common.ts';
import { parseHttpReply, type HttpReply } from './http-reply.ts';

const REDIRECT_CODES = [301, 302, 303, 307, 308];

// deny / tarpit / return: the reply arguments (deny and tarpit also take the older "deny_status N").
export function parseReplyAction(c: ProxyLineContext, at: number, action: 'deny' | 'tarpit' | 'return', defaultStatus: number): Parsed<HttpRequestRule> {
  const r = parseHttpReply(c, at, defaultStatus, action !== 'return');
  if ('error' in r) return r;
  return { rule: { action, reply: r.reply }, next: r.next };
}

// "http-request redirect" or the standalone "redirect", for warnings.
function label(c: ProxyLineContext): string {
  return c.arg(0) === 'redirect' ? 'redirect' : `${c.arg(0)} redirect`;
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
      c.unsupported(`'${label(c)} ... ${a}'`, { at: c.word(i) });
      i += 2;
    } else if (a === 'ignore-empty') {
      c.unsupported(`'${label(c)} ... ignore-empty'`, { at: c.word(i) });
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

/** A standalone "redirect" rule: the same rule as "http-request redirect". */
export type RedirectRule = Extract<HttpRequestRule, { action: 'redirect' }>;

/** A rule that ends the http-request rules. */
export type FinalRule = Extract<HttpRequestRule, { action: 'allow' | 'deny' | 'tarpit' | 'redirect' | 'return' }>;

/** What a final rule answers: HAProxy's error page for deny/tarpit, or the rule's own response. */
export type FinalAnswer =
  | { readonly kind: 'reply'; readonly reply: HttpReply }
  | { readonly kind: 'answer'; readonly status: number; readonly page: { contentType?: string; body: string; location?: string } };

// allow answers nothing (the request goes on to the backend): null.
export function finalAnswer(rule: FinalRule, req: RequestHead): FinalAnswer | null {
  switch (rule.action) {
    case 'allow':
      return null;
    case 'deny':
    case 'tarpit':
    case 'return':
      return { kind: 'reply', reply: rule.reply };
    case 'redirect':
      return { kind: 'answer', status: rule.code, page: { location: redirectTarget(rule, req), body: '' } };
  }
}

function redirectTarget(rule: Extract<HttpRequestRule, { action: 'redirect' }>, req: RequestHead): string {
  if (rule.type === 'location') return rule.value;
  if (rule.type === 'prefix') {
    // append-slash looks at the end of what is sent: with the query kept, HAProxy adds the slash after it
    let path = rule.dropQuery ? req.path : req.uri;
    if (rule.appendSlash && !path.endsWith('/')) path += '/';
    return rule.value === '/' ? path : rule.value + path;
  }
  const host = req.header('host') ?? '';
  return `${rule.value}://${host}${rule.dropQuery ? req.path : req.uri}`;
}
