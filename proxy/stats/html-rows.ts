// One stats row drawn as HAProxy 2.6's page draws it (stats_dump_fields_html in src/stats.c): the frontend, a server
// or the backend, from the same fields as the CSV row, with the same cells, classes, hover tips and number grouping.
import type { Row } from './csv.ts';
import type { StatColumn } from './columns.ts';

export interface RowFlags {
  /** `stats admin` holds: a first column of checkboxes. */
  readonly admin: boolean;
  /** `stats show-legends`: addresses, ids, cookies and the algorithm in tips. */
  readonly legends: boolean;
}

const num = (r: Row, c: StatColumn): number => Number(r[c] ?? 0);
const str = (r: Row, c: StatColumn): string => (r[c] === undefined ? '' : String(r[c]));
const has = (r: Row, c: StatColumn): boolean => r[c] !== undefined && r[c] !== '';

/** HTML text: &, <, >, " and ' escaped (chunk_htmlencode). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number with its digit groups marked: the first digit of each group of three gets the "rls" spacing. */
export function u2h(n: number): string {
  const digits = String(Math.max(0, Math.trunc(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    const d = digits[digits.length - 1 - i]!;
    out = (i > 0 && i % 3 === 0 ? `<span class="rls">${d}</span>` : d) + out;
  }
  return out;
}

/** A limit: the number, or `alt` when there is none (0). */
const lim2a = (n: number, alt: string): string => (n ? String(n) : alt);

/** Seconds as HAProxy's page prints a duration: the two largest units ("2d3h", "1h05m" as "1h5m", "0s"), "?" when unknown. */
export function humanTime(t: number): string {
  if (t < 0) return '?';
  let out = '';
  let cnt = 2;
  if (t >= 86400) {
    out += `${Math.floor(t / 86400)}d`;
    cnt--;
  }
  if (cnt && Math.floor((t % 86400) / 3600)) {
    out += `${Math.floor((t % 86400) / 3600)}h`;
    cnt--;
  }
  if (cnt && Math.floor((t % 3600) / 60)) {
    out += `${Math.floor((t % 3600) / 60)}m`;
    cnt--;
  }
  if ((cnt && t % 60) || !t) out += `${t % 60}s`;
  return out;
}

const pct = (a: number, b: number): number => (b ? Math.trunc((100 * a) / b) : 0);

function tipRows(rows: readonly (readonly [string, string, string?])[]): string {
  return rows.map(([th, td, extra]) => `<tr><th>${th}</th><td>${td}</td>${extra !== undefined ? `<td>${extra}</td>` : ''}</tr>`).join('');
}

// The bytes-out cell: its compression tip, underlined only when compression saw traffic.
function bytesOut(r: Row): string {
  const compIn = num(r, 'comp_in');
  const compOut = num(r, 'comp_out');
  const byp = num(r, 'comp_byp');
  const bout = num(r, 'bout');
  const u = compIn || byp;
  return `<td>${u ? '<u>' : ''}${u2h(bout)}<div class=tips><table class=det>${tipRows([
    ['Response bytes in:', u2h(bout)],
    ['Compression in:', u2h(compIn)],
    ['Compression out:', u2h(compOut), `(${pct(compOut, compIn)}%)`],
    ['Compression bypass:', u2h(byp)],
    ['Total bytes saved:', u2h(compIn - compOut), `(${pct(compIn - compOut, bout)}%)`],
  ])}</table></div>${u ? '</u>' : ''}</td>`;
}

function httpCounts(r: Row, opts: { perServer: boolean; frontend: boolean }): string {
  const reqTot = num(r, 'req_tot');
  const share = (c: StatColumn): string | undefined => (opts.perServer ? `(${pct(num(r, c), reqTot)}%)` : undefined);
  const rows: [string, string, string?][] = [];
  if (!opts.frontend) {
    rows.push(['New connections:', u2h(num(r, 'connect'))]);
    rows.push(['Reused connections:', u2h(num(r, 'reuse')), `(${pct(num(r, 'reuse'), num(r, 'connect') + num(r, 'reuse'))}%)`]);
  }
  rows.push(['Cum. HTTP requests:', u2h(reqTot)]);
  rows.push(['- HTTP 1xx responses:', u2h(num(r, 'hrsp_1xx')), share('hrsp_1xx')]);
  rows.push(['- HTTP 2xx responses:', u2h(num(r, 'hrsp_2xx')), share('hrsp_2xx')]);
  if (!opts.perServer) rows.push(['&nbsp;&nbsp;Compressed 2xx:', u2h(num(r, 'comp_rsp')), `(${pct(num(r, 'comp_rsp'), num(r, 'hrsp_2xx'))}%)`]);
  rows.push(['- HTTP 3xx responses:', u2h(num(r, 'hrsp_3xx')), share('hrsp_3xx')]);
  rows.push(['- HTTP 4xx responses:', u2h(num(r, 'hrsp_4xx')), share('hrsp_4xx')]);
  rows.push(['- HTTP 5xx responses:', u2h(num(r, 'hrsp_5xx')), share('hrsp_5xx')]);
  rows.push(['- other responses:', u2h(num(r, 'hrsp_other')), share('hrsp_other')]);
  if (opts.frontend) rows.push(['Intercepted requests:', u2h(num(r, 'intercepted'))]);
  if (!opts.perServer) {
    rows.push(['Cache lookups:', u2h(num(r, 'cache_lookups'))]);
    rows.push(['Cache hits:', u2h(num(r, 'cache_hits')), `(${pct(num(r, 'cache_hits'), num(r, 'cache_lookups'))}%)`]);
  }
  rows.push(['Failed hdr rewrites:', u2h(num(r, 'wrew'))]);
  rows.push([opts.perServer ? 'Internal error:' : 'Internal errors:', u2h(num(r, 'eint'))]);
  return tipRows(rows);
}

function times(r: Row, http: boolean): string {
  const t = (label: string, max: StatColumn, avg: StatColumn): string => `<tr><th>${label}</th><td>${u2h(num(r, max))} / ${u2h(num(r, avg))}</td><td>ms</td></tr>`;
  return '<tr><th colspan=3>Max / Avg over last 1024 success. conn.</th></tr>'
    + t('- Queue time:', 'qtime_max', 'qtime') + t('- Connect time:', 'ctime_max', 'ctime')
    + (http ? t('- Responses time:', 'rtime_max', 'rtime') : '') + t('- Total time:', 'ttime_max', 'ttime');
}

function addressTip(r: Row): string {
  const addr = str(r, 'addr');
  if (/^\d/.test(addr)) return `IPv4: ${addr}, `;
  if (addr.startsWith('[')) return `IPv6: ${addr}, `;
  return addr ? `${addr}, ` : '';
}

export function frontendHtml(r: Row, f: RowFlags): string {
  const px = str(r, 'pxname');
  const http = str(r, 'mode') === 'http';
  return '<tr class="frontend">' + (f.admin ? '<td></td>' : '')
    + `<td class=ac><a name="${px}/Frontend"></a><a class=lfsb href="#${px}/Frontend">Frontend</a></td><td colspan=3></td>`
    + `<td><u>${u2h(num(r, 'rate'))}<div class=tips><table class=det>${tipRows([
      ['Current connection rate:', `${u2h(num(r, 'conn_rate'))}/s`], ['Current session rate:', `${u2h(num(r, 'rate'))}/s`],
      ...(http ? [['Current request rate:', `${u2h(num(r, 'req_rate'))}/s`] as [string, string]] : []),
    ])}</table></div></u></td>`
    + `<td><u>${u2h(num(r, 'rate_max'))}<div class=tips><table class=det>${tipRows([
      ['Max connection rate:', `${u2h(num(r, 'conn_rate_max'))}/s`], ['Max session rate:', `${u2h(num(r, 'rate_max'))}/s`],
      ...(http ? [['Max request rate:', `${u2h(num(r, 'req_rate_max'))}/s`] as [string, string]] : []),
    ])}</table></div></u></td>`
    + `<td>${lim2a(num(r, 'rate_lim'), '-')}</td>`
    + `<td>${u2h(num(r, 'scur'))}</td><td>${u2h(num(r, 'smax'))}</td><td>${u2h(num(r, 'slim'))}</td>`
    + `<td><u>${u2h(num(r, 'stot'))}<div class=tips><table class=det>${tipRows([['Cum. connections:', u2h(num(r, 'conn_tot'))], ['Cum. sessions:', u2h(num(r, 'stot'))]])}`
    + (http ? httpCounts(r, { perServer: false, frontend: true }) : '')
    + '</table></div></u></td><td></td><td></td>'
    + `<td>${u2h(num(r, 'bin'))}</td>${bytesOut(r)}`
    + `<td>${u2h(num(r, 'dreq'))}</td><td>${u2h(num(r, 'dresp'))}</td><td>${u2h(num(r, 'ereq'))}</td><td></td><td></td>`
    + `<td></td><td></td><td class=ac>${str(r, 'status')}</td><td class=ac colspan=8></td></tr>`;
}

// The row's colour (a class), from its status, health and weight: NOLB and DRAIN are told apart.
function serverStyle(r: Row): string {
  const st = str(r, 'status');
  if (st === 'DOWN' || st === 'DOWN (agent)') return 'down';
  if (st.startsWith('DOWN ')) return 'going_up';
  if (st === 'DRAIN') return 'draining';
  if (st.startsWith('NOLB ')) return 'going_down';
  if (st === 'NOLB') return 'nolb';
  if (st === 'no check') return 'no_check';
  if (!has(r, 'chkfail') || num(r, 'check_health') === num(r, 'check_rise') + num(r, 'check_fall') - 1) return num(r, 'weight') ? 'up' : 'draining';
  return 'going_down';
}

function checkCell(r: Row): string {
  const st = str(r, 'status');
  let out = '';
  if (st.startsWith('MAINT')) out += `${humanTime(num(r, 'lastchg'))} MAINT`;
  else if (st === 'no check') out += '<i>no check</i>';
  else {
    out += `${humanTime(num(r, 'lastchg'))} ${st}`;
    if (st.startsWith('DOWN')) {
      if (num(r, 'check_health')) out += ' &uarr;';
    } else if (num(r, 'check_health') < num(r, 'check_rise') + num(r, 'check_fall') - 1) out += ' &darr;';
  }
  const agentDown = st.startsWith('DOWN') && has(r, 'agent_status') && !num(r, 'agent_health');
  const kind = agentDown ? 'agent' : has(r, 'check_status') ? 'check' : null;
  if (kind === null) return `${out}</td><td>`;
  const col = (suffix: 'status' | 'code' | 'duration' | 'desc'): StatColumn => `${kind}_${suffix}` as StatColumn;
  out += `</td><td class=ac><u> ${str(r, col('status'))}`;
  if (has(r, col('code'))) out += `/${num(r, col('code'))}`;
  if (has(r, col('duration'))) out += ` in ${num(r, col('duration'))}ms`;
  out += `<div class=tips>${str(r, col('desc'))}`;
  const last = str(r, kind === 'agent' ? 'last_agt' : 'last_chk');
  if (last) out += `: ${escapeHtml(last)}`;
  return `${out}</div></u>`;
}

export function serverHtml(r: Row, f: RowFlags): string {
  const px = str(r, 'pxname');
  const sv = str(r, 'svname');
  const st = str(r, 'status');
  const http = str(r, 'mode') === 'http';
  const bck = num(r, 'bck') !== 0;
  let out = st.startsWith('MAINT') ? '<tr class="maintain">' : `<tr class="${bck ? 'backup' : 'active'}_${serverStyle(r)}">`;
  if (f.admin) out += `<td><input class='${px}-checkbox' type="checkbox" name="s" value="${sv}"></td>`;
  out += `<td class=ac><a name="${px}/${sv}"></a>${f.legends ? '<u>' : ''}<a class=lfsb href="#${px}/${sv}">${sv}</a>`;
  if (f.legends) {
    out += `<div class=tips>${addressTip(r)}id: ${num(r, 'sid')}`;
    if (has(r, 'cookie')) out += `, cookie: '${escapeHtml(str(r, 'cookie'))}'`;
    out += '</div>';
  }
  const slim = lim2a(num(r, 'slim'), '-');
  out += `${f.legends ? '</u>' : ''}</td><td>${u2h(num(r, 'qcur'))}</td><td>${u2h(num(r, 'qmax'))}</td><td>${lim2a(num(r, 'qlimit'), '-')}</td>`
    + `<td>${u2h(num(r, 'rate'))}</td><td>${u2h(num(r, 'rate_max'))}</td><td></td>`
    + `<td><u>${u2h(num(r, 'scur'))}<div class=tips><table class=det>${tipRows([
      ['Current active connections:', u2h(num(r, 'scur'))], ['Current used connections:', u2h(num(r, 'used_conn_cur'))],
      ['Current idle connections:', u2h(num(r, 'srv_icur'))], ['- unsafe:', u2h(num(r, 'idle_conn_cur'))],
      ['- safe:', u2h(num(r, 'safe_conn_cur'))], ['Estimated need of connections:', u2h(num(r, 'need_conn_est'))],
      ['Active connections limit:', slim], ['Idle connections limit:', has(r, 'src_ilim') ? u2h(num(r, 'src_ilim')) : '-'],
    ])}</table></div></u></td><td>${u2h(num(r, 'smax'))}</td><td>${slim}</td>`
    + `<td><u>${u2h(num(r, 'stot'))}<div class=tips><table class=det>${tipRows([['Cum. sessions:', u2h(num(r, 'stot'))]])}`
    + (http ? httpCounts(r, { perServer: true, frontend: false }) : '')
    + times(r, http)
    + `</table></div></u></td><td>${u2h(num(r, 'lbtot'))}</td><td>${humanTime(num(r, 'lastsess'))}</td>`
    + `<td>${u2h(num(r, 'bin'))}</td><td>${u2h(num(r, 'bout'))}</td><td></td><td>${u2h(num(r, 'dresp'))}</td>`
    + `<td></td><td>${u2h(num(r, 'econ'))}</td>`
    + `<td><u>${u2h(num(r, 'eresp'))}<div class=tips>Connection resets during transfers: ${num(r, 'cli_abrt')} client, ${num(r, 'srv_abrt')} server</div></u></td>`
    + `<td>${num(r, 'wretr')}</td><td>${num(r, 'wredis')}</td>`
    + `<td class=ac>${checkCell(r)}`
    + `</td><td class=ac>${num(r, 'weight')}/${num(r, 'uweight')}</td><td class=ac>${bck ? '-' : 'Y'}</td><td class=ac>${bck ? 'Y' : '-'}</td>`;
  if (st === 'MAINT (resolution)') out += '<td class=ac colspan=3>resolution</td>';
  else if (has(r, 'chkfail')) {
    out += `<td><u>${num(r, 'chkfail')}${has(r, 'hanafail') ? `/${num(r, 'hanafail')}` : ''}`
      + `<div class=tips>Failed Health Checks${has(r, 'hanafail') ? '/Health Analyses' : ''}</div></u></td>`
      + `<td>${num(r, 'chkdown')}</td><td>${humanTime(num(r, 'downtime'))}</td>`;
  } else if (st !== 'MAINT' && typeof r.tracked === 'string' && r.tracked !== '') {
    out += `<td class=ac colspan=3><a class=lfsb href="#${r.tracked}">via ${r.tracked}</a></td>`;
  } else out += '<td colspan=3></td>';
  out += has(r, 'throttle') ? `<td class=ac>${num(r, 'throttle')} %</td>\n` : '<td class=ac>-</td>';
  return `${out}</tr>\n`;
}

export function backendHtml(r: Row, f: RowFlags): string {
  const px = str(r, 'pxname');
  const http = str(r, 'mode') === 'http';
  let out = '<tr class="backend">' + (f.admin ? '<td></td>' : '')
    + `<td class=ac>${f.legends ? '<u>' : ''}<a name="${px}/Backend"></a><a class=lfsb href="#${px}/Backend">Backend</a>`;
  if (f.legends) {
    out += `<div class=tips>balancing: ${str(r, 'algo')}`;
    if (has(r, 'cookie')) out += `, cookie: '${escapeHtml(str(r, 'cookie'))}'`;
    out += '</div>';
  }
  const st = str(r, 'status');
  out += `${f.legends ? '</u>' : ''}</td><td>${u2h(num(r, 'qcur'))}</td><td>${u2h(num(r, 'qmax'))}</td><td></td>`
    + `<td>${u2h(num(r, 'rate'))}</td><td>${u2h(num(r, 'rate_max'))}</td><td></td>`
    + `<td>${u2h(num(r, 'scur'))}</td><td>${u2h(num(r, 'smax'))}</td><td>${u2h(num(r, 'slim'))}</td>`
    + `<td><u>${u2h(num(r, 'stot'))}<div class=tips><table class=det>${tipRows([['Cum. sessions:', u2h(num(r, 'stot'))]])}`
    + (http ? httpCounts(r, { perServer: false, frontend: false }) : '')
    + times(r, http)
    + `</table></div></u></td><td>${u2h(num(r, 'lbtot'))}</td><td>${humanTime(num(r, 'lastsess'))}</td><td>${u2h(num(r, 'bin'))}</td>`
    + bytesOut(r)
    + `<td>${u2h(num(r, 'dreq'))}</td><td>${u2h(num(r, 'dresp'))}</td><td></td><td>${u2h(num(r, 'econ'))}</td>`
    + `<td><u>${u2h(num(r, 'eresp'))}<div class=tips>Connection resets during transfers: ${num(r, 'cli_abrt')} client, ${num(r, 'srv_abrt')} server</div></u></td>`
    + `<td>${num(r, 'wretr')}</td><td>${num(r, 'wredis')}</td>`
    + `<td class=ac>${humanTime(num(r, 'lastchg'))} ${st === 'DOWN' ? '<font color="red"><b>DOWN</b></font>' : st}</td><td class=ac>&nbsp;</td>`
    + `<td class=ac>${num(r, 'weight')}/${num(r, 'uweight')}</td><td class=ac>${num(r, 'act')}</td><td class=ac>${num(r, 'bck')}</td>`
    + `<td class=ac>&nbsp;</td><td>${num(r, 'chkdown')}</td><td>${has(r, 'downtime') ? humanTime(num(r, 'downtime')) : '&nbsp;'}</td><td></td></tr>`;
  return out;
}
