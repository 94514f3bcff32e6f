// The request-line and header rewrites of http-request/http-response rules, as src/http_act.c and src/http_htx.c
// do them: set-method/path/pathq/query/uri, replace-path/pathq/uri, replace-header/replace-value.
import { pathStart } from './path.ts';
import type { SampleContext } from '../sample/context.ts';
import type { HttpRequestRule, ReplaceHeaderRule } from '../config/model.ts';
import type { RequestHead } from './request-head.ts';

type LineRule = Extract<HttpRequestRule, { action: `set-${'method' | 'path' | 'pathq' | 'query' | 'uri'}` | `replace-${'path' | 'pathq' | 'uri'}` }>;

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

/** replace-header / replace-value on a header list, in place (http_replace_hdrs). */
export function replaceHeaders(headers: string[], rule: ReplaceHeaderRule, ctx: SampleContext): void {
  const lower = rule.name.toLowerCase();
  let fmt: string | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== lower) continue;
    const value = headers[i + 1]!;
    if (rule.action === 'replace-header') {
      const m = rule.regex.exec(value);
      if (m) headers[i + 1] = expReplace((fmt ??= rule.format(ctx)), m);
      continue;
    }
    // replace-value: each comma-separated value on its own; a replaced one loses the blanks around it, as
    // http_replace_header_value replaces them with the value
    const parts = value.split(',');
    let changed = false;
    for (let k = 0; k < parts.length; k++) {
      const m = rule.regex.exec(parts[k]!.trim());
      if (!m) continue;
      parts[k] = expReplace((fmt ??= rule.format(ctx)), m);
      changed = true;
    }
    if (changed) headers[i + 1] = parts.join(',');
  }
}

/** HAProxy's exp_replace: the format with \0-\9 taken from the match and \xHH as a byte; the match replaces nothing else. */
export function expReplace(fmt: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '\\' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const n = fmt[++i]!;
    if (n >= '0' && n <= '9') out += m[Number(n)] ?? '';
    else if (n === 'x' && i + 2 < fmt.length) {
      out += String.fromCharCode(Number.parseInt(fmt.slice(i + 1, i + 3), 16) || 0);
      i += 2;
    } else out += n;
  }
  return out;
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
