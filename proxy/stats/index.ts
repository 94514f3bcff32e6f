// Statistics: HAProxy's CSV (shared with the runtime API's `show stat`), the HTML page, and the request handler.
export { STAT_COLUMNS, statsCsvHeader } from './columns.ts';
export type { StatColumn } from './columns.ts';
export { DEFAULT_GLOBAL_MAXCONN, defaultFullconn, globalMaxconn, renderStatsCsv, statsProxies } from './csv.ts';
export type { CsvFilter, StatsOptions, StatsProxy } from './csv.ts';
export { escapeHtml, humanDuration, renderStatsHtml } from './html.ts';
export type { HtmlOptions } from './html.ts';
export { DEFAULT_STATS_URI, handleStatsRequest, matchesStatsUri } from './handler.ts';
export type { StatsRequestOptions, StatsResponse } from './handler.ts';
export { backendStatusText, backendTotals, serverStatusText, serverUsable } from './status.ts';
export type { BackendTotals } from './status.ts';
