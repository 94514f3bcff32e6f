// Answers a request under `stats uri` as HAProxy's stats applet does (src/http_ana.c http_handle_stats):
// the HTML page by default, ";csv" for the CSV, ";up" / ";no-maint" to hide servers, ";norefresh".
import type { EngineSnapshot } from '../api.ts';
import { renderStatsCsv, type StatsOptions } from './csv.ts';
import { renderStatsHtml, SCOPE_MAXLEN, type HtmlOptions } from './html.ts';

export interface StatsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Extra headers HAProxy sends with its stats (Cache-Control: no-cache). */
  readonly headers: Readonly<Record<string, string>>;
}

/** An answer of the stats applet on the wire: headers in HAProxy's order, the body chunked or with a length. */
export interface StatsAnswer {
  readonly status: number;
  /** [name, value, ...] in the order HAProxy writes them. */
  readonly headers: readonly string[];
  readonly body: string;
  readonly chunked: boolean;
  /** The status the log line shows when it is not `status` (HAProxy logs its 401 as 400, with Tr -1). */
  readonly logStatus?: number;
}

const PAGE_401 = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';

/** HAProxy's 401 for the stats page, with the realm. */
export function unauthorizedAnswer(realm: string): StatsAnswer {
  return {
    status: 401,
    headers: ['content-length', String(PAGE_401.length), 'cache-control', 'no-cache', 'content-type', 'text/html', 'www-authenticate', `Basic realm="${realm}"`],
    body: PAGE_401,
    chunked: false,
    logStatus: 400,
  };
}

/** The 303 after an admin POST, back to the page with the outcome. */
export function adminRedirect(uri: string, outcome: string): StatsAnswer {
  return {
    status: 303,
    headers: ['cache-control', 'no-cache', 'content-type', 'text/plain', 'content-length', '0', 'location', `${uri};st=${outcome}`],
    body: '',
    chunked: false,
  };
}

/** The page or the CSV as the applet sends it: no-cache, its type, "refresh: N" unless ;norefresh, chunked. */
export function pageAnswer(r: StatsResponse, refreshSeconds: number | undefined): StatsAnswer {
  const headers = ['cache-control', 'no-cache', 'content-type', r.contentType];
  if (refreshSeconds !== undefined) headers.push('refresh', String(refreshSeconds));
  return { status: 200, headers, body: r.body, chunked: true };
}

export interface StatsRequestOptions extends StatsOptions, Omit<HtmlOptions, 'uri' | keyof StatsOptions> {
  /** `stats uri`; HAProxy's default is "/haproxy?stats". */
  readonly uri?: string;
  /** `stats refresh` in seconds. */
  readonly refresh?: number;
}

export const DEFAULT_STATS_URI = '/haproxy?stats';

// Whether a request path is for the stats page: HAProxy compares the start of the URI with `stats uri`.
export function matchesStatsUri(path: string, uri: string = DEFAULT_STATS_URI): boolean {
  return path.startsWith(uri);
}

// "scope=TEXT" (the page's scope box) as http_handle_stats() finds it: anywhere after the stats uri, where at least 8
// characters remain (so a one-letter scope is not seen), up to ';', '&' or a space, at most 20 characters kept, and
// dropped when it holds a character names may not.
export function scopeText(rest: string): string | undefined {
  for (let i = 0; i <= rest.length - 8; i++) {
    if (!rest.startsWith('scope=', i)) continue;
    const m = /^[^;& ]*/.exec(rest.slice(i + 6))![0].slice(0, SCOPE_MAXLEN);
    return /[^A-Za-z0-9_.:-]/.test(m) || m === '' ? undefined : m;
  }
  return undefined;
}

// The stats answer for a request path (the engine checked matchesStatsUri first).
export function handleStatsRequest(path: string, snapshot: EngineSnapshot, opts: StatsRequestOptions = {}): StatsResponse {
  const uri = opts.uri ?? DEFAULT_STATS_URI;
  const rest = path.startsWith(uri) ? path.slice(uri.length) : path;
  const upOnly = rest.includes(';up');
  const noMaint = rest.includes(';no-maint');
  const headers = { 'Cache-Control': 'no-cache' };
  if (rest.includes(';csv')) {
    return { status: 200, contentType: 'text/plain', body: renderStatsCsv(snapshot, { ...opts, upOnly, noMaint, legends: opts.showLegends ?? false }), headers };
  }
  const scope = scopeText(rest);
  return {
    status: 200,
    contentType: 'text/html',
    body: renderStatsHtml(snapshot, { ...opts, uri, refresh: opts.refresh ?? 0, noRefresh: rest.includes(';norefresh'), upOnly, noMaint, ...(scope ? { scope } : {}) }),
    headers,
  };
}
