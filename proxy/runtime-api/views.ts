// The texts of `show info`, `show servers state` and `show backend`, laid out as HAProxy 2.6 prints them
// (src/stats.c stats_dump_info_fields, src/proxy.c dump_servers_state / cli_io_handler_show_backend).
import { hostname } from 'node:os';
import type { BackendSnapshot, EngineSnapshot, ServerSnapshot } from '../api.ts';
import type { ConfigModel } from '../config/model.ts';
import { CHECK_RESULT_NUMBER, checkStatusNumber, checkStatusResult } from '../server/health/status.ts';
import { globalMaxconn } from '../stats/csv.ts';

/** What `show version` and `show info` report as the version. */
export const LAB_VERSION = '2.6.0-haproxy-lab';
/** HAProxy 2.6.0's release date, the version whose behaviour the lab follows. */
export const LAB_RELEASE_DATE = '2022/05/31';

// "0d 0h00m07s", as HAProxy prints Uptime.
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

// `show info`: the fields haproxy 2.6 prints, in its order, with the engine's numbers where it has them.
export function renderShowInfo(snapshot: EngineSnapshot, config: ConfigModel, now: number): string {
  const up = Math.max(0, Math.floor((now - snapshot.startedAt) / 1000));
  const sum = (pick: (f: EngineSnapshot['frontends'][number]) => number): number => snapshot.frontends.reduce((n, f) => n + pick(f), 0);
  const maxconn = globalMaxconn(config);
  const maxsock = maxconn * 2 + 15;
  const listeners = snapshot.frontends.reduce((n, f) => n + f.listening.length, 0) + config.global.statsSockets.length;
  const current = sum((f) => f.current);
  const fields: [string, string | number][] = [
    ['Name', 'HAProxy'],
    ['Version', LAB_VERSION],
    ['Release_date', LAB_RELEASE_DATE],
    ['Nbthread', config.global.nbthread || 1],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', snapshot.pid],
    ['Uptime', formatUptime(up)],
    ['Uptime_sec', up],
    ['Memmax_MB', 0],
    ['PoolAlloc_MB', 0],
    ['PoolUsed_MB', 0],
    ['PoolFailed', 0],
    ['Ulimit-n', maxsock],
    ['Maxsock', maxsock],
    ['Maxconn', maxconn],
    ['Hard_maxconn', maxconn],
    ['CurrConns', current],
    ['CumConns', sum((f) => f.totalConnections)],
    ['CumReq', sum((f) => f.requests)],
    ['MaxSslConns', 0],
    ['CurrSslConns', 0],
    ['CumSslConns', 0],
    ['Maxpipes', 0],
    ['PipesUsed', 0],
    ['PipesFree', 0],
    ['ConnRate', 0],
    ['ConnRateLimit', 0],
    ['MaxConnRate', 0],
    ['SessRate', 0],
    ['SessRateLimit', 0],
    ['MaxSessRate', 0],
    ['SslRate', 0],
    ['SslRateLimit', 0],
    ['MaxSslRate', 0],
    ['SslFrontendKeyRate', 0],
    ['SslFrontendMaxKeyRate', 0],
    ['SslFrontendSessionReuse_pct', 0],
    ['SslBackendKeyRate', 0],
    ['SslBackendMaxKeyRate', 0],
    ['SslCacheLookups', 0],
    ['SslCacheMisses', 0],
    ['CompressBpsIn', 0],
    ['CompressBpsOut', 0],
    ['CompressBpsRateLim', 0],
    ['Tasks', listeners + current],
    ['Run_queue', 0],
    ['Idle_pct', 100],
    ['node', hostname()],
    ['Stopping', 0],
    ['Jobs', listeners + current],
    ['Unstoppable Jobs', 0],
    ['Listeners', listeners],
    ['ActivePeers', 0],
    ['ConnectedPeers', 0],
    ['DroppedLogs', 0],
    ['BusyPolling', 0],
    ['FailedResolutions', 0],
    ['TotalBytesOut', sum((f) => f.bytesOut)],
    ['TotalSplicdedBytesOut', 0],
    ['BytesOutRate', 0],
    ['DebugCommandsIssued', 0],
    ['CumRecvLogs', 0],
    ['Build info', LAB_VERSION],
    ['Memmax_bytes', 0],
    ['PoolAlloc_bytes', 0],
    ['PoolUsed_bytes', 0],
    ['Start_time_sec', Math.floor(snapshot.startedAt / 1000)],
    ['Tainted', 0],
  ];
  return fields.map(([k, v]) => `${k}: ${v}\n`).join('');
}

