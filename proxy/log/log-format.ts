// The variables of `log-format`, `error-log-format` and `unique-id-format` lines (sess_build_logline, src/log.c):
// every variable of doc/configuration.txt 8.2.4, read from the finished transaction's log record. The string itself
// is parsed by the one format compiler (sample/format-string.ts), as HAProxy parses every format string.
import { haproxyDate } from './log-date.ts';
import { compileFormat, HTTP_ONLY_VARS, type FormatPlace, type FormatScope, type FormatVar } from '../sample/format-string.ts';
import { beforeQuery, hex, HOSTNAME, ipVar, numVar, portVar, requestVar, textVar } from '../sample/format-vars.ts';
import { asap, frontendWithTransport, type TrafficLogRecord } from './traffic-log.ts';
import { headerCaptureList, headerCaptures } from './log-escape.ts';
import { pathStart } from '../http/path.ts';

export { HTTP_ONLY_VARS };

type Var = FormatVar<TrafficLogRecord>;
const text = textVar<TrafficLogRecord>;
const num = numVar<TrafficLogRecord>;
const ip = ipVar<TrafficLogRecord>;
const port = portVar<TrafficLogRecord>;
const request = requestVar<TrafficLogRecord>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? '0' : '') + n;

// %HPO: the path without the scheme and authority of an absolute-form target
function pathOnly(path: string): string {
  const at = pathStart(path);
  return at <= 0 ? path : path.slice(at);
}

// "03/Dec/2026:09:35:22 +0000": %T and %trg (GMT), %Tl and %trl (local)
function zoneDate(ms: number, gmt: boolean): string {
  const d = new Date(ms);
  if (gmt) return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
  const off = -d.getTimezoneOffset();
  const tz = `${off >= 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${tz}`;
}

// %Td: the time spent on data once the server answered (or once connected), -1 before that
function dataTime(r: TrafficLogRecord): number {
  if (r.tr >= 0) return r.ta - (r.tR + r.tw + r.tc + r.tr);
  if (r.tc >= 0) return r.ta - (r.tR + r.tw + r.tc);
  return -1;
}

const VARS: Readonly<Record<string, Var>> = {
  B: (r) => `${asap(r)}${r.bytes}`,
  CC: text((r) => r.captures?.cliCookie),
  CS: text((r) => r.captures?.srvCookie),
  H: text(() => HOSTNAME),
  ID: text((r) => r.uniqueId),
  ST: num((r) => r.status),
  T: (r) => zoneDate(r.date, true),
  Ta: (r) => `${asap(r)}${r.ta}`,
  Tc: num((r) => r.tc),
  Td: num(dataTime),
  Th: num(() => 0),
  Ti: num((r) => r.ti ?? 0),
  Tl: (r) => zoneDate(r.date, false),
  Tq: num((r) => (r.tR >= 0 ? r.tR + (r.ti ?? 0) : -1)),
  Tr: num((r) => r.tr),
  TR: num((r) => r.tR),
  Ts: num((r) => Math.floor(r.date / 1000), 4),
  Tt: (r) => `${asap(r)}${r.ta + (r.ti ?? 0)}`,
  Tu: (r) => `${asap(r)}${r.ta}`,
  Tw: num((r) => r.tw),
  U: num((r) => r.bytesIn ?? 0),
  ac: num((r) => r.actconn),
  b: text((r) => r.backend),
  bc: num((r) => r.beconn),
  bi: ip((r) => r.backendSource?.ip),
  bp: port((r) => r.backendSource?.port),
  bq: num((r) => r.beQueue),
  ci: ip((r) => r.clientIp),
  cp: port((r) => r.clientPort),
  f: text((r) => r.frontend),
  fc: num((r) => r.feconn),
  fi: ip((r) => r.frontendIp),
  fp: port((r) => r.frontendPort),
  ft: text((r) => frontendWithTransport(r)),
  hr: (r, o) => headerCaptures(r.captures?.req, o.quote),
  hrl: (r, o) => headerCaptureList(r.captures?.req, o.quote),
  hs: (r, o) => headerCaptures(r.captures?.res, o.quote),
  hsl: (r, o) => headerCaptureList(r.captures?.res, o.quote),
  HM: request((r) => r.method ?? ''),
  HP: request((r) => beforeQuery(r.uri ?? '')),
  HPO: request((r) => pathOnly(beforeQuery(r.uri ?? ''))),
  HQ: request((r) => (r.query ? `?${r.query}` : '')),
  HU: request((r) => r.uri ?? ''),
  HV: request((r) => (r.httpVersion ? `HTTP/${r.httpVersion}` : '')),
  lc: num((r) => r.logCount ?? 0, 4),
  ms: (r, o) => (o.hex ? hex(r.date % 1000, 2) : String(r.date % 1000).padStart(3, '0')),
  pid: num(() => process.pid, 4),
  r: request((r) => r.requestLine),
  rc: (r) => (r.redispatched ? `+${r.retries}` : String(r.retries)),
  rt: num((r) => r.streamId ?? 0, 4),
  s: text((r) => r.server),
  sc: num((r) => r.srvconn),
  si: ip((r) => r.serverAddress?.ip),
  sp: port((r) => r.serverAddress?.port),
  sq: num((r) => r.srvQueue),
  sslc: text((r) => r.tls?.cipher),
  sslv: text((r) => r.tls?.protocol),
  t: (r) => haproxyDate(r.date),
  tr: (r) => haproxyDate(r.date),
  trg: (r) => zoneDate(r.date, true),
  trl: (r) => zoneDate(r.date, false),
  ts: (r) => r.termination.slice(0, 2),
  tsc: (r) => r.termination,
};

export type LogFormatter = (r: TrafficLogRecord) => string;

const sampleContext = (r: TrafficLogRecord) => r.ctx;

/** log-format and error-log-format lines: LOG_OPT_MANDATORY|LOG_OPT_MERGE_SPACES. */
export const LOG_LINE: FormatPlace<TrafficLogRecord> = { name: 'log-format', vars: VARS, sampleContext, mandatory: true, mergeSpaces: true, http: false };

/** unique-id-format: LOG_OPT_HTTP|LOG_OPT_MERGE_SPACES (absent is nothing, samples unquoted). */
export const UNIQUE_ID: FormatPlace<TrafficLogRecord> = { name: 'unique-id-format', vars: VARS, sampleContext, mandatory: false, mergeSpaces: true, http: true };

/** Compiles a log line's format for `place`; throws a FormatError with HAProxy's message when it does not parse. */
export function compileLogFormat(fmt: string, scope: FormatScope, place: FormatPlace<TrafficLogRecord> = LOG_LINE): LogFormatter {
  return compileFormat(fmt, place, scope);
}

// %lc: how many lines each loaded frontend logged before this one.
const logCounts = new WeakMap<object, number>();

/** The frontend's log counter for the line being written, counted (HAProxy's fe->log_count). */
export function nextLogCount(frontend: object): number {
  const n = logCounts.get(frontend) ?? 0;
  logCounts.set(frontend, n + 1);
  return n;
}
