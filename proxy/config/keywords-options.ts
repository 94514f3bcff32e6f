// "option ..." / "no option ..." and "http-check ..." (src/cfgparse-listen.c, src/proxy.c cfg_opts, src/tcpcheck.c).
import type { ProxyLineContext } from './context.ts';
import type { HeaderMatch, HttpCheckExpect } from './model.ts';
import { parseIpNet } from '../sample/ip.ts';
import { BOOLEAN_OPTIONS, SPECIAL_OPTIONS } from './known-keywords.ts';
import { didYouMean } from './suggest.ts';
import { parseCheckOption } from './keywords-tcp-check.ts';

type BoolKey = 'dontlognull' | 'httpBufferRequest' | 'allbackups' | 'logasap' | 'redispatch' | 'logHealthChecks' | 'persist' | 'cliTcpKa' | 'srvTcpKa' | 'httpIgnoreProbes' | 'abortOnClose' | 'preferLastServer' | 'httpPretendKeepalive';

/** The boolean options the lab implements, with the side HAProxy requires (warnifnotcap). */
// cap 'any': HAProxy takes it in frontends and backends alike (PR_CAP_FE | PR_CAP_BE).
const BOOLS: Readonly<Record<string, { key: BoolKey; cap: 'frontend' | 'backend' | 'any' }>> = {
  'http-buffer-request': { key: 'httpBufferRequest', cap: 'any' },
  dontlognull: { key: 'dontlognull', cap: 'frontend' },
  allbackups: { key: 'allbackups', cap: 'backend' },
  logasap: { key: 'logasap', cap: 'frontend' },
  redispatch: { key: 'redispatch', cap: 'backend' },
  persist: { key: 'persist', cap: 'backend' },
  clitcpka: { key: 'cliTcpKa', cap: 'frontend' },
  srvtcpka: { key: 'srvTcpKa', cap: 'backend' },
  'log-health-checks': { key: 'logHealthChecks', cap: 'backend' },
  'http-ignore-probes': { key: 'httpIgnoreProbes', cap: 'frontend' },
  abortonclose: { key: 'abortOnClose', cap: 'backend' },
  'prefer-last-server': { key: 'preferLastServer', cap: 'backend' },
  'http-pretend-keepalive': { key: 'httpPretendKeepalive', cap: 'backend' },
};

const HTTP_MODES: Readonly<Record<string, 'httpClose' | 'httpServerClose' | 'httpKeepAlive'>> = {
  httpclose: 'httpClose',
  'http-server-close': 'httpServerClose',
  'http-keep-alive': 'httpKeepAlive',
};

const REMOVED: Readonly<Record<string, string>> = {
  forceclose:
    "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
  'http-tunnel': "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
  http_proxy:
    "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired.",
};

function httpchk(c: ProxyLineContext): void {
  if (c.notCap('backend', 'httpchk')) return;
  if (c.tooManyArgs(3, 1)) return;
  let method = 'OPTIONS';
  let uri = '/';
  let version = 'HTTP/1.0';
  if (c.count === 3) uri = c.arg(2);
  else if (c.count >= 4) {
    method = c.arg(2);
    uri = c.arg(3);
    if (c.count >= 5) version = c.arg(4);
  }
  // The old "HTTP/1.1\r\nHost:\ name" idiom carries the Host header inside the version word.
  let host: string | undefined;
  const m = /^(\S+)\r\nHost:\s*(.*)$/i.exec(version);
  if (m) {
    version = m[1]!;
    host = m[2]!.trim();
  }
  delete c.proxy.options.tcpCheck;
  c.proxy.options.httpchk = { method, uri, version, ...(host ? { host } : {}), loc: c.loc };
}

// "option originalto [except NET] [header NAME]" (cfgparse-listen.c); the header name is kept only when given,
// since the backend's own name wins over the frontend's.
function originalto(c: ProxyLineContext): void {
  let header: string | undefined;
  let except: string | undefined;
  for (let i = 2; i < c.count; i += 2) {
    const a = c.arg(i);
    const v = c.arg(i + 1);
    if (a === 'except') {
      if (v === '' || !parseIpNet(v)) {
        c.alert(`'option originalto except' expects <address>[/mask] as argument.`);
        return;
      }
      except = v;
    } else if (a === 'header') {
      if (v === '') {
        c.alert(`'option originalto header' expects <header_name> as argument.`);
        return;
      }
      header = v;
    } else {
      c.alert(`'option originalto' only supports optional values: 'except' and 'header'.`);
      return;
    }
  }
  c.proxy.options.originalto = { ...(header ? { header } : {}), ...(except ? { except } : {}) };
}

