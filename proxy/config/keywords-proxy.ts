// Keywords of frontend / backend / listen / defaults sections (src/cfgparse-listen.c, src/proxy.c,
// src/backend.c backend_parse_balance()). Each handler reads one line into the section's draft.
import { parseTcpResponse } from './keywords-tcp-response.ts';
import { FormatError } from '../sample/format-string.ts';
import { compileLogFormat, HTTP_ONLY_VARS, type LogFormatter } from '../log/log-format.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProxyLineContext } from './context.ts';
import type { BalanceAlgorithm, Timeouts } from './model.ts';
import { readCondition, ruleText, sentence } from './rule-condition.ts';
import { parseBind } from './keywords-bind.ts';
import { overrides, parseHttpCheck, parseOption } from './keywords-options.ts';
import { parseTcpCheck } from './keywords-tcp-check.ts';
import { parseHttpAfterResponse, parseHttpRequest, parseHttpResponse, parseRedirectKeyword, parseTcpRequest } from './keywords-rules.ts';
import { ERROR_PAGE_CODES } from '../http/actions/common.ts';
import { errorPageFromFile, errorPageRedirect } from '../http/error-pages.ts';
import { parseDefaultServer, parseServer, parseServerTemplate } from './keywords-server.ts';
import { parseCookie, parseDynamicCookieKey, parsePersistRule } from './keywords-cookie.ts';
import { parseErrorfiles, parseHttpError } from './keywords-errors.ts';
import { parseCapture, parseDeclare, parseUniqueIdFormat, parseUniqueIdHeader } from './keywords-capture.ts';
import { PROXY_KEYWORDS } from './known-keywords.ts';
import { parseLog } from './log-target.ts';
import { parseCompression } from '../compression/compression-keyword.ts';
import { parseDispatch } from './keywords-dispatch.ts';
import { didYouMean } from './suggest.ts';
import { parseTime } from './units.ts';
import { parseStickKeyword, parseStickTableKeyword } from '../stick/stick-keywords.ts';

type ProxyKeyword = (c: ProxyLineContext) => void;

/** HAProxy's invalid_char(): names may use letters, digits, '.', '-', '_' and ':'. */
export function invalidChar(name: string): string | undefined {
  return /[^A-Za-z0-9_.:-]/.exec(name)?.[0];
}

const TIMEOUTS: Readonly<Record<string, { key: keyof Timeouts; cap?: 'frontend' | 'backend' }>> = {
  client: { key: 'client', cap: 'frontend' },
  'client-fin': { key: 'clientFin', cap: 'frontend' },
  'http-request': { key: 'httpRequest' },
  'http-keep-alive': { key: 'httpKeepAlive' },
  tarpit: { key: 'tarpit' },
  server: { key: 'server', cap: 'backend' },
  'server-fin': { key: 'serverFin', cap: 'backend' },
  connect: { key: 'connect', cap: 'backend' },
  check: { key: 'check', cap: 'backend' },
  queue: { key: 'queue', cap: 'backend' },
  tunnel: { key: 'tunnel', cap: 'backend' },
};

function timeout(c: ProxyLineContext): void {
  const name = c.arg(1);
  const t = TIMEOUTS[name];
  if (!t) {
    c.alert(
      `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name}')`,
    );
    return;
  }
  if (t.cap && !(t.cap === 'frontend' ? c.hasFrontend : c.hasBackend)) {
    c.warn(`'timeout ${name}' will be ignored because ${c.proxyType} '${c.proxy.name}' has no ${t.cap} capability`);
    return;
  }
  const v = c.arg(2);
  if (v === '') {
    c.alert(`'timeout ${name}' expects an integer value (in milliseconds)`);
    return;
  }
  const r = parseTime(v);
  if (!r.ok) {
    if ('badChar' in r) c.alert(`unexpected character '${r.badChar}' in 'timeout ${name}'`);
    else c.alert(`timer overflow in argument '${v}' to 'timeout ${name}' (maximum value is 2147483647 ms or ~24.8 days)`);
    return;
  }
  if (c.tooManyArgs(1, 1)) return;
  // HAProxy notices a second setting only when the first changed the inherited value.
  if (c.proxy.timeouts[t.key] !== c.proxy.inheritedTimeouts[t.key]) c.warn(`overwriting 'timeout ${name}' which was already specified`);
  c.proxy.timeouts[t.key] = r.ms;
}

