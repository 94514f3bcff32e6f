// Header actions of http-request / http-response rules (src/http_act.c): set-header, add-header, del-header,
// replace-header, replace-value — parsed with HAProxy's messages, and run on a header list in place.
import type { ProxyLineContext } from '../../config/context.ts';
import type { DelHeaderRule, HttpRequestRule, ReplaceHeaderRule } from '../../config/model.ts';
import { compileRegex } from '../../acl/regex.ts';
import { tryRuleFormat } from '../../sample/rule-format.ts';
import type { SampleContext } from '../../sample/context.ts';
import { expReplace, formatPlaces, isCondWord, type Parsed } from './common.ts';

export function parseHeaderAction(c: ProxyLineContext, at: number, action: 'set-header' | 'add-header' | 'del-header'): Parsed<HttpRequestRule> {
  if (action === 'del-header') {
    if (at >= c.count || isCondWord(c.arg(at))) return { error: 'expects at least 1 argument' };
    const name = c.arg(at);
    if (c.arg(at + 1) !== '-m') return { rule: { action, name, match: 'str' }, next: at + 1 };
    const method = c.arg(at + 2);
    if (method === '') return { error: '-m flag expects exactly 1 argument' };
    if (method === 'reg') {
      const regex = compileRegex(name, false);
      if (typeof regex === 'string') return { error: regex };
      return { rule: { action, name, match: 'reg', regex }, next: at + 3 };
    }
    if (method === 'str' || method === 'beg' || method === 'end' || method === 'sub') return { rule: { action, name, match: method }, next: at + 3 };
    return { error: `-m with unsupported matching method '${method}'` };
  }
  if (at + 1 >= c.count || isCondWord(c.arg(at)) || isCondWord(c.arg(at + 1))) return { error: 'expects exactly 2 arguments' };
  const value = c.arg(at + 1);
  const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
  if ('error' in f) return f;
  return { rule: { action, name: c.arg(at), value, format: f.format }, next: at + 2 };
}

// replace-header / replace-value <name> <match-regex> <replace-fmt> (parse_http_replace_header)
export function parseReplaceHeader(c: ProxyLineContext, at: number, action: 'replace-header' | 'replace-value'): Parsed<ReplaceHeaderRule> {
  if (at + 2 >= c.count || [0, 1, 2].some((k) => c.arg(at + k) === '')) return { error: 'expects exactly 3 arguments' };
  const regex = compileRegex(c.arg(at + 1), false);
  if (typeof regex === 'string') return { error: regex };
  const value = c.arg(at + 2);
  const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
  if ('error' in f) return f;
  return { rule: { action, name: c.arg(at), regex, value, format: f.format }, next: at + 3 };
}


export type HeaderRule = Extract<HttpRequestRule, { action: 'set-header' | 'add-header' | 'del-header' }>;

// Whether del-header's name and method pick this header name: case-insensitive for str/beg/end/sub (as
// http_find_*_header), the regex on the lower-case name HTX keeps.
function delHeaderPicks(rule: DelHeaderRule, lowerRuleName: string, name: string): boolean {
  const n = name.toLowerCase();
  switch (rule.match) {
    case 'str': return n === lowerRuleName;
    case 'beg': return n.startsWith(lowerRuleName);
    case 'end': return n.endsWith(lowerRuleName);
    case 'sub': return n.includes(lowerRuleName);
    case 'reg': return rule.regex!.test(n);
  }
}

// set-header / add-header / del-header on a header list, in place.
// The value is built before the old headers go (http_action_set_header), so `set-header h %[req.hdr(h)]` keeps h.
export function applyHeaderRule(headers: string[], rule: HeaderRule, ctx: SampleContext): void {
  const lower = rule.name.toLowerCase();
  if (rule.action === 'del-header') {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (delHeaderPicks(rule, lower, headers[i]!)) headers.splice(i, 2);
    }
    return;
  }
  // the value is built first, so it can read the header it replaces (http_action_set_header)
  const value = rule.format(ctx);
  if (rule.action === 'set-header') {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (headers[i]!.toLowerCase() === lower) headers.splice(i, 2);
    }
  }
  headers.push(rule.name, value);
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