function forwardfor(c: ProxyLineContext): void {
  let header = 'X-Forwarded-For';
  let except: string | undefined;
  let ifNone = false;
  for (let i = 2; i < c.count; i++) {
    const a = c.arg(i);
    if (a === 'except') {
      const v = c.arg(i + 1);
      if (v === '' || !parseIpNet(v)) {
        c.alert(`'option forwardfor except' expects <address>[/mask] as argument.`);
        return;
      }
      except = v;
      i++;
    } else if (a === 'header') {
      if (c.arg(i + 1) === '') {
        c.alert(`'option forwardfor header' expects <header_name> as argument.`);
        return;
      }
      header = c.arg(i + 1);
      i++;
    } else if (a === 'if-none') {
      ifNone = true;
    } else {
      c.alert(`'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.`);
      return;
    }
  }
  c.proxy.options.forwardfor = { header, ifNone, ...(except ? { except } : {}) };
}

// In a defaults section, a second log format replaces the first, and HAProxy says so.
export function overrides(c: ProxyLineContext, source: string, what: string): void {
  if (c.isDefaults && c.proxy.logFormatSource !== undefined) {
    c.warn(`${what} overrides previous '${c.proxy.logFormatSource}' in 'defaults' section.`, { form: 'parsing-tight' });
  }
  c.proxy.logFormatSource = source;
}

// "option NAME [args]" with the "no"/"default" modifiers.
export function parseOption(c: ProxyLineContext): void {
  const name = c.arg(1);
  if (name === '') {
    c.alert(`'option' expects an option name.`, { form: 'parsing-tight' });
    return;
  }
  const opts = c.proxy.options;
  const bool = BOOLS[name];
  if (bool) {
    if (name !== 'redispatch' && c.tooManyArgs(0, 1)) return;
    if (bool.cap !== 'any' && c.notCap(bool.cap, name)) return;
    // "default option x" restores what a proxy without defaults has: off.
    opts[bool.key] = c.kwm === 'std';
    return;
  }
  if (name === 'tcpka') {
    // both sides at once, each where the proxy has it (cfgparse-listen.c)
    if (c.tooManyArgs(0, 1)) return;
    if (c.hasFrontend) opts.cliTcpKa = c.kwm === 'std';
    if (c.hasBackend) opts.srvTcpKa = c.kwm === 'std';
    return;
  }
  if (BOOLEAN_OPTIONS.includes(name) && !HTTP_MODES[name]) {
    if (c.tooManyArgs(0, 1)) return;
    c.unsupported(`'option ${name}'`, { at: c.word(1) });
    return;
  }
  const mode = HTTP_MODES[name];
  if (mode) {
    if (c.tooManyArgs(0, 1)) return;
    if (c.kwm === 'std') {
      opts.httpClose = opts.httpServerClose = opts.httpKeepAlive = false;
      opts[mode] = true;
    } else if (c.kwm === 'no') {
      opts[mode] = false;
    } else {
      opts[mode] = false;
    }
    return;
  }
  const removed = REMOVED[name];
  if (removed) {
    c.alert(removed, { form: 'parsing-tight' });
    return;
  }
  if (c.kwm !== 'std') {
    c.alert(`negation/default is not supported for option '${name}'.`, { form: 'parsing-tight' });
    return;
  }
  switch (name) {
    case 'httplog': {
      if (c.arg(2) !== '' && c.arg(2) !== 'clf') {
        c.alert(`keyword 'httplog' only supports option 'clf'.`);
        return;
      }
      const clf = c.arg(2) === 'clf';
      overrides(c, `option httplog${clf ? ' clf' : ''}`, `'option httplog${clf ? ' clf' : ''}'`);
      opts.httplog = true;
      opts.tcplog = false;
      opts.httplogClf = clf;
      c.proxy.httplogLoc = c.loc;
      delete c.proxy.logFormat;
      delete c.proxy.logFormatter;
      if (c.tooManyArgs(1, 1)) return;
      // HAProxy keeps the setting (and may later warn about it again), but a backend never logs.
      if (c.proxy.kind === 'backend') c.warn(`backend '${c.proxy.name}' : 'option httplog' directive is ignored in backends.`);
      return;
    }
    case 'tcplog':
      overrides(c, 'option tcplog', "'option tcplog'");
      opts.tcplog = true;
      opts.httplog = false;
      opts.httplogClf = false;
      delete c.proxy.logFormat;
      delete c.proxy.logFormatter;
      if (c.tooManyArgs(0, 1)) return;
      if (c.proxy.kind === 'backend') c.warn(`backend '${c.proxy.name}' : 'option tcplog' directive is ignored in backends.`);
      return;
    case 'http-restrict-req-hdr-names': {
      if (c.tooManyArgs(2)) return;
      const how = c.arg(2);
      if (how === '') {
        c.alert(`missing parameter. option '${name}' expects 'preserve', 'reject' or 'delete' option.`);
        return;
      }
      if (how !== 'preserve' && how !== 'reject' && how !== 'delete') {
        c.alert(`invalid parameter '${how}'. option '${name}' expects 'preserve', 'reject' or 'delete' option.`);
        return;
      }
      if (how === 'preserve') delete opts.restrictReqHdrNames;
      else opts.restrictReqHdrNames = { how, loc: c.loc, text: `option ${name} ${how}` };
      return;
    }
    case 'originalto':
      if (c.kwm !== 'std') delete c.proxy.options.originalto;
      else originalto(c);
      return;
    case 'forwardfor':
      forwardfor(c);
      return;
    case 'httpchk':
      httpchk(c);
      return;
    case 'tcp-check':
    case 'redis-check':
    case 'ssl-hello-chk':
    case 'ldap-check':
    case 'smtpchk':
    case 'pgsql-check':
    case 'mysql-check':
      parseCheckOption(c, name);
      return;
  }
  if (SPECIAL_OPTIONS.includes(name)) {
    c.unsupported(`'option ${name}'`, { at: c.word(1) });
    return;
  }
  const hint = didYouMean(name, [...BOOLEAN_OPTIONS, ...SPECIAL_OPTIONS]);
  if (hint) c.alert(`unknown option '${name}'`, { hint, at: c.word(1) });
  else c.alert(`unknown option '${name}'.`, { at: c.word(1) });
}

