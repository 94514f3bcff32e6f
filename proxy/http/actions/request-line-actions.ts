// Request-line actions of http-request rules, as src/http_act.c and src/http_htx.c have them: set-method, set-path,
// set-pathq, set-query, set-uri, replace-path, replace-pathq, replace-uri — parsed, and run on the request head.
import { pathStart } from '../path.ts';
import type { SampleContext } from '../../sample/context.ts';
import type { ProxyLineContext } from '../../config/context.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import { compileRegex } from '../../acl/regex.ts';
import { tryRuleFormat } from '../../sample/rule-format.ts';
import { expReplace, formatPlaces, isCondWord, type Parsed } from './common.ts';
import type { RequestHead } from '../request-head.ts';

// set-method / set-path / set-pathq / set-query / set-uri <fmt> (parse_set_req_line)
export function parseSetRequestLine(c: ProxyLineContext, at: number, action: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri'): Parsed<HttpRequestRule> {
  const value = c.arg(at);
  if (value === '' || isCondWord(value) || (at + 1 < c.count && !isCondWord(c.arg(at + 1)))) return { error: 'expects exactly 1 argument <format>' };
  const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
  if ('error' in f) return f;
  return { rule: { action, value, format: f.format }, next: at + 1 };
}

// replace-path / replace-pathq / replace-uri <match-regex> <replace-fmt> (parse_replace_uri)
export function parseReplaceUri(c: ProxyLineContext, at: number, action: 'replace-path' | 'replace-pathq' | 'replace-uri'): Parsed<HttpRequestRule> {
  if (at + 1 >= c.count || isCondWord(c.arg(at)) || isCondWord(c.arg(at + 1)) || (at + 2 < c.count && !isCondWord(c.arg(at + 2)))) {
    return { error: 'expects exactly 2 arguments <match-regex> and <replace-format>' };
  }
  const regex = compileRegex(c.arg(at), false);
  if (typeof regex === 'string') return { error: `failed to parse the regex : ${regex}` };
  const value = c.arg(at + 1);
  const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
  if ('error' in f) return f;
  return { rule: { action, regex, value, format: f.format }, next: at + 2 };
}


export type LineRule = Extract<HttpRequestRule, { action: `set-${'method' | 'path' | 'pathq' | 'query' | 'uri'}` | `replace-${'path' | 'pathq' | 'uri'}` }>;

/** Applies one request-line rule to `req` (its target and method change in place). */
export function applyRequestLineRule(req: RequestHead, rule: LineRule, ctx: SampleContext): void {
  if (rule.action === 'set-method') {
    req.method = rule.format(ctx);
    return;
  }
  if (rule.action === 'set-query') {
    req.setUri(withQuery(req.uri, rule.format(ctx)));
    return;
  }
  const part = rule.action.endsWith('-uri') ? 'uri' : rule.action.endsWith('pathq') ? 'pathq' : 'path';
  let value: string;
  if (rule.action.startsWith('set-')) value = rule.format(ctx);
  else {
    const subject = part === 'uri' ? req.uri : pathOf(req.uri, part === 'pathq');
    if (subject === '') return;
    const m = (rule as { regex: RegExp }).regex.exec(subject);
    if (!m) return;
    value = expReplace(rule.format(ctx), m);
  }
  if (part === 'uri') {
    req.setUri(value);
    const authority = authorityOf(value);
    // an absolute-form target names the host: every Host header follows it (http_update_host)
    if (authority !== null) for (let i = 0; i < req.headers.length; i += 2) if (req.headers[i]!.toLowerCase() === 'host') req.headers[i + 1] = authority;
  } else req.setUri(withPath(req.uri, value, part === 'pathq'));
}

function pathOf(uri: string, withQuery: boolean): string {
  const start = pathStart(uri);
  if (start < 0) return '';
  const p = uri.slice(start);
  if (withQuery) return p;
  const q = p.indexOf('?');
  return q < 0 ? p : p.slice(0, q);
}

// http_replace_req_path: the authority stays, the new path goes in, the query stays unless it was replaced too.
function withPath(uri: string, path: string, withQuery: boolean): string {
  const start = pathStart(uri);
  const base = start < 0 ? '' : uri.slice(0, start);
  const rest = start < 0 ? uri : uri.slice(start);
  if (withQuery) return base + path;
  const q = rest.indexOf('?');
  return base + path + (q < 0 ? '' : rest.slice(q));
}

// http_replace_req_query: after an existing '?', or with a new '?' only when the query is not empty.
function withQuery(uri: string, query: string): string {
  const q = uri.indexOf('?');
  if (q >= 0) return uri.slice(0, q + 1) + query;
  return query === '' ? uri : `${uri}?${query}`;
}

// The authority of an absolute-form target ("http://a.b:8080/x" → "a.b:8080"), or null.
function authorityOf(uri: string): string | null {
  const scheme = uri.indexOf('://');
  if (uri.charCodeAt(0) === 47 || scheme <= 0) return null;
  const end = uri.slice(scheme + 3).search(/[/?#]/);
  const authority = end < 0 ? uri.slice(scheme + 3) : uri.slice(scheme + 3, scheme + 3 + end);
  return authority === '' ? null : authority;
}
