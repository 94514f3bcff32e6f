// What a document's Flask app (Werkzeug dev server) answers to a method and path, byte for byte where it matters.
import type { AppEntry } from './app-catalog.ts';

export interface FlaskResponse {
  readonly status: number;
  /** Werkzeug sends upper-case reason phrases ("NOT FOUND"). */
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Body as sent (empty for HEAD, though Content-Length is the GET body's). */
  readonly body: string;
}

export const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling ' +
  'and try again.</p>\n';

export const METHOD_NOT_ALLOWED_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' +
  '<p>The method is not allowed for the requested URL.</p>\n';

const CONTENT_TYPE = 'text/html; charset=utf-8';

// Flask's automatic methods: HEAD with GET, OPTIONS always. Werkzeug lists them in set order; we sort.
export function allowedMethods(methods: readonly string[]): string[] {
  const all = new Set<string>(methods);
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all].sort();
}

// Werkzeug's routing path: the path part of the target, percent-decoded, with repeated slashes merged.
export function routingPath(target: string): string {
  const raw = target.split('?', 1)[0]!.split('#', 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  return decoded.replace(/\/{2,}/g, '/') || '/';
}

// The answer the Flask app would give to METHOD TARGET.
export function flaskRespond(app: AppEntry, method: string, target: string): FlaskResponse {
  const route = app.routes.find((r) => r.path === routingPath(target));
  const head = method === 'HEAD';
  const make = (status: number, reason: string, body: string, extra: Record<string, string> = {}): FlaskResponse => ({
    status,
    reason,
    headers: { 'Content-Type': CONTENT_TYPE, ...extra, 'Content-Length': String(Buffer.byteLength(body)) },
    body: head ? '' : body,
  });
  if (!route) return make(404, 'NOT FOUND', NOT_FOUND_PAGE);
  const allow = allowedMethods(route.methods);
  if (method === 'OPTIONS') return make(200, 'OK', '', { Allow: allow.join(', ') });
  if (!allow.includes(method)) return make(405, 'METHOD NOT ALLOWED', METHOD_NOT_ALLOWED_PAGE, { Allow: allow.join(', ') });
  return make(200, 'OK', route.body);
}
