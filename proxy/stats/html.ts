// The stats page: one table per proxy listing its frontend, servers and backend with status, weight,
// sessions, bytes and the last health check, in the spirit of HAProxy's page (src/stats.c stats_dump_html_*),
// kept plain so a learner reads it at a glance. Auto-refreshes with `stats refresh`.
import type { BackendSnapshot, EngineSnapshot, FrontendSnapshot, ServerSnapshot } from '../api.ts';
import { checkStatusDescription } from '../server/health/status.ts';
import { statsProxies, type StatsOptions } from './csv.ts';
import { backendStatusText, backendTotals, serverStatusText } from './status.ts';

export interface HtmlOptions extends StatsOptions {
  /** The `stats uri`, for the links to the CSV form. */
  readonly uri: string;
  /** `stats refresh` in seconds; omitted or 0: no refresh. */
  readonly refresh?: number;
  /** ";up": hide servers that are not up. */
  readonly upOnly?: boolean;
  /** ";no-maint": hide servers in maintenance. */
  readonly noMaint?: boolean;
}

// Escapes text for HTML content and attribute values.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:Arial,Helvetica,sans-serif;font-size:13px;margin:1em;color:#222}
h1{font-size:18px;margin:0 0 .2em}
p.info{margin:0 0 1em;color:#555}
table{border-collapse:collapse;margin:0 0 1.5em;min-width:60em}
caption{text-align:left;font-weight:bold;font-size:14px;padding:.3em 0}
th,td{border:1px solid #bbb;padding:2px 6px;text-align:right;white-space:nowrap}
th{background:#eee}
td.name,th.name{text-align:left}
tr.frontend td{background:#eef}
tr.backend td{background:#e6e6e6;font-weight:bold}
tr.up td{background:#c0ffc0}
tr.going-down td{background:#ffd020}
tr.going-up td{background:#ffffa0}
tr.down td{background:#ff9090}
tr.drain td{background:#b0d0ff}
tr.maint td{background:#c8c8ff}
tr.nocheck td{background:#e0e0e0}
td.check{text-align:left}`;

function cells(values: readonly (string | number)[], cls?: string): string {
  return `<tr${cls ? ` class="${cls}"` : ''}>${values.map((v, i) => `<td${i === 0 ? ' class="name"' : ''}>${escapeHtml(String(v))}</td>`).join('')}</tr>`;
}

// "1h02m", "5s": HAProxy's human durations on the page.
export function humanDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

function rowClass(s: ServerSnapshot): string {
  const st = serverStatusText(s);
  if (st === 'MAINT') return 'maint';
  if (st.startsWith('DRAIN')) return 'drain';
  if (st === 'no check') return 'nocheck';
  if (st.startsWith('UP ')) return 'going-down';
  if (st.startsWith('DOWN ')) return 'going-up';
  return st === 'UP' ? 'up' : 'down';
}

function lastCheckText(s: ServerSnapshot): string {
  if (!s.check) return '';
  if (s.admin === 'maint') return 'paused';
  const c = s.lastCheck;
  if (!c) return 'not run yet';
  const code = c.code !== undefined ? ` ${c.code}` : '';
  const info = c.desc ? `, "${c.desc}"` : '';
  return `${c.status}${code} in ${Math.round(c.durationMs)}ms (${checkStatusDescription(c.status)}${info})`;
}

const HEAD = ['', 'Status', 'LastChk', 'Wght', 'Act', 'Bck', 'Cur', 'Max', 'Limit', 'Total', 'Bytes In', 'Bytes Out', 'Queue', 'LastChg', 'Dwntme', 'Chk fail', 'Chk down'];

function frontendLine(f: FrontendSnapshot): string {
  return cells(['Frontend', 'OPEN', f.listening.join(' '), '', '', '', f.current, '', f.maxconn ?? '', f.totalConnections, f.bytesIn, f.bytesOut, '', '', '', '', ''], 'frontend');
}

function serverLine(s: ServerSnapshot, now: number): string {
  const down = (s.downTimeMs ?? 0) + (s.op === 'down' ? now - s.lastStateChange : 0);
  return cells(
    [
      s.name,
      serverStatusText(s),
      lastCheckText(s),
      s.weight,
      s.backup ? '-' : 'Y',
      s.backup ? 'Y' : '-',
      s.served,
      '',
      s.maxconn || '',
      s.totalConnections,
      s.bytesIn,
      s.bytesOut,
      s.queued,
      humanDuration(now - s.lastStateChange),
      s.check ? humanDuration(down) : '',
      s.check ? (s.failedChecks ?? 0) : '',
      s.check ? (s.downTransitions ?? 0) : '',
    ],
    rowClass(s),
  );
}

function backendLine(b: BackendSnapshot, now: number, allBackups: boolean): string {
  const t = backendTotals(b, allBackups);
  return cells(
    ['Backend', backendStatusText(b, allBackups), '', t.totalWeight, t.active, t.backup, b.servers.reduce((n, s) => n + s.served, 0), '', b.fullconn ?? '', b.totalConnections, b.bytesIn, b.bytesOut, b.queued, humanDuration(now - (b.lastStateChange ?? now)), '', '', b.downTransitions ?? 0],
    'backend',
  );
}

// The whole page for a snapshot.
export function renderStatsHtml(snapshot: EngineSnapshot, opts: HtmlOptions): string {
  const now = opts.now ?? Date.now();
  const refresh = opts.refresh && opts.refresh > 0 ? `<meta http-equiv="refresh" content="${Math.round(opts.refresh)}">\n` : '';
  const base = escapeHtml(opts.uri);
  const tables = statsProxies(snapshot).map((p) => {
    const allBackups = opts.config?.backends.get(p.name)?.options.allbackups ?? false;
    const rows: string[] = [];
    if (p.frontend) rows.push(frontendLine(p.frontend));
    if (p.backend) {
      for (const s of p.backend.servers) {
        if (opts.upOnly && s.op === 'down') continue;
        if ((opts.noMaint || opts.upOnly) && s.admin === 'maint') continue;
        rows.push(serverLine(s, now));
      }
      rows.push(backendLine(p.backend, now, allBackups));
    }
    const mode = p.frontend?.mode ?? p.backend?.mode ?? 'http';
    return `<table>\n<caption>${escapeHtml(p.name)} <small>(${mode}${p.backend ? `, balance ${escapeHtml(p.backend.algorithm)}` : ''})</small></caption>\n<tr>${HEAD.map((h, i) => `<th${i === 0 ? ' class="name"' : ''}>${h}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>`;
  });
  const uptime = humanDuration(now - snapshot.startedAt);
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
${refresh}<title>Statistics Report for pid ${snapshot.pid}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>Statistics Report for pid ${snapshot.pid}</h1>
<p class="info">uptime ${uptime}, config generation ${snapshot.generation} &middot; <a href="${base};csv">CSV export</a> &middot; <a href="${base};up">hide DOWN servers</a>${opts.refresh ? ` &middot; <a href="${base};norefresh">disable refresh</a>` : ''}</p>
${tables.join('\n')}
</body>
</html>
`;
}