function oldTimeout(replacement: string): ProxyKeyword {
  return (c) => c.alert(`the '${c.arg(0)}' directive is not supported anymore since HAProxy 2.1. Use '${replacement}'.`);
}

const SIMPLE_ALGOS: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'first', 'leastconn', 'source'];

function balance(c: ProxyLineContext): void {
  if (c.notCap('backend', 'balance')) return;
  const a = c.args.slice(1).map((w) => w.text);
  const algo = a[0] ?? '';
  const fail = (msg: string): void => c.alert(`balance ${msg}`);
  const set = (algorithm: BalanceAlgorithm, options: string[], arg?: string): void => {
    c.proxy.balance = { algorithm, options, loc: c.loc, ...(arg !== undefined ? { arg } : {}) };
  };
  if (algo === '') return set('roundrobin', []);
  if ((SIMPLE_ALGOS as readonly string[]).includes(algo)) return set(algo as BalanceAlgorithm, []);
  if (algo.startsWith('random')) {
    // Like HAProxy (strncmp on 6 characters), anything not followed by "(draws)" is plain random.
    if (algo[6] !== '(' || algo[7] === ')') return set('random', []);
    const m = /^random\((-?\d*)(.*)$/.exec(algo)!;
    const rest = m[2]!;
    if (rest !== ')') return fail(rest === '' ? 'random : missing closing parenthesis.' : `random : unexpected character '${rest[0]}' after argument.`);
    const draws = Number.parseInt(m[1]!, 10) || 0;
    if (draws < 1) return fail('random : number of draws must be at least 1.');
    return set('random', [String(draws)]);
  }
  if (algo === 'uri') {
    const opts: string[] = [];
    for (let i = 1; i < a.length; i++) {
      const o = a[i]!;
      if (o === 'len' || o === 'depth') {
        const n = Number.parseInt(a[i + 1] ?? '', 10);
        if (!(n > 0)) return fail(`uri : '${o}' expects a positive integer (got '${a[i + 1] ?? ''}').`);
        opts.push(o, String(n));
        i++;
      } else if (o === 'whole' || o === 'path-only') opts.push(o);
      else return fail(`uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${o}').`);
    }
    return set('uri', opts);
  }
  if (algo === 'url_param') {
    if (!a[1]) return fail('url_param requires an URL parameter name.');
    if (a[2] !== undefined && a[2] !== 'check_post') return fail(`url_param only accepts 'check_post' modifier (got '${a[2]}').`);
    if (a[2] === 'check_post') c.unsupported(`'balance url_param ... check_post'`);
    return set('url_param', [], a[1]);
  }
  if (algo.startsWith('hdr(')) {
    const close = algo.indexOf(')', 4);
    if (close <= 4) return fail('hdr requires an http header field name.');
    if (a[1] !== undefined && a[1] !== 'use_domain_only') return fail(`${algo} only accepts 'use_domain_only' modifier (got '${a[1]}').`);
    return set('hdr', a[1] ? ['use_domain_only'] : [], algo.slice(4, close));
  }
  if (algo === 'hash' || algo.startsWith('rdp-cookie')) {
    if (algo === 'hash' && !a[1]) return fail('hash requires a sample expression.');
    c.unsupported(`'balance ${algo}'`);
    return;
  }
  fail(`only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.`);
}

function hashType(c: ProxyLineContext): void {
  if (c.notCap('backend', 'hash-type')) return;
  const t = c.arg(1);
  if (t === 'avalanche') {
    c.alert(`experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead.`);
    return;
  }
  if (t !== 'consistent' && t !== 'map-based') {
    c.alert(`'hash-type' only supports 'consistent' and 'map-based'.`);
    return;
  }
  const fn = c.arg(2);
  if (fn !== '' && !['sdbm', 'djb2', 'crc32', 'wt6'].includes(fn)) {
    c.alert(`'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.`);
    return;
  }
  if ((fn !== '' && fn !== 'sdbm') || c.arg(3) !== '') c.unsupported(`'hash-type ${t} ${c.args.slice(2).map((w) => w.text).join(' ')}'`);
  c.proxy.hashType = t;
}

function mode(c: ProxyLineContext): void {
  if (c.tooManyArgs(1)) return;
  const m = c.arg(1);
  if (m === 'http' || m === 'tcp') c.proxy.mode = m;
  else if (m === 'health') c.alert(`'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.`);
  else c.alert(`unknown proxy mode '${m}'.`);
}

function defaultBackend(c: ProxyLineContext): void {
  if (c.notCap('frontend', 'default_backend')) return;
  if (c.arg(1) === '') {
    c.alert(`'default_backend' expects a backend name.`);
    return;
  }
  if (c.tooManyArgs(1)) return;
  c.proxy.defaultBackend = { name: c.arg(1), loc: c.loc };
}

function useBackend(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'use_backend' not allowed in 'defaults' section.`);
    return;
  }
  c.notCap('frontend', 'use_backend');
  if (c.arg(1) === '') {
    c.alert(`'use_backend' expects a backend name.`);
    return;
  }
  const r = readCondition(c, 2, { front: 'use_backend', back: 'use_backend' });
  if (!r.ok) {
    if ('trailing' in r) {
      c.alert(`unexpected keyword '${r.trailing.text}' after switching rule, only 'if' and 'unless' are allowed.`);
    } else c.alert(`error detected while parsing switching rule : ${sentence(r.error)}`);
    return;
  }
  if (!c.hasFrontend) return;
  // a name with %[...] is a log-format string evaluated per request (HAProxy's dynamic switching rule)
  if (c.arg(1).includes('%[')) {
    c.proxy.useBackends.push({ backend: c.arg(1), dynamic: {}, ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) });
    return;
  }
  c.proxy.useBackends.push({ backend: c.arg(1), ...(r.cond ? { cond: r.cond } : {}), loc: c.loc, text: ruleText(c.args) });
}

function acl(c: ProxyLineContext): void {
  if (c.isDefaults && c.proxy.name === '') {
    c.alert(`'acl' not allowed in anonymous 'defaults' section.`);
    return;
  }
  // The ACL module words its messages as cfgparse-listen.c does (name checks included).
  const err = c.acls.define(c.args.slice(1), c.aclContext());
  if (err !== null) c.alert(err);
}

function integerKw(apply: (c: ProxyLineContext, n: number) => void): ProxyKeyword {
  return (c) => {
    if (c.arg(1) === '') {
      c.alert(`'${c.arg(0)}' expects an integer argument.`);
      return;
    }
    if (c.tooManyArgs(1)) return;
    apply(c, Number.parseInt(c.arg(1), 10) || 0);
  };
}

function log(c: ProxyLineContext): void {
  const r = parseLog(c.args, c.kwm === 'no', false, c.state.env);
  if (r.kind === 'error') c.alert(`log : ${r.message}`);
  else if (r.kind === 'unsupported') c.unsupported(r.what);
  else if (r.kind === 'clear') c.proxy.logs = [];
  else if (r.kind === 'global') {
    // HAProxy copies the global targets known at this line (parse_logsrv), skipping ones already present.
    for (const t of c.state.global.logs) {
      if (!c.proxy.logs.some((l) => l.loc === t.loc)) c.proxy.logs.push(t);
    }
  } else c.proxy.logs.push(r.target);
}

function logFormat(c: ProxyLineContext): void {
  if (c.arg(1) === '') {
    c.alert(`log-format expects an argument.`);
    return;
  }
  if (c.count > 2) {
    c.alert(`log-format expects only one argument, don't forget to escape spaces!`);
    return;
  }
  // compiled now, so a request never meets a malformed one; a backend never logs
  let formatter: LogFormatter | undefined;
  const usedVars = new Set<string>();
  try {
    // its %[samples] must be readable when the line is written
    if (c.proxy.kind !== 'backend') formatter = compileLogFormat(c.arg(1), { ...c.sampleScope, checkAt: ['log'], usedVars });
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    c.alert(`failed to parse log-format : ${err.message}.`, { form: 'Parsing-tight' });
    return;
  }
  overrides(c, 'log-format', "'log-format'");
  c.proxy.logFormat = c.arg(1);
  // the mode is known once the section is read: validate() refuses these in mode tcp
  c.proxy.logFormatHttpVars = { first: [...usedVars].find((v) => HTTP_ONLY_VARS.has(v)), loc: c.loc };
  if (formatter) c.proxy.logFormatter = formatter;
  else delete c.proxy.logFormatter;
  c.proxy.options.httplog = c.proxy.options.httplogClf = c.proxy.options.tcplog = false;
  if (c.proxy.kind === 'backend') c.warn(`backend '${c.proxy.name}' : 'log-format' directive is ignored in backends.`);
}

