// HAProxy 2.6's CSV statistics from an engine snapshot: the rows `show stat` prints and the stats page's
// ";csv" serves. One row per FRONTEND, per server and per BACKEND, proxies in id order, each field filled
// or left empty exactly where src/stats.c fills it (stats_fill_fe_stats / _sv_stats / _be_stats).
import type { BackendSnapshot, EngineSnapshot, FrontendSnapshot, ServerSnapshot } from '../api.ts';
import type { ConfigModel } from '../config/model.ts';
import { checkStatusDescription, checkStatusHasCode } from '../server/health/status.ts';
import { ALL_ROWS_MODULE_COLUMNS, PROXY_ONLY_MODULE_COLUMNS, STAT_COLUMNS, statsCsvHeader, type StatColumn } from './columns.ts';
import { backendStatusText, backendTotals, serverStatusText } from './status.ts';
import { statsWeight, throttleRate } from '../server/slowstart.ts';

export interface StatsOptions {
  /** The config serving, for what the snapshot does not carry (fullconn default, maxqueue, allbackups). */
  readonly config?: ConfigModel;
  /** Clock (ms) for "lastchg" and "downtime"; default Date.now(). */
  readonly now?: number;
}

/** One row's fields by CSV column; absent: the field HAProxy leaves empty. */
export type Row = Partial<Record<StatColumn, string | number>>;

/** The maxconn the engine applies when the global section sets none (HAProxy derives one from ulimit -n). */
export const DEFAULT_GLOBAL_MAXCONN = 4096;

// The global maxconn in force: the configured one, or the engine's default.
export function globalMaxconn(config: ConfigModel | undefined): number {
  return config?.global.maxconn || DEFAULT_GLOBAL_MAXCONN;
}

// The hrsp_* columns from a responses-by-class array (zeros when the snapshot carries none).
function hrsp(r: readonly number[] | undefined): Row {
  const v = (i: number) => r?.[i] ?? 0;
  return { hrsp_1xx: v(0), hrsp_2xx: v(1), hrsp_3xx: v(2), hrsp_4xx: v(3), hrsp_5xx: v(4), hrsp_other: v(5) };
}

const TYPE_FE = 0;
const TYPE_BE = 1;
const TYPE_SV = 2;

// csv_enc_append(): quote only when the text holds a comma, a quote or a line break.
function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[\n\r,"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function line(row: Row): string {
  return STAT_COLUMNS.map((c) => csvField(row[c]) + ',').join('') + '\n';
}

const secs = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

function zeros(cols: readonly StatColumn[]): Row {
  return Object.fromEntries(cols.map((c) => [c, 0]));
}

function frontendRow(f: FrontendSnapshot, opts: StatsOptions): Row {
  const http = f.mode === 'http';
  const maxconn = f.maxconn || opts.config?.frontends.find((x) => x.name === f.name)?.maxconn || globalMaxconn(opts.config);
  return {
    ...zeros(ALL_ROWS_MODULE_COLUMNS),
    ...zeros(PROXY_ONLY_MODULE_COLUMNS),
    pxname: f.name,
    svname: 'FRONTEND',
    scur: f.current,
    smax: f.current,
    slim: maxconn,
    stot: f.totalConnections,
    bin: f.bytesIn,
    bout: f.bytesOut,
    dreq: f.denied,
    dresp: f.deniedResponses ?? 0,
    ereq: f.errors,
    status: 'OPEN',
    pid: 1,
    iid: f.id,
    sid: 0,
    type: TYPE_FE,
    rate: 0,
    rate_lim: 0,
    rate_max: 0,
    ...(http ? { ...hrsp(f.responses), intercepted: 0, cache_lookups: 0, cache_hits: 0 } : {}),
    req_rate: 0,
    req_rate_max: 0,
    req_tot: f.requests,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    mode: f.mode,
    conn_rate: 0,
    conn_rate_max: 0,
    conn_tot: f.totalConnections,
    dcon: 0,
    dses: 0,
    wrew: 0,
    eint: 0,
    '-': '-',
  };
}

