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
  /** `stats admin` holds for this request: each backend gets HAProxy's form to change its servers. */
  readonly admin?: boolean;
  /** `stats show-node`: the node name shown in the title. */
  readonly node?: string;
  /** `stats show-desc`: the description shown after the node. */
  readonly desc?: string;
  /** `stats hide-version`: no version line. */
  readonly hideVersion?: boolean;
  /** `stats show-legends`: each server's address and the backend's algorithm in a legend line. */
  readonly showLegends?: boolean;
  /** The outcome of the last admin POST (";st=DONE" ...), shown once. */
  readonly outcome?: string;
  /** The engine's version, shown unless hide-version. */
  readonly version?: string;
}

// The admin form's actions, as HAProxy's page offers them (names are the POST's values).
const ADMIN_OPTIONS: readonly (readonly [string, string])[] = [
  ['', ''], ['ready', 'Set state to READY'], ['drain', 'Set state to DRAIN'], ['maint', 'Set state to MAINT'],
  ['dhlth', 'Health: disable checks'], ['ehlth', 'Health: enable checks'], ['hrunn', 'Health: force UP'],
  ['hnolb', 'Health: force NOLB'], ['hdown', 'Health: force DOWN'], ['dagent', 'Agent: disable checks'],
  ['eagent', 'Agent: enable checks'], ['arunn', 'Agent: force UP'], ['adown', 'Agent: force DOWN'], ['shutdown', 'Kill Sessions'],
];

const OUTCOMES: Readonly<Record<string, string>> = {
  DONE: 'Action processed successfully.',
  PART: 'Action partially processed.',
  NONE: 'Nothing has changed.',
  ERRP: 'Action not processed because of invalid parameters.',
  DENY: 'Action denied.',
  EXCD: 'Action not processed : the buffer couldn\'t store all the data.',
};

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
  const refresh = '';
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
    const legend = opts.showLegends && p.backend
      ? `\n<p class="legend">${p.backend.servers.map((s) => `${escapeHtml(s.name)}: ${escapeHtml(s.address)}`).join(', ')}</p>`
      : '';
    if (opts.admin && p.backend && p.backend.servers.length > 0) {
      const boxes = p.backend.servers
        .map((s) => `<label><input class='be-checkbox' type="checkbox" name="s" value="${escapeHtml(s.name)}"> ${escapeHtml(s.name)}</label>`)
        .join(' ');
      const select = `<select name=action>\n${ADMIN_OPTIONS.map(([v, t]) => `<option value="${v}">${t}`).join('\n')}\n</select>`;
      return `<form method="post">\n<table>\n<caption>${escapeHtml(p.name)} <small>(${mode}, balance ${escapeHtml(p.backend.algorithm)})</small></caption>\n<tr>${HEAD.map((h, i) => `<th${i === 0 ? ' class="name"' : ''}>${h}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>${legend}\n<p class="admin">Choose the action to perform on the checked servers : ${boxes}\n${select}\n<input type="hidden" name="b" value="#${p.id}">\n<input type="submit" value="Apply"></p>\n</form>`;
    }
    return `<table>\n<caption>${escapeHtml(p.name)} <small>(${mode}${p.backend ? `, balance ${escapeHtml(p.backend.algorithm)}` : ''})</small></caption>\n<tr>${HEAD.map((h, i) => `<th${i === 0 ? ' class="name"' : ''}>${h}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>${legend}`;
  });
  const uptime = humanDuration(now - snapshot.startedAt);
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
${refresh}<title>Statistics Report for HAProxy${opts.node ? ` on ${escapeHtml(opts.node)}` : ''}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>Statistics Report for pid ${snapshot.pid}${opts.node ? ` on ${escapeHtml(opts.node)}` : ''}${opts.desc ? `: ${escapeHtml(opts.desc)}` : ''}</h1>
${opts.hideVersion || !opts.version ? '' : `<p class="version">version ${escapeHtml(opts.version)}</p>\n`}${opts.outcome && OUTCOMES[opts.outcome] ? `<p class="outcome">${OUTCOMES[opts.outcome]}</p>\n` : ''}
<p class="info">uptime ${uptime}, config generation ${snapshot.generation} &middot; <a href="${base};csv">CSV export</a> &middot; <a href="${base};up">hide DOWN servers</a>${opts.refresh ? ` &middot; <a href="${base};norefresh">disable refresh</a>` : ''}</p>
${tables.join('\n')}
</body>
</html>
`;
}
