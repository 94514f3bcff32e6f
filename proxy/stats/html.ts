// The stats page as HAProxy 2.6 draws it (stats_dump_html_head/_info/_px_hdr/_px_end in src/stats.c): the title
// with the node, the process block with the legend of row colours and the display options (scope box, hide DOWN,
// refresh, CSV), then one pair of tables per proxy (its name and description, then the frontend, server and
// backend rows of html-rows.ts), each backend wrapped in the admin form when `stats admin` holds. The stylesheet
// is the engine's own, with HAProxy's class names and colours.
import type { EngineSnapshot } from '../api.ts';
import { globalMaxconn, proxyRows, statsProxies, type StatsOptions } from './csv.ts';
import { backendHtml, escapeHtml, frontendHtml, serverHtml, type RowFlags } from './html-rows.ts';

export { escapeHtml } from './html-rows.ts';

export interface HtmlOptions extends StatsOptions {
  /** The `stats uri`, for the page's links. */
  readonly uri: string;
  /** `stats refresh` in seconds (0 or absent: none configured). */
  readonly refresh?: number;
  /** ";norefresh" was asked. */
  readonly noRefresh?: boolean;
  /** ";up": servers that are not up are hidden. */
  readonly upOnly?: boolean;
  /** ";no-maint": servers in maintenance are hidden. */
  readonly noMaint?: boolean;
  /** "?scope=TEXT": only proxies whose name holds TEXT (case-insensitive), at most 20 characters. */
  readonly scope?: string;
  /** `stats admin` holds for this request: each backend gets HAProxy's form to change its servers. */
  readonly admin?: boolean;
  /** `stats show-node`: the node name shown in the titles. */
  readonly node?: string;
  /** `stats show-desc`: the description shown after the node. */
  readonly desc?: string;
  /** `stats hide-version`: no version in the heading. */
  readonly hideVersion?: boolean;
  /** `stats show-legends`: addresses, ids and algorithms in the rows' tips, proxies' cap/mode/id. */
  readonly showLegends?: boolean;
  /** The outcome of the last admin POST (";st=DONE" ...), shown once. */
  readonly outcome?: string;
  /** The engine's version, shown unless hide-version. */
  readonly version?: string;
  /** Connections open now (the process block's "current conns"). */
  readonly actconn?: number;
}

/** HAProxy's limit on the scope text (STAT_SCOPE_TXT_MAXLEN). */
export const SCOPE_MAXLEN = 20;

const STYLE = `body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white; }
th,td { font-size: 10px; }
h1 { font-size: x-large; margin-bottom: 0.5em; }
h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin: 0; }
h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin: 0; }
li { margin-top: 0.25em; margin-right: 2em; }
.hr { margin-top: 0.25em; border-color: black; border-bottom-style: solid; }
.titre { background: #20D0D0; color: #000000; font-weight: bold; text-align: center; }
.frontend, .backend { background: #e8e8d0; }
.socket { background: #d0d0d0; }
.active_down, .backup_down { background: #ff9090; }
.active_going_up { background: #ffd020; }
.active_going_down { background: #ffffa0; }
.active_up { background: #c0ffc0; }
.active_nolb, .active_draining { background: #20a0ff; }
.active_no_check, .backup_no_check { background: #e0e0e0; }
.backup_going_up { background: #ff80ff; }
.backup_going_down { background: #c060ff; }
.backup_up { background: #b0d0ff; }
.backup_nolb { background: #90b0e0; }
.backup_draining { background: #cc9900; }
.maintain { background: #c07820; }
.rls { letter-spacing: 0.2em; margin-right: 1px; }
a.px:link, a.px:visited { color: #ffff40; text-decoration: none; }
a.px:hover { color: #ffffff; text-decoration: none; }
a.lfsb:link, a.lfsb:visited { color: #000000; text-decoration: none; }
a.lfsb:hover { color: #505050; text-decoration: none; }
table.tbl { border-collapse: collapse; border-style: none; }
table.tbl td { text-align: right; border: 1px solid gray; padding: 2px 3px; white-space: nowrap; }
table.tbl td.ac { text-align: center; }
table.tbl th { border: 1px solid gray; }
table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; border-style: solid solid none solid; padding: 2px 3px; white-space: nowrap; }
table.tbl th.empty { border-style: none; empty-cells: hide; background: white; }
table.tbl th.desc { background: white; border-style: solid solid none solid; text-align: left; padding: 2px 3px; }
table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black; }
table.lgd td { border: 1px solid gray; padding: 2px; }
table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap; }
table.det { border-collapse: collapse; border-style: none; }
table.det th { text-align: left; border-width: 0px; padding: 0px 1px 0px 0px; font-size: 11px; font-weight: bold; font-family: sans-serif; }
table.det td { text-align: right; border-width: 0px; padding: 0px 0px 0px 4px; white-space: nowrap; font-size: 11px; font-weight: normal; }
u { text-decoration: none; border-bottom: 1px dotted black; }
div.tips { display: block; visibility: hidden; z-index: 2147483647; position: absolute; padding: 2px 4px 3px; background: #f0f060; color: #000000; border: 1px solid #7040c0; white-space: nowrap; font-size: 11px; font-weight: normal; border-radius: 3px; box-shadow: gray 2px 2px 3px; }
u:hover div.tips { visibility: visible; }`;