function serverRow(b: BackendSnapshot, s: ServerSnapshot, opts: StatsOptions, now: number): Row {
  const http = b.mode === 'http';
  const spec = opts.config?.backends.get(b.name)?.servers.find((x) => x.name === s.name);
  // Check fields show while checks run: enabled and not paused by maintenance.
  const checking = s.check && s.admin !== 'maint';
  const last = s.lastCheck;
  const row: Row = {
    ...zeros(ALL_ROWS_MODULE_COLUMNS),
    pxname: b.name,
    svname: s.name,
    qcur: s.queued,
    qmax: s.queued,
    scur: s.served,
    smax: s.served,
    ...(s.maxconn ? { slim: s.maxconn } : {}),
    stot: s.totalConnections,
    bin: s.bytesIn,
    bout: s.bytesOut,
    dresp: s.deniedResponses ?? 0,
    econ: s.failedConnects,
    eresp: 0,
    wretr: 0,
    wredis: 0,
    status: serverStatusText(s),
    // the eweight, rounded up: below the user weight only while slowstart holds it back (drain leaves it alone)
    weight: s.op === 'starting' ? statsWeight(s.effectiveWeight) : s.weight,
    act: s.backup ? 0 : 1,
    bck: s.backup ? 1 : 0,
    lastchg: secs(now - s.lastStateChange),
    ...(spec?.maxqueue ? { qlimit: spec.maxqueue } : {}),
    pid: 1,
    iid: b.id,
    sid: s.id,
    lbtot: s.totalConnections,
    type: TYPE_SV,
    rate: 0,
    rate_max: 0,
    ...(http ? { ...hrsp(s.responses), req_tot: s.totalConnections } : {}),
    cli_abrt: 0,
    srv_abrt: 0,
    lastsess: s.totalConnections > 0 ? 0 : -1,
    qtime: 0,
    ctime: 0,
    rtime: 0,
    ttime: 0,
    addr: s.address,
    ...(spec?.cookie !== undefined ? { cookie: spec.cookie } : {}),
    mode: b.mode,
    wrew: 0,
    connect: s.totalConnections,
    reuse: 0,
    srv_icur: 0,
    qtime_max: 0,
    ctime_max: 0,
    rtime_max: 0,
    ttime_max: 0,
    eint: 0,
    idle_conn_cur: 0,
    safe_conn_cur: 0,
    used_conn_cur: 0,
    need_conn_est: s.check ? 1 : 0,
    uweight: s.weight,
    '-': '-',
  };
  if (s.op === 'starting' && s.admin !== 'drain') row.throttle = throttleRate(s.effectiveWeight, s.weight);
  if (spec?.observe) row.hanafail = s.failedHana ?? 0;
  if (s.check) {
    row.chkfail = s.failedChecks ?? 0;
    row.chkdown = s.downTransitions ?? 0;
    row.downtime = secs((s.downTimeMs ?? 0) + (s.op === 'down' ? now - s.lastStateChange : 0));
  }
  if (checking) {
    // a running check shows "* " before the last status, and its info text is cleared (set_server_check_status START)
    row.check_status = `${s.checkRunning ? '* ' : ''}${last?.status ?? 'INI'}`;
    if (last && checkStatusHasCode(last.status) && last.code !== undefined) row.check_code = last.code;
    if (last) row.check_duration = Math.round(last.durationMs);
    row.check_desc = checkStatusDescription(last?.status ?? 'INI');
    row.last_chk = s.checkRunning ? '' : (last?.desc ?? '');
    row.check_rise = s.rise;
    row.check_fall = s.fall;
    row.check_health = s.health;
  }
  const agent = s.agent;
  if (agent) {
    // the agent is never paused by maintenance; a running one shows "* " and its text is cleared at its start
    const status = agent.lastCheck?.status ?? 'INI';
    row.agent_status = `${agent.running ? '* ' : ''}${status}`;
    if (checkStatusHasCode(status)) row.agent_code = agent.lastCheck?.code ?? 0;
    row.agent_duration = Math.round(agent.lastCheck?.durationMs ?? 0);
    row.agent_desc = checkStatusDescription(status);
    row.last_agt = agent.running ? '' : (agent.lastCheck?.desc ?? '');
    row.agent_rise = 1;
    row.agent_fall = 1;
    row.agent_health = agent.health;
  }
  return row;
}

// fullconn when not set: a tenth of the maxconn of the frontends that can route here, at least 1 (cfgparse.c).
export function defaultFullconn(config: ConfigModel, backend: string): number {
  const be = config.backends.get(backend);
  if (be?.fullconn) return be.fullconn;
  let total = 0;
  for (const f of config.frontends) {
    const routes = f.name === backend || f.defaultBackend === backend || f.useBackends.some((u) => u.backend === backend);
    if (routes) total += f.maxconn || globalMaxconn(config);
  }
  return Math.max(1, Math.floor((total + 9) / 10));
}

