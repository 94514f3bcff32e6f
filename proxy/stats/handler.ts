// Answers a request under `stats uri` as HAProxy's stats applet does (src/http_ana.c http_handle_stats):
// the HTML page by default, ";csv" for the CSV, ";up" / ";no-maint" to hide servers, ";norefresh".
import type { EngineSnapshot } from '../api.ts';
import { renderStatsCsv, type StatsOptions } from './csv.ts';
import { renderStatsHtml } from './html.ts';

export interface StatsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Extra headers HAProxy sends with its stats (Cache-Control: no-cache). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface StatsRequestOptions extends StatsOptions {
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

// The stats answer for a request path (the engine checked matchesStatsUri first).
export function handleStatsRequest(path: string, snapshot: EngineSnapshot, opts: StatsRequestOptions = {}): StatsResponse {
  const uri = opts.uri ?? DEFAULT_STATS_URI;
  const rest = path.startsWith(uri) ? path.slice(uri.length) : path;
  const upOnly = rest.includes(';up');
  const noMaint = rest.includes(';no-maint');
  const headers = { 'Cache-Control': 'no-cache' };
  if (rest.includes(';csv')) {
    return { status: 200, contentType: 'text/plain', body: renderStatsCsv(snapshot, { ...opts, upOnly, noMaint }), headers };
  }
  const refresh = opts.refresh && !rest.includes(';norefresh') ? opts.refresh : undefined;
  return {
    status: 200,
    contentType: 'text/html',
    body: renderStatsHtml(snapshot, { ...opts, uri, refresh: refresh ?? 0, upOnly, noMaint }),
    headers,
  };
}
