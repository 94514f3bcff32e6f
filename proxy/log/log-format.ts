// The variables of `log-format` lines (the compiler is sample/format-string.ts), compiled when the config loads.
// Covers HAProxy 2.6's common variables (doc/configuration.txt 8.2.4); an unknown one prints as written.
import { hostname } from 'node:os';
import { haproxyDate } from './log-date.ts';
import { compileFormat, type FormatPlace, type Formatter } from '../sample/format-string.ts';
import { asap, frontendWithTransport, type TrafficLogRecord } from './traffic-log.ts';

// %H is the host's name, as gethostname() gives it to HAProxy
const HOSTNAME = hostname();

type Getter = (r: TrafficLogRecord) => string | number;

const ms = (n: number) => n;
const VARS: Record<string, Getter> = {
  ci: (r) => r.clientIp,
  cp: (r) => r.clientPort,
  fi: (r) => r.frontendIp ?? '-',
  fp: (r) => r.frontendPort ?? '-',
  t: (r) => haproxyDate(r.date),
  tr: (r) => haproxyDate(r.date),
  trg: (r) => new Date(r.date).toUTCString(),
  ft: (r) => frontendWithTransport(r),
  f: (r) => r.frontend,
  b: (r) => r.backend,
  s: (r) => r.server,
  TR: (r) => ms(r.tR),
  Tw: (r) => ms(r.tw),
  Tc: (r) => ms(r.tc),
  Tr: (r) => ms(r.tr),
  Ta: (r) => `${asap(r)}${r.ta}`,
  Tt: (r) => `${asap(r)}${r.ta}`,
  Tu: (r) => `${asap(r)}${r.ta}`,
  Tq: (r) => ms(r.tR),
  Th: () => 0,
  Ti: () => 0,
  ST: (r) => r.status,
  B: (r) => `${asap(r)}${r.bytes}`,
  U: (r) => r.bytesIn ?? 0,
  CC: () => '-',
  CS: () => '-',
  ts: (r) => r.termination.slice(0, 2),
  tsc: (r) => r.termination,
  ac: (r) => r.actconn,
  fc: (r) => r.feconn,
  bc: (r) => r.beconn,
  sc: (r) => r.srvconn,
  rc: (r) => (r.redispatched ? `+${r.retries}` : r.retries),
  sq: (r) => r.srvQueue,
  bq: (r) => r.beQueue,
  hr: () => '',
  hs: () => '',
  hrl: () => '',
  hsl: () => '',
  r: (r) => r.requestLine,
  HM: (r) => r.method ?? '',
  HU: (r) => r.uri ?? '',
  HP: (r) => r.path ?? '',
  HQ: (r) => (r.query ? `?${r.query}` : ''),
  HV: (r) => (r.httpVersion ? `HTTP/${r.httpVersion}` : ''),
  pid: () => process.pid,
  H: () => HOSTNAME,
  ID: () => '',
};

// %[sample expression] reads the transaction's context as the log line is written (TrafficLogRecord.ctx).
const LOG_LINE: FormatPlace<TrafficLogRecord> = { vars: VARS, sampleContext: (r) => r.ctx, logLine: true };

export type LogFormatter = Formatter<TrafficLogRecord>;

// Compiles a log-format string; throws with the offending variable for a malformed one.
export function compileLogFormat(fmt: string): LogFormatter {
  return compileFormat(fmt, LOG_LINE);
}
