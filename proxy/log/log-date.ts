// HAProxy's log dates: "[25/Nov/2026:14:46:44.957]" in local time (%tr, %t) and syslog's "Nov 25 14:46:44".

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const p2 = (n: number) => (n < 10 ? '0' : '') + n;
const p3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

// Module state on purpose: a cache of the clock's current second, the same for every engine in the process.
let cachedSecond = -1;
let cachedPrefix = '';

// "25/Nov/2026:14:46:44.957" (the part up to the second is formatted once per second: logs are per request)
export function haproxyDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(ms);
    cachedPrefix = `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`;
    cachedSecond = second;
  }
  return cachedPrefix + p3(ms - second * 1000);
}

// "Nov 25 14:46:44" (RFC 3164 timestamp, day padded with a space)
export function syslogDate(ms: number): string {
  const d = new Date(ms);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

// "2026-12-03T09:35:22.645897+00:00": rfc5424's and the iso format's local time with microseconds and offset
export function isoDate(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}` +
    `.${p3(d.getMilliseconds())}000${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}