export const SERVERS_STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ' +
  'srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state ' +
  'bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr ' +
  'srv_agent_addr srv_agent_port\n';

const OP_STATE = { down: 0, starting: 1, up: 2, stopping: 3 } as const;

// Splits "127.0.0.1:8080" / "[::1]:8080" into address and port.
function splitAddress(address: string): { addr: string; port: number } {
  const i = address.lastIndexOf(':');
  if (i < 0) return { addr: address, port: 0 };
  return { addr: address.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(i + 1)) || 0 };
}

function serverStateLine(b: BackendSnapshot, s: ServerSnapshot, config: ConfigModel, now: number): string {
  const spec = config.backends.get(b.name)?.servers.find((x) => x.name === s.name);
  const position = (config.backends.get(b.name)?.servers.findIndex((x) => x.name === s.name) ?? -1) + 1;
  const { addr, port } = splitAddress(s.address);
  const maint = s.admin === 'maint';
  // SRV_ADMF_FMAINT (1), plus CMAINT (4) while a server "disabled" in the config stays in maintenance; FDRAIN (8).
  // SRV_ADMF_RMAINT (32) when DNS resolution put it there
  const admin = maint ? (s.maintCause === 'resolution' ? 32 : spec?.disabled ? 5 : 1) : s.admin === 'drain' ? 8 : 0;
  const status = s.check ? (s.lastCheck?.status ?? 'INI') : 'INI';
  const result = s.check && s.lastCheck ? CHECK_RESULT_NUMBER[checkStatusResult(s.lastCheck.status)] : 0;
  // CHK_ST_CONFIGURED|CHK_ST_ENABLED (6), plus CHK_ST_PAUSED (8) in maintenance.
  const checkState = (s.check ? 6 : 0) | (maint && (s.check || spec?.disabled) ? 8 : 0);
  const forcedId = spec && spec.id !== position ? 1 : 0;
  // CHK_ST_CONFIGURED|CHK_ST_ENABLED|CHK_ST_AGENT (22), plus CHK_ST_INPROGRESS (1) while it runs
  const agentState = s.agent ? 22 | (s.agent.running ? 1 : 0) : 0;
  const since = Math.max(0, Math.floor((now - s.lastStateChange) / 1000));
  return [
    b.id, b.name, s.id, s.name, addr || '-', OP_STATE[s.op], admin, s.weight, spec?.weight ?? s.weight, since,
    checkStatusNumber(status), result, s.health, checkState, agentState,
    0, forcedId, s.fqdn ?? '-', port, '-', 0, spec?.checkPort ?? 0, spec?.checkAddr ?? '-', s.agent?.addr ?? '-', s.agent?.port ?? 0,
  ].join(' ') + '\n';
}

// `show servers state [BACKEND]`: format version 1; null when the backend does not exist.
export function renderServersState(snapshot: EngineSnapshot, config: ConfigModel, now: number, backend?: string): string | null {
  const list = backend ? snapshot.backends.filter((b) => b.name === backend) : [...snapshot.backends].sort((a, b) => a.id - b.id);
  if (backend && list.length === 0) return null;
  let out = SERVERS_STATE_HEADER;
  for (const b of list) for (const s of b.servers) out += serverStateLine(b, s, config, now);
  return out;
}

// `show backend`: backends and listen sections, in id order.
export function renderShowBackend(snapshot: EngineSnapshot): string {
  return '# name\n' + [...snapshot.backends].sort((a, b) => a.id - b.id).map((b) => b.name + '\n').join('');
}