// The legend of the row colours, as the process block shows it.
const LEGEND = '<table class="lgd"><tr>\n'
  + '<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>\n'
  + '<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>\n'
  + '<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>\n'
  + '<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>\n'
  + '<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>\n'
  + '<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>\n'
  + 'Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.';

// The admin form's actions, as HAProxy's page offers them (names are the POST's values).
const ADMIN_OPTIONS: readonly (readonly [string, string])[] = [
  ['', ''], ['ready', 'Set state to READY'], ['drain', 'Set state to DRAIN'], ['maint', 'Set state to MAINT'],
  ['dhlth', 'Health: disable checks'], ['ehlth', 'Health: enable checks'], ['hrunn', 'Health: force UP'],
  ['hnolb', 'Health: force NOLB'], ['hdown', 'Health: force DOWN'], ['dagent', 'Agent: disable checks'],
  ['eagent', 'Agent: enable checks'], ['arunn', 'Agent: force UP'], ['adown', 'Agent: force DOWN'], ['shutdown', 'Kill Sessions'],
];

// The message after an admin POST: its colour class and text.
const OUTCOMES: Readonly<Record<string, readonly [string, string]>> = {
  DONE: ['active_up', 'Action processed successfully.'],
  NONE: ['active_going_down', 'Nothing has changed.'],
  PART: ['active_going_down', 'Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend).'],
  ERRP: ['active_down', 'Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li><li>Invalid key parameter (empty or too long).</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>'],
  EXCD: ['active_down', '<b>Action not processed : the buffer couldn\'t store all the data.<br>You should retry with less servers at a time.</b>'],
  DENY: ['active_down', '<b>Action denied.</b>'],
  IVAL: ['active_down', '<b>Invalid requests (unsupported method or chunked encoded request).</b>'],
};

/** "1h02m" style durations of the TUI and the lab (not the page's own format, see humanTime). */
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

const CAP: Readonly<Record<string, string>> = { both: 'proxy', frontend: 'frontend', backend: 'backend' };

// The process block and the display options (stats_dump_html_info).
function info(snapshot: EngineSnapshot, o: HtmlOptions, now: number): string {
  const up = Math.max(0, Math.floor((now - snapshot.startedAt) / 1000));
  const maxconn = globalMaxconn(o.config);
  const nbthread = o.config?.global.nbthread ?? 1;
  const scope = o.scope ?? '';
  const scopeQuery = scope ? `?scope=${scope}` : '';
  const up_ = o.upOnly ? ';up' : '';
  const norefr = o.noRefresh ? ';norefresh' : '';
  const node = o.node !== undefined ? ` on ${escapeHtml(o.node)}` : '';
  const desc = o.desc !== undefined ? `: ${escapeHtml(o.desc)}` : '';
  const version = o.hideVersion || !o.version ? '' : ` version ${escapeHtml(o.version)}`;
  let out = `<body><h1><a href="http://www.haproxy.org/" style="text-decoration: none;">HAProxy${version}</a></h1>\n`
    + `<h2>Statistics Report for pid ${snapshot.pid}${node}${desc}</h2>\n`
    + '<hr width="100%" class="hr">\n<h3>&gt; General process information</h3>\n'
    + '<table border=0><tr><td align="left" nowrap width="1%">\n'
    + `<p><b>pid = </b> ${snapshot.pid} (process #1, nbproc = 1, nbthread = ${nbthread})<br>\n`
    + `<b>uptime = </b> ${Math.floor(up / 86400)}d ${Math.floor((up % 86400) / 3600)}h${String(Math.floor((up % 3600) / 60)).padStart(2, '0')}m${String(up % 60).padStart(2, '0')}s<br>\n`
    + `<b>system limits:</b> memmax = unlimited; ulimit-n = ${2 * maxconn + 64}<br>\n`
    + `<b>maxsock = </b> ${2 * maxconn + 64}; <b>maxconn = </b> ${maxconn}; <b>maxpipes = </b> 0<br>\n`
    + `current conns = ${o.actconn ?? 0}; current pipes = 0/0; conn rate = 0/sec; bit rate = 0.000 kbps<br>\n`
    + 'Running tasks: 0/0; idle = 100 %<br>\n'
    + '</td><td align="center" nowrap>\n' + LEGEND + '</td>'
    + '<td align="left" valign="top" nowrap width="1%"><b>Display option:</b><ul style="margin-top: 0.25em;">'
    + `<li><form method="GET">Scope : <input value="${escapeHtml(scope)}" name="scope" size="8" maxlength="${SCOPE_MAXLEN}" tabindex="1"/></form>\n`;
  out += o.upOnly
    ? `<li><a href="${o.uri}${norefr}${scopeQuery}">Show all servers</a><br>\n`
    : `<li><a href="${o.uri};up${norefr}${scopeQuery}">Hide 'DOWN' servers</a><br>\n`;
  if (o.refresh) {
    out += o.noRefresh
      ? `<li><a href="${o.uri}${up_}${scopeQuery}">Enable refresh</a><br>\n`
      : `<li><a href="${o.uri}${up_};norefresh${scopeQuery}">Disable refresh</a><br>\n`;
  }
  out += `<li><a href="${o.uri}${up_}${norefr}${scopeQuery}">Refresh now</a><br>\n`
    + `<li><a href="${o.uri};csv${o.refresh ? ';norefresh' : ''}${scopeQuery}">CSV export</a><br>\n`
    + '</ul></td><td align="left" valign="top" nowrap width="1%"><b>External resources:</b><ul style="margin-top: 0.25em;">\n'
    + '<li><a href="http://www.haproxy.org/">Primary site</a><br>\n'
    + '<li><a href="http://www.haproxy.org/#docs">Online manual</a><br>\n'
    + '</ul></td></tr></table>\n';
  const outcome = o.outcome !== undefined ? (OUTCOMES[o.outcome] ?? ['active_no_check', 'Unexpected result.']) : undefined;
  if (outcome) {
    out += `<p><div class=${outcome[0]}><a class=lfsb href="${o.uri}${up_}${norefr}${scopeQuery}" title="Remove this message">[X]</a> ${outcome[1]}</div>\n<p>\n`;
  }
  return out;
}

