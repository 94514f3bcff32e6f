// Where log lines go: the config's `log` targets (stdout, stderr, UDP syslog), framed as each target's format asks.
import dgram from 'node:dgram';
import type { LogTarget } from '../config/model.ts';
import { syslogDate } from './log-date.ts';

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

// Builds one sink that fans a line out to every target, each framed per its format.
export function createLogSink(targets: readonly LogTarget[], tag = 'haproxy'): LogSink {
  const writers = targets.map((t) => targetWriter(t, tag));
  return {
    write(line, level) {
      for (const w of writers) w.write(line, level);
    },
    close() {
      for (const w of writers) w.close();
    },
  };
}

function targetWriter(t: LogTarget, tag: string): LogSink {
  const facility = Math.max(0, FACILITIES.indexOf(t.facility));
  const maxLevel = t.level ? LEVELS.indexOf(t.level) : 7;
  const frame = (line: string, level: LogLevel): string => {
    const pri = `<${facility * 8 + LEVELS.indexOf(level)}>`;
    switch (t.format) {
      case 'raw':
        return line;
      case 'short':
        return `${pri}${line}`;
      case 'priority':
        return `${pri}${line}`;
      case 'timed':
        return `${pri}${syslogDate(Date.now())} ${line}`;
      case 'iso':
        return `${new Date().toISOString()} ${line}`;
      case 'rfc5424':
        return `${pri}1 ${new Date().toISOString()} - ${tag} ${process.pid} - - ${line}`;
      default:
        return `${pri}${syslogDate(Date.now())} ${tag}[${process.pid}]: ${line}`;
    }
  };
  const skip = (level: LogLevel) => LEVELS.indexOf(level) > maxLevel;
  if (t.target === 'stdout' || t.target === 'stderr') {
    const stream = t.target === 'stdout' ? process.stdout : process.stderr;
    return {
      write(line, level) {
        if (!skip(level)) stream.write(frame(line, level) + '\n');
      },
      close() {},
    };
  }
  const m = /^(?:udp@|ipv4@)?(.+?)(?::(\d+))?$/.exec(t.target);
  const host = m?.[1] ?? '127.0.0.1';
  const port = Number(m?.[2] ?? 514);
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.unref();
  return {
    write(line, level) {
      if (!skip(level)) sock.send(frame(line, level), port, host, () => {});
    },
    close() {
      sock.close();
    },
  };
}
