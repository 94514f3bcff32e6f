// What the http-request / http-response action families share: the parse result, the condition words that end an
// action's arguments, and where an action's format strings are checked.
import type { ProxyLineContext } from '../../config/context.ts';
import type { CheckPlace } from '../../sample/places.ts';

/** Status codes HAProxy has a built-in error page for (http_err_codes[] in src/http.c). */
export const ERROR_PAGE_CODES = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];

/** Omit over each member of a union (plain Omit would merge the members). */
export type RuleBody<R> = R extends unknown ? Omit<R, 'cond' | 'loc' | 'text'> : never;
export type Parsed<R> = { rule: RuleBody<R>; next: number } | { error: string };

export function isCondWord(text: string): boolean {
  return text === 'if' || text === 'unless';
}

// Where a rule's log-format strings are checked: a listen section has both sides (HAProxy's cap FE|BE).
export function formatPlaces(c: ProxyLineContext): CheckPlace[] {
  // http-error replies are checked as request-side formats (haproxy 2.6.12 accepts %[path] in them)
  const response = c.arg(0) !== 'http-request' && c.arg(0) !== 'http-error';
  const front: CheckPlace = response ? 'http-response' : 'http-request';
  const back: CheckPlace = response ? 'backend http-response' : 'backend http-request';
  return c.proxyType === 'backend' ? [back] : c.proxyType === 'frontend' ? [front] : [front, back];
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