// The whole page for a snapshot.
export function renderStatsHtml(snapshot: EngineSnapshot, o: HtmlOptions): string {
  const now = o.now ?? Date.now();
  const flags: RowFlags = { admin: o.admin === true, legends: o.showLegends === true };
  const scope = (o.scope ?? '').toLowerCase();
  let out = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"\n"http://www.w3.org/TR/html4/loose.dtd">\n'
    + `<html><head><title>Statistics Report for HAProxy${o.node !== undefined ? ` on ${escapeHtml(o.node)}` : ''}</title>\n`
    + '<link rel="icon" href="data:,">\n<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">\n'
    + `<style type="text/css"><!--\n${STYLE}\n-->\n</style></head>\n`
    + info(snapshot, o, now);
  for (const p of statsProxies(snapshot)) {
    if (scope && !p.name.toLowerCase().includes(scope)) continue;
    const spec = o.config?.frontends.find((f) => f.name === p.name) ?? o.config?.backends.get(p.name);
    const mode = p.frontend?.mode ?? p.backend?.mode ?? 'http';
    const cap = CAP[p.frontend && p.backend ? 'both' : p.frontend ? 'frontend' : 'backend']!;
    const withForm = flags.admin && p.backend !== undefined && p.backend.servers.length > 0;
    const desc = spec?.description;
    const rows = proxyRows(p, { ...o, legends: flags.legends }, now);
    out += (withForm ? '<form method="post">' : '')
      + '<table class="tbl" width="100%">\n<tr class="titre"><th class="pxname" width="10%">'
      + `<a name="${p.name}"></a>${flags.legends ? '<u>' : ''}<a class=px href="#${p.name}">${p.name}</a>`
      + (flags.legends ? `<div class=tips>cap: ${cap}, mode: ${mode}, id: ${p.id}</div>` : '')
      + `${flags.legends ? '</u>' : ''}</th><th class="${desc ? 'desc' : 'empty'}" width="90%">${desc ?? ''}</th></tr>\n</table>\n`
      + '<table class="tbl" width="100%">\n<tr class="titre">'
      + (flags.admin
        ? withForm
          ? `<th rowspan=2 width=1><input type="checkbox" onclick="for(c in document.getElementsByClassName('${p.name}-checkbox')) document.getElementsByClassName('${p.name}-checkbox').item(c).checked = this.checked"></th>`
          : '<th rowspan=2></th>'
        : '')
      + '<th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th>'
      + '<th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n'
      + '<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th>'
      + '<th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th>'
      + '<th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th>'
      + '<th>Thrtle</th>\n</tr>'
      + (rows.frontend ? frontendHtml(rows.frontend, flags) : '')
      + rows.servers.map((r) => serverHtml(r, flags)).join('')
      + (rows.backend ? backendHtml(rows.backend, flags) : '')
      + '</table>';
    if (withForm) {
      out += 'Choose the action to perform on the checked servers : <select name=action>'
        + ADMIN_OPTIONS.map(([v, t]) => `<option value="${v}">${t}</option>`).join('')
        + `</select><input type="hidden" name="b" value="#${p.id}">&nbsp;<input type="submit" value="Apply"></form>`;
    }
    out += '<p>\n';
  }
  return `${out}</body></html>\n`;
}