function stats(c: ProxyLineContext): void {
  const sub = c.arg(1);
  const cur = c.proxy.stats ?? { enabled: false, uri: '/haproxy?stats', loc: c.loc };
  switch (sub) {
    case 'enable':
      c.proxy.stats = { ...cur, enabled: true, loc: c.loc };
      return;
    case 'uri':
      if (c.arg(2) === '') {
        c.alert(`'uri' needs an URI prefix.`);
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, uri: c.arg(2) };
      return;
    case 'refresh': {
      // Unlike timeouts, a bare number here counts seconds.
      const bare = /^\d+$/.test(c.arg(2));
      const t = parseTime(bare ? `${c.arg(2)}s` : c.arg(2));
      if (!t.ok) {
        if ('badChar' in t) c.alert(`unexpected character '${t.badChar}' in argument to stats refresh interval.`, { form: 'parsing-tight' });
        else c.alert(`timer overflow in argument <${c.arg(2)}> to stats refresh interval, maximum value is 2147483647 s (~68 years).`, { form: 'parsing-tight' });
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, refresh: t.ms };
      return;
    }
    case 'auth':
      if (c.arg(2) === '') {
        c.alert(`'auth' needs a user:password account.`);
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, auth: [...(cur.auth ?? []), c.arg(2)] };
      return;
    case 'realm':
      if (c.arg(2) === '') {
        c.alert(`'realm' needs an realm name.`);
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, realm: c.arg(2) };
      return;
    case 'scope':
      if (c.arg(2) === '') {
        c.alert(`'scope' needs a proxy name.`);
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, scope: [...(cur.scope ?? []), c.arg(2)] };
      return;
    case 'hide-version':
      c.proxy.stats = { ...cur, enabled: true, hideVersion: true };
      return;
    case 'show-legends':
      c.proxy.stats = { ...cur, enabled: true, showLegends: true };
      return;
    case 'show-node':
      c.proxy.stats = { ...cur, enabled: true, showNode: c.arg(2) };
      return;
    case 'show-desc':
      // the words after it, joined by single spaces
      c.proxy.stats = { ...cur, enabled: true, showDesc: c.args.slice(2).map((w) => w.text).join(' ') };
      return;
    case 'admin': {
      if (c.proxy.kind === 'defaults') {
        c.alert(`'stats admin' statement is not supported in 'defaults' section.`);
        return;
      }
      if (c.arg(2) !== 'if' && c.arg(2) !== 'unless') {
        c.alert(`'stats admin' requires either 'if' or 'unless' followed by a condition.`);
        return;
      }
      const r = readCondition(c, 2);
      if (!r.ok) {
        c.alert('error' in r ? `error detected while parsing a 'stats admin' rule : ${r.error}.` : `'stats admin' requires either 'if' or 'unless' followed by a condition.`);
        return;
      }
      c.proxy.stats = { ...cur, enabled: true, ...(r.cond ? { admin: r.cond } : {}) };
      return;
    }
    case 'show-modules':
    case 'http-request':
    case 'bind-process':
      c.unsupported(`'stats ${sub}'`, { at: c.word(1) });
      return;
    default:
      c.alert(
        `${sub !== '' ? 'unknown stats parameter' : 'missing keyword in'} '${sub !== '' ? sub : c.arg(0)}', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.`,
        { form: 'parsing-tight' },
      );
  }
}

