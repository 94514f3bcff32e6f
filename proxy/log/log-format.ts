// Custom `log-format` strings, compiled once per proxy into a list of parts, then filled per request.
// Covers HAProxy 2.6's common variables (doc/configuration.txt 8.2.4); an unknown one prints as written.
import { hostname } from 'node:os';
import { haproxyDate } from './log-date.ts';
import { compileSampleExpr } from '../acl/sample-expr.ts';
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

// %[sample expression]: evaluated on the transaction's context as the log line is written (see
// TrafficLogRecord.ctx); a missing or empty sample prints '-', or "" when quoted, as HAProxy prints it.
function sampleGetter(text: string, quote: boolean): Getter {
  const expr = compileSampleExpr(text, '');
  if ('error' in expr) return () => (quote ? '""' : '-');
  return (r) => {
    const v = r.ctx ? expr.evaluate(r.ctx) : undefined;
    if (v === undefined || v === '') return quote ? '""' : '-';
    return quote ? `"${v}"` : v;
  };
}

/** A literal, or a variable; `quote` asks for double quotes, which sample getters add themselves (`quoted`). */
type Part = string | { get: Getter; quote: boolean };

export type LogFormatter = (r: TrafficLogRecord) => string;

// Compiles a log-format string; throws with the offending variable for a malformed one.
export function compileLogFormat(fmt: string): LogFormatter {
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      lit += c === '\\' && i + 1 < fmt.length ? fmt[++i]! : c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    let quote = false;
    i++;
    if (fmt[i] === '{') {
      const end = fmt.indexOf('}', i);
      if (end < 0) throw new Error(`missing '}' after '%{' at position ${i}`);
      quote = fmt.slice(i + 1, end).split(',').includes('+Q');
      i = end + 1;
    }
    let get: Getter;
    if (fmt[i] === '[') {
      const end = fmt.indexOf(']', i);
      if (end < 0) throw new Error(`missing ']' after '%[' at position ${i}`);
      get = sampleGetter(fmt.slice(i + 1, end), quote);
      i = end + 1;
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ get, quote: false }); // quoting done by the getter
      continue;
    } else {
      const m = /^[A-Za-z]+/.exec(fmt.slice(i));
      if (!m) throw new Error(`no variable name after '%' at position ${i}`);
      // longest known prefix wins (%tsc before %ts before %t)
      let name = m[0];
      while (name.length > 0 && !(name in VARS)) name = name.slice(0, -1);
      if (name === '') throw new Error(`unknown log-format variable '%${m[0]}'`);
      get = VARS[name]!;
      i += name.length;
    }
    if (lit) parts.push(lit);
    lit = '';
    parts.push({ get, quote });
  }
  if (lit) parts.push(lit);
  return (r) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = String(p.get(r));
        out += p.quote ? `"${v}"` : v === '' ? '' : v;
      }
    }
    return out;
  };
}