function backendRow(b: BackendSnapshot, opts: StatsOptions & CsvFilter, now: number): Row {
  const http = b.mode === 'http';
  const spec = opts.config?.backends.get(b.name);
  const totals = backendTotals(b, spec?.options.allbackups ?? false);
  const fullconn = b.fullconn ?? (opts.config ? defaultFullconn(opts.config, b.name) : undefined);
  const lastChange = b.lastStateChange ?? now;
  const served = b.servers.reduce((n, s) => n + s.served, 0);
  const down = backendStatusText(b, spec?.options.allbackups ?? false) === 'DOWN';
  return {
    ...zeros(ALL_ROWS_MODULE_COLUMNS),
    ...zeros(PROXY_ONLY_MODULE_COLUMNS),
    pxname: b.name,
    svname: 'BACKEND',
    qcur: b.queued,
    qmax: b.queued,
    scur: served,
    smax: served,
    ...(fullconn !== undefined ? { slim: fullconn } : {}),
    stot: b.totalConnections,
    bin: b.bytesIn,
    bout: b.bytesOut,
    dreq: 0,
    dresp: b.deniedResponses ?? 0,
    econ: b.servers.reduce((n, s) => n + s.failedConnects, 0),
    eresp: 0,
    wretr: 0,
    wredis: 0,
    // With ";up" / ";no-maint" HAProxy appends how many servers are up: "UP (2/3)".
    // cur_state != SRV_ST_STOPPED (stats_fill_be_stats_computesrv): a server in maintenance is stopped too
    status: (down ? 'DOWN' : 'UP') + (opts.upOnly || opts.noMaint ? ` (${b.servers.filter((s) => s.op !== 'down' && s.admin !== 'maint').length}/${b.servers.length})` : ''),
    weight: statsWeight(totals.totalWeight),
    act: totals.active,
    bck: totals.backup,
    chkdown: b.downTransitions ?? 0,
    lastchg: secs(now - lastChange),
    ...(b.servers.length > 0 ? { downtime: secs((b.downTimeMs ?? 0) + (down ? now - lastChange : 0)) } : {}),
    pid: 1,
    iid: b.id,
    sid: 0,
    lbtot: b.totalConnections,
    type: TYPE_BE,
    rate: 0,
    rate_max: 0,
    ...(http
      ? { ...hrsp(b.responses), req_tot: b.totalConnections, cache_lookups: 0, cache_hits: 0 }
      : {}),
    cli_abrt: 0,
    srv_abrt: 0,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    lastsess: b.totalConnections > 0 ? 0 : -1,
    qtime: 0,
    ctime: 0,
    rtime: 0,
    ttime: 0,
    ...(spec?.cookie ? { cookie: spec.cookie.name } : {}),
    mode: b.mode,
    algo: b.algorithm,
    wrew: 0,
    connect: b.totalConnections,
    reuse: 0,
    qtime_max: 0,
    ctime_max: 0,
    rtime_max: 0,
    ttime_max: 0,
    eint: 0,
    uweight: totals.userWeight,
    agg_server_status: 0,
    agg_server_check_status: 0,
    agg_check_status: 0,
    '-': '-',
  };
}

/** One proxy of the stats: its frontend side and/or backend side, in HAProxy's id order. */
export interface StatsProxy {
  readonly name: string;
  readonly id: number;
  readonly frontend?: FrontendSnapshot;
  readonly backend?: BackendSnapshot;
}

// Frontends and backends merged into proxies (a listen is both), sorted by id as HAProxy lists them.
export function statsProxies(snapshot: EngineSnapshot): StatsProxy[] {
  const byName = new Map<string, { name: string; id: number; frontend?: FrontendSnapshot; backend?: BackendSnapshot }>();
  for (const f of snapshot.frontends) byName.set(f.name, { name: f.name, id: f.id, frontend: f });
  for (const b of snapshot.backends) {
    const p = byName.get(b.name);
    if (p) p.backend = b;
    else byName.set(b.name, { name: b.name, id: b.id, backend: b });
  }
  return [...byName.values()].sort((a, b) => a.id - b.id);
}

export interface CsvFilter {
  /** "show stat up": only servers that are up. */
  readonly upOnly?: boolean;
  /** "show stat no-maint": no servers in maintenance. */
  readonly noMaint?: boolean;
  /** Servers' addresses and backends' algorithms (STAT_SHLGNDS: the CLI, or a page with `stats show-legends`). */
  readonly legends?: boolean;
}

/** One proxy's rows as the CSV and the HTML page draw them: FRONTEND, its servers (filtered), BACKEND. */
export function proxyRows(p: StatsProxy, opts: StatsOptions & CsvFilter, now: number): { frontend?: Row; servers: Row[]; backend?: Row } {
  const servers: Row[] = [];
  if (p.backend) {
    for (const s of p.backend.servers) {
      if (opts.upOnly && !(s.op === 'up' || s.op === 'starting')) continue;
      if ((opts.noMaint || opts.upOnly) && s.admin === 'maint') continue;
      const row = serverRow(p.backend, s, opts, now);
      if (opts.legends === false) delete row.addr;
      servers.push(row);
    }
  }
  let backend: Row | undefined;
  if (p.backend) {
    backend = backendRow(p.backend, opts, now);
    if (opts.legends === false) delete backend.algo;
  }
  return { ...(p.frontend ? { frontend: frontendRow(p.frontend, opts) } : {}), servers, ...(backend ? { backend } : {}) };
}

// The whole CSV: header line, then every proxy's rows; no trailing blank line (the CLI adds its own).
export function renderStatsCsv(snapshot: EngineSnapshot, opts: StatsOptions & CsvFilter = {}): string {
  const now = opts.now ?? Date.now();
  let out = statsCsvHeader();
  for (const p of statsProxies(snapshot)) {
    const rows = proxyRows(p, opts, now);
    if (rows.frontend) out += line(rows.frontend);
    for (const r of rows.servers) out += line(r);
    if (rows.backend) out += line(rows.backend);
  }
  return out;
}
