// Where log lines go: the config's `log` targets (stdout, stderr, UDP syslog, UNIX datagram sockets), each line
// framed as the target's format asks, cut to its `len`, thinned by its `sample`, ended by "\n" as HAProxy sends it.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import type { LogTarget } from '../config/model.ts';
import { isoDate, syslogDate } from './log-date.ts';

const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit',
  'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

export interface LogSink {
  write(line: string, level: LogLevel): void;
  close(): void;
}

export interface SyslogHeader {
  /** The tag (program name) of the header: log-tag, else "haproxy". */
  readonly tag: string;
  /** log-send-hostname: the host name rfc3164 and rfc5424 headers carry; none without it. */
  readonly hostname?: string;
}


// Builds one sink that fans a line out to every target, each framed per its format.
export function createLogSink(targets: readonly LogTarget[], header: SyslogHeader = { tag: 'haproxy' }): LogSink {
  const writers = targets.map((t) => targetWriter(t, header));
  return {
    write(line, level) {
      for (const w of writers) w.write(line, level);
    },
    close() {
      for (const w of writers) w.close();
    },
  };
}

/** The bytes HAProxy sends for one line to a target (src/log.c, __send_log): header, line cut to `len`, "\n". */
/**
 * A log line's bytes: what it copied from the traffic and the formats is one char per byte (latin1), as HAProxy
 * writes them; a line holding text beyond latin1 (a name from the config, say) is written as UTF-8.
 */
export function lineBytes(line: string): Buffer {
  // eslint-disable-next-line no-control-regex -- latin1 is one byte per char
  return Buffer.from(line, /^[\x00-\xff]*$/.test(line) ? 'latin1' : 'utf8');
}

export function frameLine(t: LogTarget, header: SyslogHeader, line: string, level: LogLevel, now = Date.now()): string {
  const facility = Math.max(0, FACILITIES.indexOf(t.facility));
  const lvl = LEVELS.indexOf(level);
  const pri = `<${facility * 8 + lvl}>`;
  const host = header.hostname;
  let head: string;
  switch (t.format) {
    case 'raw':
      head = '';
      break;
    case 'short':
      head = `<${lvl}>`;
      break;
    case 'priority':
      head = pri;
      break;
    case 'timed':
      head = `<${lvl}>${isoDate(now)} `;
      break;
    case 'iso':
      head = `${isoDate(now)} `;
      break;
    case 'rfc5424':
      head = `${pri}1 ${isoDate(now)} ${host ?? '-'} ${header.tag} ${process.pid} - - `;
      break;
    case 'local':
      head = `${pri}${syslogDate(now)} ${header.tag}[${process.pid}]: `;
      break;
    default:
      head = `${pri}${syslogDate(now)} ${host !== undefined ? host + ' ' : ''}${header.tag}[${process.pid}]: `;
  }
  const framed = head + line;
  return (framed.length > t.maxLen ? framed.slice(0, t.maxLen) : framed) + '\n';
}

function targetWriter(t: LogTarget, header: SyslogHeader): LogSink {
  const maxLevel = t.level ? LEVELS.indexOf(t.level) : 7;
  // a `sample` counts the lines of this proxy only: each proxy holds its own copy of a `log global` target
  let offered = 0;
  const sampled = (): boolean => {
    const s = t.sample;
    if (!s) return true;
    const pos = (offered++ % s.size) + 1;
    return s.ranges.some(([lo, hi]) => pos >= lo && pos <= hi);
  };
  const skip = (level: LogLevel) => LEVELS.indexOf(level) > maxLevel || !sampled();
  if (t.target === 'stdout' || t.target === 'stderr') {
    const stream = t.target === 'stdout' ? process.stdout : process.stderr;
    return {
      write(line, level) {
        if (!skip(level)) stream.write(lineBytes(frameLine(t, header, line, level)));
      },
      close() {},
    };
  }
  if (t.target.startsWith('unix:')) return unixWriter(t, header, t.target.slice(5), skip);
  const m = /^(?:udp@|ipv4@)?(.+?)(?::(\d+))?$/.exec(t.target);
  const host = m?.[1] ?? '127.0.0.1';
  const port = Number(m?.[2] ?? 514);
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.unref();
  return {
    write(line, level) {
      if (!skip(level)) sock.send(lineBytes(frameLine(t, header, line, level)), port, host, () => {});
    },
    close() {
      sock.close();
    },
  };
}

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}

// Node's dgram has no AF_UNIX datagrams; the unix-dgram addon (a small native module) opens them. Loaded on
// first use, so a config without such a target never needs it. Like HAProxy, a line that cannot be delivered
// (no listener, full queue) is dropped.
const requireNative = createRequire(import.meta.url);
let unixDgram: { createSocket(type: 'unix_dgram'): UnixDgramSocket } | null = null;

function unixWriter(t: LogTarget, header: SyslogHeader, path: string, skip: (level: LogLevel) => boolean): LogSink {
  unixDgram ??= requireNative('unix-dgram') as { createSocket(type: 'unix_dgram'): UnixDgramSocket };
  const sock = unixDgram.createSocket('unix_dgram');
  sock.on('error', () => {});
  return {
    write(line, level) {
      if (skip(level)) return;
      const buf = lineBytes(frameLine(t, header, line, level));
      sock.send(buf, 0, buf.length, path, () => {});
    },
    close() {
      sock.close();
    },
  };
}