// Expands "200", "200-399", "200,302" into status codes; null on a bad character (reported by the caller).
function statusList(text: string): number[] | { bad: string } {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return { bad: /[^0-9,-]/.exec(part)?.[0] ?? part[0] ?? ',' };
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    for (let s = lo; s <= hi && out.length < 1000; s++) out.push(s);
  }
  return out;
}

// "http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]...": the request a health check sends.
function httpCheckSend(c: ProxyLineContext): void {
  const send: NonNullable<typeof c.proxy.httpCheckSend> = { ...c.proxy.httpCheckSend, loc: c.loc };
  const headers: [string, string][] = [];
  for (let i = 2; i < c.count; i++) {
    const a = c.arg(i);
    const takes = a === 'hdr' ? 2 : ['comment', 'meth', 'uri', 'uri-lf', 'ver', 'body', 'body-lf'].includes(a) ? 1 : -1;
    if (takes < 0) {
      c.alert(`'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '${a}' as argument..`);
      return;
    }
    if (i + takes >= c.count) {
      c.alert(a === 'hdr' ? `'http-check send' : 'hdr' expects <name> and <value> as arguments.` : `'http-check send' : '${a}' expects a string as argument..`);
      return;
    }
    const v = c.arg(i + 1);
    if (a === 'meth') send.method = v;
    else if (a === 'uri') send.uri = v;
    else if (a === 'ver') send.version = v;
    else if (a === 'hdr') {
      if (v.toLowerCase() === 'host') send.host = c.arg(i + 2);
      headers.push([v.toLowerCase(), c.arg(i + 2)]);
    } else if (a === 'body') send.body = v;
    else if (a !== 'comment') c.unsupported(`'http-check send ... ${a}'`, { at: c.word(i) });
    i += takes;
  }
  if (headers.length > 0) send.headers = headers;
  c.proxy.httpCheckSend = send;
  c.proxy.httpCheckLoc = c.loc;
}

const HTTP_CHECK_KEYWORDS = "'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'";