export const PROXY_HANDLERS: Readonly<Record<string, ProxyKeyword>> = {
  bind: parseBind,
  mode,
  balance,
  dispatch: parseDispatch,
  'hash-type': hashType,
  server: parseServer,
  'server-template': parseServerTemplate,
  'default-server': parseDefaultServer,
  default_backend: defaultBackend,
  use_backend: useBackend,
  acl,
  'http-request': parseHttpRequest,
  'http-response': parseHttpResponse,
  'http-after-response': parseHttpAfterResponse,
  'tcp-request': parseTcpRequest,
  'tcp-response': parseTcpResponse,
  'stick-table': parseStickTableKeyword,
  stick: parseStickKeyword,
  timeout,
  contimeout: oldTimeout('timeout connect'),
  clitimeout: oldTimeout('timeout client'),
  srvtimeout: oldTimeout('timeout server'),
  maxconn: (c) => {
    if (c.notCap('frontend', 'maxconn', " Maybe you want 'fullconn' instead ?")) return;
    integerKw((cc, n) => (cc.proxy.maxconn = n))(c);
  },
  fullconn: (c) => {
    if (c.notCap('backend', 'fullconn', " Maybe you want 'maxconn' instead ?")) return;
    integerKw((cc, n) => (cc.proxy.fullconn = n))(c);
  },
  retries: (c) => {
    // HAProxy warns about the missing capability and still checks the argument.
    const ignored = c.notCap('backend', 'retries');
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`'retries' expects an integer argument (dispatch counts for one).`);
      return;
    }
    if (!ignored) c.proxy.retries = Number.parseInt(c.arg(1), 10) || 0;
  },
  option: parseOption,
  'http-check': parseHttpCheck,
  'tcp-check': parseTcpCheck,
  log,
  'log-format': logFormat,
  'log-tag': (c) => {
    if (c.arg(1) === '') {
      c.alert(`'log-tag' expects a tag for use in syslog.`);
      return;
    }
    c.proxy.logTag = c.arg(1);
  },
  stats,
  capture: parseCapture,
  declare: parseDeclare,
  'unique-id-format': parseUniqueIdFormat,
  'unique-id-header': parseUniqueIdHeader,
  compression: parseCompression,
  // the rest of the line, words joined by single spaces
  description: (c) => {
    c.proxy.description = c.args.slice(1).map((w) => w.text).join(' ');
  },
  errorfile: (c) => {
    if (c.arg(1) === '' || c.arg(2) === '') {
      c.alert(`errorfile : expects <status_code> and <file> as arguments.`);
      return;
    }
    const code = Number.parseInt(c.arg(1), 10) || 0;
    if (!ERROR_PAGE_CODES.includes(code)) {
      c.alert(`errorfile : status code '${code}' not handled.`);
      return;
    }
    // Relative paths are read from the config's directory (HAProxy reads them from its working directory).
    let data: Buffer;
    try {
      data = readFileSync(resolve(c.state.baseDir, c.arg(2)));
    } catch {
      c.alert(`errorfile : error opening file '${c.arg(2)}'.`);
      return;
    }
    const page = errorPageFromFile(c.arg(2), data);
    if (typeof page === 'string') {
      c.alert(`errorfile : ${page}`);
      return;
    }
    c.proxy.errorPages.set(code, page);
    c.proxy.errorDecls.push({ kind: 'page', status: code, page });
  },
  redirect: parseRedirectKeyword,
  cookie: parseCookie,
  'dynamic-cookie-key': parseDynamicCookieKey,
  'force-persist': parsePersistRule,
  'ignore-persist': parsePersistRule,
  errorfiles: parseErrorfiles,
  'http-error': parseHttpError,
  errorloc: (c) => errorloc(c, 302),
  errorloc302: (c) => errorloc(c, 302),
  errorloc303: (c) => errorloc(c, 303),
  'monitor-uri': (c) => {
    c.notCap('frontend', 'monitor-uri');
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`'monitor-uri' expects an URI.`);
      return;
    }
    c.proxy.monitorUriLoc = c.loc;
    c.proxy.monitorUri = c.arg(1);
  },
  'http-reuse': (c) => {
    if (c.notCap('backend', 'http-reuse')) return;
    const m = c.arg(1);
    if (m !== 'never' && m !== 'safe' && m !== 'aggressive' && m !== 'always') {
      c.alert(`'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.`);
      return;
    }
    if (c.tooManyArgs(0, 1)) return;
    c.proxy.options.httpReuse = m;
  },
  monitor: (c) => {
    if (c.isDefaults) {
      c.alert(`'monitor' not allowed in 'defaults' section.`);
      return;
    }
    c.notCap('frontend', 'monitor');
    if (c.arg(1) !== 'fail') {
      c.alert(`'monitor' only supports 'fail'.`);
      return;
    }
    if (c.arg(2) !== 'if' && c.arg(2) !== 'unless') {
      c.alert(`'monitor fail' requires either 'if' or 'unless' followed by a condition.`);
      return;
    }
    const r = readCondition(c, 2);
    if (!r.ok || !r.cond) {
      c.alert(`error detected while parsing a 'monitor fail' condition : ${'error' in r ? sentence(r.error) : 'missing condition.'}`);
      return;
    }
    c.proxy.monitorFail.push(r.cond);
  },
  redispatch: (c) => c.alert(`keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.`),
};

