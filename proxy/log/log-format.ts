// `log-format` and `unique-id-format` lines (HAProxy 2.6's parse_logformat_string and sess_build_logline,
// src/log.c): every variable of doc/configuration.txt 8.2.4 with its options (+Q quotes text, +X writes numbers
// and addresses in hex, %o sets them for what follows), spaces merged as HAProxy merges them, %[samples].
// An unknown variable is HAProxy's alert, never literal text. Compiled when the config loads.
import { hostname } from 'node:os';
import { haproxyDate } from './log-date.ts';
import { compileFormatSample } from '../sample/format-string.ts';
import { asap, frontendWithTransport, type TrafficLogRecord } from './traffic-log.ts';
import { headerCaptureList, headerCaptures, urlEncode } from './log-escape.ts';
import { pathStart } from '../http/path.ts';

// %H is the host's name, as gethostname() gives it to HAProxy
const HOSTNAME = hostname();

interface Opts {
  readonly quote: boolean;
  readonly hex: boolean;
  /** Log lines print '-' for what is absent; unique-id-format prints nothing. */
  readonly mandatory: boolean;
}

/** A variable's text; null when it writes nothing at all (not even the end of a run of spaces). */
type Var = (r: TrafficLogRecord, o: Opts) => string | null;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? '0' : '') + n;
const hex = (n: number, width: number) => (n >>> 0).toString(16).toUpperCase().padStart(width, '0');

// lf_text: text, quoted with +Q; absent or empty is '-' in log lines (nothing between quotes with +Q)
function text(get: (r: TrafficLogRecord) => string | undefined): Var {
  return (r, o) => {
    const v = get(r);
    if (o.quote) return `"${v ?? ''}"`;
    return v === undefined || v === '' ? (o.mandatory ? '-' : '') : v;
  };
}

// ltoa_o: a number, never quoted; `hexWidth` where +X writes it as "%04X" (or "%02X")
function num(get: (r: TrafficLogRecord) => number | string, hexWidth = 0): Var {
  return (r, o) => {
    const v = get(r);
    return hexWidth > 0 && o.hex && typeof v === 'number' ? hex(v, hexWidth) : String(v);
  };
}

// lf_ip / lf_port: +X is the address's bytes in hex; an unknown address is lf_text's absent value
function ip(get: (r: TrafficLogRecord) => string | undefined): Var {
  const plain = text(get);
  return (r, o) => {
    const v = get(r);
    if (!o.hex || v === undefined) return plain(r, o);
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v);
    return m ? m.slice(1).map((b) => hex(Number(b), 2)).join('') : plain(r, o);
  };
}

function port(get: (r: TrafficLogRecord) => number | undefined): Var {
  return (r, o) => {
    const v = get(r);
    if (v === undefined) return text(() => undefined)(r, o);
    return o.hex ? hex(v, 4) : String(v);
  };
}

// %r %HM %HP ...: the request's parts, '#'-encoded like a URL
function request(get: (r: TrafficLogRecord) => string): Var {
  return (r, o) => {
    const v = urlEncode(get(r));
    return o.quote ? `"${v}"` : v;
  };
}

// %HP: the target up to its query, an absolute-form one with its scheme and authority
function beforeQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

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

/** Variables HAProxy reserves for proxies in mode http (logformat_keywords' PR_MODE_HTTP). */
export const HTTP_ONLY_VARS: ReadonlySet<string> = new Set(['CC', 'CS', 'Ta', 'Ti', 'Tq', 'Tr', 'TR', 'HM', 'HP', 'HPO', 'HQ', 'HU', 'HV', 'r', 'tr', 'trg', 'trl']);

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

// A compiled piece: literal text, a separator (one space, merged), or something printed from the record.
type Part = { lit: string } | { sep: true } | { run: (r: TrafficLogRecord) => string | null };

/** Where the format is used: log lines (absent is '-'), or unique-id-format (absent is nothing). */
export interface LogFormatUse {
  readonly mandatory: boolean;
}

const LOG_LINE: LogFormatUse = { mandatory: true };

/**
 * Compiles a log-format string; throws HAProxy's message (without "failed to parse log-format : ") when it does
 * not parse. `httpVars` receives the mode-http-only variables it uses, for the check once the mode is known.
 */