// "http-check expect [min-recv N] [comment C] [!] status|rstatus|string|rstring|hdr|fhdr PATTERN ...".
function httpCheckExpect(c: ProxyLineContext): void {
  let i = 2;
  let inverse = false;
  while (c.arg(i) === 'min-recv' || c.arg(i) === 'comment' || c.arg(i).endsWith('-status') || c.arg(i) === 'status-code') i += 2;
  let kind = c.arg(i);
  while (kind.startsWith('!')) {
    inverse = !inverse;
    kind = kind.slice(1);
  }
  if (kind === '') kind = c.arg(++i);
  if (kind === '' || c.arg(i + 1) === '') {
    c.alert(`'http-check expect' : expects at least a matching pattern as arguments.`);
    return;
  }
  const pattern = c.arg(i + 1);
  const save = (expect: HttpCheckExpect, statuses?: number[]): void => {
    c.proxy.httpCheckExpect = { statuses: statuses ?? [], expect, loc: c.loc };
    c.proxy.httpCheckLoc = c.loc;
  };
  if (kind === 'status') {
    const list = statusList(pattern);
    if (!Array.isArray(list)) {
      c.alert(`'http-check expect' : invalid character '${list.bad}' in the list of status codes.`);
      return;
    }
    save({ inverse, type: 'status', pattern, statuses: list }, inverse ? undefined : list);
    return;
  }
  if (kind === 'rstatus' || kind === 'string' || kind === 'rstring') {
    if (kind !== 'string') {
      try {
        new RegExp(pattern);
      } catch (e) {
        c.alert(`'http-check expect' : '${kind}' invalid regex (${(e as Error).message}).`);
        return;
      }
    }
    save({ inverse, type: kind, pattern });
    return;
  }
  if (kind === 'hdr' || kind === 'fhdr') {
    // hdr name [-m meth] NAME [value [-m meth] VALUE]
    let k = i + 1;
    if (c.arg(k) !== 'name' && c.arg(k) !== 'name-lf') {
      c.alert(`'http-check expect' : '${kind}' expects at the name keyword as first argument followed by a pattern.`);
      return;
    }
    k++;
    const method = (): HeaderMatch | null => {
      if (c.arg(k) !== '-m') return 'str';
      const m = c.arg(k + 1) as HeaderMatch;
      k += 2;
      return ['str', 'beg', 'end', 'sub', 'reg'].includes(m) ? m : null;
    };
    const nameMatch = method();
    const name = c.arg(k++);
    if (!nameMatch || name === '') {
      c.alert(`'http-check expect' : '${kind}' expects a name pattern.`);
      return;
    }
    let value: string | undefined;
    let valueMatch: HeaderMatch | undefined;
    if (c.arg(k) === 'value' || c.arg(k) === 'value-lf') {
      k++;
      valueMatch = method() ?? undefined;
      value = c.arg(k);
      if (!valueMatch || value === '') {
        c.alert(`'http-check expect' : '${kind}' expect a pattern with the value keyword.`);
        return;
      }
    }
    save({ inverse, type: kind, pattern: name, nameMatch, ...(value !== undefined ? { value, valueMatch: valueMatch! } : {}) });
    return;
  }
  if (['custom', 'string-lf', 'binary', 'rbinary', 'binary-lf'].includes(kind)) {
    c.unsupported(`'http-check expect ${kind}'`, { at: c.word(i) });
    return;
  }
  c.alert(
    `'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '${kind}' as argument..`,
  );
}

// "http-check expect|send|..." lines.
export function parseHttpCheck(c: ProxyLineContext): void {
  if (c.notCap('backend', 'http-check')) return;
  const sub = c.arg(1);
  if (sub === 'expect') {
    httpCheckExpect(c);
    return;
  }
  if (sub === 'send') {
    httpCheckSend(c);
    return;
  }
  if (sub === 'disable-on-404' || sub === 'send-state') {
    if (c.arg(2) !== '') {
      c.alert(`'http-check ${sub}' cannot handle unexpected argument '${c.arg(2)}'.`);
      return;
    }
    if (sub === 'disable-on-404') c.proxy.options.disableOn404 = true;
    else c.proxy.options.sendState = true;
    return;
  }
  if (['comment', 'connect'].includes(sub) || /^(set-var|set-var-fmt|unset-var)\(/.test(sub)) {
    c.proxy.httpCheckLoc = c.loc;
    c.unsupported(`'http-check ${sub}'`, { at: c.word(1) });
    return;
  }
  c.alert(`'http-check' only supports ${HTTP_CHECK_KEYWORDS}. but got '${sub}'`);
}