/** Section-level built-ins HAProxy removed, with its messages. */
const REMOVED: Readonly<Record<string, string>> = {
  reqadd: "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
  rspadd: "The 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header' instead.",
  reqrep:
    "The 'reqrep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead.",
  block: "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
};

// Dispatches one proxy-section line; known-but-unimplemented keywords warn, unknown ones alert with a hint.
export function parseProxyLine(c: ProxyLineContext): void {
  const kw = c.arg(0);
  const handler = PROXY_HANDLERS[kw];
  if (handler) {
    handler(c);
    return;
  }
  const removed = REMOVED[kw];
  if (removed) {
    c.alert(removed);
    return;
  }
  if (PROXY_KEYWORDS.includes(kw)) {
    c.unsupported(`'${kw}'`);
    return;
  }
  const hint = didYouMean(kw, PROXY_KEYWORDS);
  c.alert(`unknown keyword '${kw}' in '${c.proxy.kind}' section`, { hint });
}

// errorloc/errorloc302/errorloc303 CODE URL: the status answered with a redirect to URL.
function errorloc(c: ProxyLineContext, redirect: 302 | 303): void {
  if (c.arg(1) === '' || c.arg(2) === '') {
    c.alert(`${c.arg(0)} : expects <status_code> and <url> as arguments.`);
    return;
  }
  const code = Number.parseInt(c.arg(1), 10) || 0;
  if (!ERROR_PAGE_CODES.includes(code)) {
    c.alert(`${c.arg(0)} : status code '${code}' not handled.`);
    return;
  }
  const page = errorPageRedirect(redirect, c.arg(2));
  c.proxy.errorPages.set(code, page);
  c.proxy.errorDecls.push({ kind: 'page', status: code, page });
}
