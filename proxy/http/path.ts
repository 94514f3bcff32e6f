// The path in a request target, as HAProxy's http_parse_path finds it (origin-form or absolute-form).
import type { HttpRequestView } from './message-view.ts';

// Where the path starts in the request target, as http_parse_path finds it; -1 when there is none
// ("*", authority-form, or an absolute URI without a path).
export function pathStart(uri: string): number {
  if (uri.length === 0) return -1;
  const c0 = uri.charCodeAt(0);
  if (c0 === 47) return 0; // '/'
  if (c0 === 42) return -1; // '*'
  if (!isAlpha(c0)) return -1;
  let p = 1;
  while (p < uri.length && isSchemeChar(uri.charCodeAt(p))) p++;
  if (uri.charCodeAt(p) !== 58 || uri.charCodeAt(p + 1) !== 47 || uri.charCodeAt(p + 2) !== 47) return -1;
  p += 3;
  while (p < uri.length && uri.charCodeAt(p) !== 47) p++;
  return p < uri.length ? p : -1;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

// The path without the query; origin-form targets use the parser's own `path` (no new string).
export function requestPath(req: HttpRequestView): string | null {
  const uri = req.uri;
  if (uri.charCodeAt(0) === 47) return req.path;
  const start = pathStart(uri);
  if (start < 0) return null;
  const q = uri.indexOf('?', start);
  return q < 0 ? uri.slice(start) : uri.slice(start, q);
}