export function compileLogFormat(fmt: string, use: LogFormatUse = LOG_LINE, httpVars?: Set<string>): LogFormatter {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  let defaults: { quote: boolean; hex: boolean } = { quote: false, hex: false };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === ' ') {
      flush();
      parts.push({ sep: true });
      i++;
      continue;
    }
    if (c !== '%') {
      // the quoted argument's backslash escapes stay escapes
      lit += c === '\\' && i + 1 < fmt.length ? fmt[++i]! : c;
      i++;
      continue;
    }
    const next = fmt[i + 1];
    if (next === undefined) throw new Error(`truncated line after '%'`);
    if (next === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    if (/[0-9 \t]/.test(next)) {
      throw new Error(`unexpected variable name near '${next}' at position ${i + 1} line : '${fmt}'. Maybe you want to write a single '%', use the syntax '%%'`);
    }
    let at = i + 1;
    let args: string[] = [];
    if (next === '{') {
      const end = fmt.indexOf('}', at);
      if (end < 0) throw new Error(`truncated line after '${fmt.slice(at + 1)}'`);
      args = fmt.slice(at + 1, end).split(',');
      at = end + 1;
      if (fmt[at] !== '[' && !/[A-Za-z0-9]/.test(fmt[at] ?? '')) throw new Error(`parse argument modifier without variable name near '%{${fmt.slice(i + 2, end)}}'`);
    }
    const opts = applyArgs(defaults, args);
    if (fmt[at] === '[') {
      // unique-id-format's samples (LOG_OPT_HTTP) go through lf_encode_chunk, which writes no quotes
      const s = compileFormatSample(fmt, at, opts.quote && use.mandatory, use.mandatory);
      flush();
      parts.push({ run: (r) => s.print(r.ctx) });
      i = s.next;
      continue;
    }
    if (!/[A-Za-z]/.test(fmt[at] ?? '')) {
      // HAProxy drops a '%' before anything else and keeps the text
      i = at;
      continue;
    }
    let end = at;
    while (end < fmt.length && /[A-Za-z0-9]/.test(fmt[end]!)) end++;
    const name = fmt.slice(at, end);
    if (name === 'o') {
      // %o sets the options of the variables that follow
      defaults = { quote: opts.quote, hex: opts.hex };
      i = end;
      continue;
    }
    const v = VARS[name];
    if (!v) throw new Error(`no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`);
    if (HTTP_ONLY_VARS.has(name)) httpVars?.add(name);
    const o: Opts = { ...opts, mandatory: use.mandatory };
    flush();
    parts.push({ run: (r) => v(r, o) });
    i = end;
  }
  flush();
  return (r) => {
    let out = '';
    // sess_build_logline: a separator writes one space, and none after another or at the start
    let lastSpace = true;
    for (const p of parts) {
      if ('lit' in p) {
        out += p.lit;
        lastSpace = false;
      } else if ('sep' in p) {
        if (!lastSpace) out += ' ';
        lastSpace = true;
      } else {
        // a variable counts as written even when empty, except %hr/%hs for a frontend without slots there
        const s = p.run(r);
        if (s !== null) {
          out += s;
          lastSpace = false;
        }
      }
    }
    return out;
  };
}

// "%{+Q,-X}": each flag turns an option on (+) or off (-); unknown ones are ignored, as HAProxy ignores them.
function applyArgs(base: { quote: boolean; hex: boolean }, args: readonly string[]): { quote: boolean; hex: boolean } {
  const o = { ...base };
  for (const a of args) {
    const on = a[0] === '+';
    if (!on && a[0] !== '-') continue;
    if (a.slice(1) === 'Q') o.quote = on;
    else if (a.slice(1) === 'X') o.hex = on;
  }
  return o;
}

// %lc: how many lines each loaded frontend logged before this one.
const logCounts = new WeakMap<object, number>();

/** The frontend's log counter for the line being written, counted (HAProxy's fe->log_count). */
export function nextLogCount(frontend: object): number {
  const n = logCounts.get(frontend) ?? 0;
  logCounts.set(frontend, n + 1);
  return n;
}
