// The "log" keyword, shared by global and proxy sections, as HAProxy's parse_logsrv() (src/log.c) reads it:
// log <target> [len <n>] [format <fmt>] [sample <ranges>:<size>] <facility> [<level> [<minlevel>]]
import type { Word } from './diagnostics.ts';
import type { LogTarget } from './model.ts';
import { parseAddress } from './address.ts';

export const LOG_FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'];
export const LOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp',
  'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

// "1,3-5:10": 1-based positions (or ranges) out of every 10 lines; errors in parse_logsrv()'s words.
function parseSample(text: string): NonNullable<LogTarget['sample']> | string {
  const colon = text.indexOf(':');
  if (colon < 0) return `Missing sample size`;
  const rangeText = text.slice(0, colon);
  const sizeText = text.slice(colon + 1);
  const size = /^\d+$/.test(sizeText) ? Number(sizeText) : 0;
  if (size <= 0) return `wrong sample size '${sizeText}' for sample range '${rangeText}'`;
  const ranges: [number, number][] = [];
  let highest = 0;
  for (const part of rangeText.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const lo = m ? Number(m[1]) : 0;
    const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 1 || hi < lo) return `wrong sample range '${part}'`;
    highest = Math.max(highest, hi);
    ranges.push([lo, hi]);
  }
  if (size < highest) return `sample size ${size} should be greater or equal to ${highest} the maximum of the high ranges limits`;
  return { ranges, size };
}

export type LogParse =
  | { kind: 'target'; target: LogTarget }
  | { kind: 'global' }
  | { kind: 'clear' }
  | { kind: 'error'; message: string }
  | { kind: 'unsupported'; what: string };

// Parses the words after "log" (args[0] is "log"); isGlobal selects the global section's wording.
export function parseLog(args: readonly Word[], negated: boolean, isGlobal: boolean, env?: Readonly<Record<string, string | undefined>>): LogParse {
  const a = (i: number): string => args[i]?.text ?? '';
  if (negated) {
    if (a(1) !== '') return { kind: 'error', message: "'no log' does not expect arguments" };
    return { kind: 'clear' };
  }
  if (a(1) !== '' && a(2) === '' && a(1) === 'global') {
    if (isGlobal) return { kind: 'error', message: "'global' is not supported for a global syslog server" };
    return { kind: 'global' };
  }
  if (a(1) === '' || a(2) === '') {
    return { kind: 'error', message: `expects <address> and <facility> ${isGlobal ? '' : 'or global'} as arguments` };
  }
  let cur = 2;
  let maxLen = 1024;
  let format = 'rfc3164';
  let sample: LogTarget['sample'];
  // len, then format, then sample: parse_logsrv() reads them in this order only
  if (a(cur) === 'len') {
    const len = Number.parseInt(a(cur + 1), 10);
    if (!(len >= 80 && len <= 65535)) {
      return { kind: 'error', message: `invalid log length '${a(cur + 1)}', must be between 80 and 65535` };
    }
    maxLen = len;
    cur += 2;
  }
  if (a(cur) === 'format') {
    if (!LOG_FORMATS.includes(a(cur + 1))) return { kind: 'error', message: `unknown log format '${a(cur + 1)}'` };
    format = a(cur + 1);
    cur += 2;
  }
  if (a(cur) === 'sample') {
    const s = parseSample(a(cur + 1));
    if (typeof s === 'string') return { kind: 'error', message: s };
    sample = s;
    cur += 2;
  }
  const facility = a(cur);
  if (!LOG_FACILITIES.includes(facility)) return { kind: 'error', message: `unknown log facility '${facility}'` };
  cur++;
  let level: string | undefined;
  if (a(cur) !== '') {
    if (!LOG_LEVELS.includes(a(cur))) return { kind: 'error', message: `unknown optional log level '${a(cur)}'` };
    level = a(cur);
    cur++;
  }
  if (a(cur) !== '') {
    if (!LOG_LEVELS.includes(a(cur))) {
      return { kind: 'error', message: `unknown optional minimum log level '${a(cur)}'` };
    }
    cur++;
  }
  if (a(cur) !== '') return { kind: 'error', message: `cannot handle unexpected argument '${a(cur)}'` };
  let target = a(1);
  if (target === 'stdout' || target === 'stderr') {
    // plain names
  } else if (target === 'fd@1') target = 'stdout';
  else if (target === 'fd@2') target = 'stderr';
  else if (target.startsWith('ring@')) return { kind: 'unsupported', what: "'log ring@...'" };
  else if (target.startsWith('/') || target.startsWith('unix@')) {
    // a UNIX datagram socket (/dev/log, a syslog daemon's or anyone's)
    target = `unix:${target.replace(/^unix@/, '')}`;
  }
  else {
    const addr = parseAddress(target.replace(/^udp[46]?@/, ''), { keyword: 'log', portRequired: false, allowPortZero: true, ...(env ? { env } : {}) });
    if (!addr.ok) {
      if ('unsupported' in addr) return { kind: 'unsupported', what: `'log' to ${addr.unsupported}` };
      return { kind: 'error', message: addr.error };
    }
    target = `${addr.host ?? '0.0.0.0'}:${addr.portGiven ? addr.port : 514}`;
  }
  return {
    kind: 'target',
    target: { target, format, facility, ...(level ? { level } : {}), maxLen, ...(sample ? { sample } : {}), loc: args[0]!.loc },
  };
}
