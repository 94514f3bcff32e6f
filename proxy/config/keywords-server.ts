// "server" and "default-server" lines (src/server.c _srv_parse_init() and the srv_kws table), with
// HAProxy's "[file:line] : 'server be/name' : ..." wording.
import type { ProxyLineContext } from './context.ts';
import type { ServerDefaults, ServerDraft } from './draft.ts';
import type { ServerOnError } from './model.ts';
import { isIpv4, isIpv6, parseAddress } from './address.ts';
import { SERVER_KEYWORDS } from './known-keywords.ts';
import { didYouMean } from './suggest.ts';
import { finishServerTls, parseAlpn, parseServerSslOption, SERVER_SSL_KEYWORDS } from './keywords-ssl.ts';
import { compileSampleExpr } from '../sample/sample-expr.ts';
import { atol, parseTime } from './units.ts';
import { parseServerCookie } from './keywords-cookie.ts';

type Target = ServerDefaults & { id?: number; idLoc?: ServerDraft['idLoc'] };

interface ServerParse {
  readonly c: ProxyLineContext;
  /** "'server b/s' : " or "" for default-server. */
  readonly prefix: string;
  readonly name: string;
  readonly target: Target;
  readonly isDefault: boolean;
}

type ServerKeyword = (p: ServerParse, i: number) => number | 'stop';

function fail(p: ServerParse, message: string, i: number): 'stop' {
  p.c.alert(`${p.prefix}${message}`, { form: 'bracket', at: p.c.word(i) });
  return 'stop';
}

function delay(key: 'inter' | 'fastinter' | 'downinter'): ServerKeyword {
  return (p, i) => {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'${key}' expects a delay as argument..`, i);
    const t = parseTime(v);
    if (!t.ok) {
      if ('badChar' in t) return fail(p, `unexpected character '${t.badChar}' in '${key}' argument of server ${p.name}..`, i);
      return fail(p, `timer overflow in argument '${v}' to '${key}' of server ${p.name}, maximum value is 2147483647 ms (~24.8 days)..`, i);
    }
    if (t.ms === 0) return fail(p, `invalid value 0 for argument '${key}' of server ${p.name}..`, i);
    p.target[key] = t.ms;
    return i + 2;
  };
}

function counter(key: 'rise' | 'fall'): ServerKeyword {
  return (p, i) => {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'${key}' expects an integer argument..`, i);
    const n = atol(v);
    if (n <= 0) return fail(p, `'${key}' has to be > 0..`, i);
    p.target[key] = n;
    return i + 2;
  };
}

function flag(apply: (t: Target) => void): ServerKeyword {
  return (p, i) => {
    apply(p.target);
    return i + 1;
  };
}

const ON_ERROR: ReadonlySet<string> = new Set(['fastinter', 'fail-check', 'sudden-death', 'mark-down']);

const MUX_PROTOS: ReadonlySet<string> = new Set(['h1', 'h2', 'fcgi', 'none']);

const HANDLERS: Readonly<Record<string, ServerKeyword>> = {
  // srv_parse_agent_check / _port / _inter / _addr / _send (src/check.c), with their wording
  'check-ssl': flag((t) => (t.checkSsl = true)),
  'no-check-ssl': flag((t) => (t.checkSsl = false)),
  'check-sni'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'check-sni' : missing SNI.`, i);
    p.target.checkSni = v;
    return i + 2;
  },
  'check-alpn'(p, i) {
    const r = parseAlpn(p.c.arg(i + 1));
    if (typeof r === 'string') return fail(p, `'check-alpn' : ${r}.`, i);
    p.target.checkAlpn = r;
    return i + 2;
  },
  'agent-check': flag((t) => (t.agentCheck = true)),
  'no-agent-check': flag((t) => {
    t.agentCheck = false;
    delete t.agentSend;
  }),
  'agent-port'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'agent-port' expects a port number as argument..`, i);
    p.target.agentPort = atol(v) & 0xffff;
    return i + 2;
  },
  'agent-inter'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'agent-inter' expects a delay as argument..`, i);
    const t = parseTime(v);
    if (!t.ok) {
      if ('badChar' in t) return fail(p, `unexpected character '${t.badChar}' in 'agent-inter' argument of server ${p.name}..`, i);
      return fail(p, `timer overflow in argument <${v}> to <agent-inter> of server ${p.name}, maximum value is 2147483647 ms (~24.8 days)..`, i);
    }
    if (t.ms === 0) return fail(p, `invalid value 0 for argument 'agent-inter' of server ${p.name}..`, i);
    p.target.agentInter = t.ms;
    return i + 2;
  },
  'agent-addr'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'agent-addr' expects an address as argument..`, i);
    // HAProxy resolves a name here (str2ip); the lab never resolves one, so only addresses are taken
    const ip = v === 'localhost' ? '127.0.0.1' : v;
    if (!isIpv4(ip) && !isIpv6(ip)) return fail(p, `parsing agent-addr failed. Check if '${v}' is correct address..`, i);
    p.target.agentAddr = ip;
    return i + 2;
  },
  'agent-send'(p, i) {
    p.target.agentSend = p.c.arg(i + 1);
    return i + 2;
  },
  weight(p, i) {
    const v = p.c.arg(i + 1);
    const w = atol(v);
    if (w < 0 || w > 256) return fail(p, `weight of server ${p.name} is not within 0 and 256 (${w})..`, i);
    p.target.weight = w;
    return i + 2;
  },
  check: flag((t) => (t.check = true)),
  'no-check': flag((t) => (t.check = false)),
  backup: flag((t) => (t.backup = true)),
  'no-backup': flag((t) => (t.backup = false)),
  disabled: flag((t) => (t.disabled = true)),
  enabled: flag((t) => (t.disabled = false)),
  inter: delay('inter'),
  fastinter: delay('fastinter'),
  downinter: delay('downinter'),
  rise: counter('rise'),
  fall: counter('fall'),
  maxconn(p, i) {
    p.target.maxconn = Math.max(0, atol(p.c.arg(i + 1)));
    return i + 2;
  },
  // srv_parse_pool_max_conn: atoi, at least -1 (unlimited)
  'pool-max-conn'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'pool-max-conn' expects <value> as argument..`, i);
    const n = atol(v);
    if (n < -1) return fail(p, `'pool-max-conn' must be >= -1.`, i);
    p.target.poolMaxConn = n;
    return i + 2;
  },
  maxqueue(p, i) {
    p.target.maxqueue = Math.max(0, atol(p.c.arg(i + 1)));
    return i + 2;
  },
  id(p, i) {
    if (p.isDefault) return fail(p, `'id' : 'id' is not supported for default servers.`, i);
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'id' : expects an integer argument`, i);
    const n = atol(v);
    if (n <= 0) return fail(p, `'id' : custom id has to be > 0.`, i);
    p.target.id = n;
    p.target.idLoc = p.c.word(i)!.loc;
    return i + 2;
  },
  addr(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'addr' expects <ipv4|ipv6> as argument.`, i);
    const a = parseAddress(v, { keyword: 'addr', portRequired: false, allowPortZero: true, env: p.c.state.env });
    if (!a.ok) {
      if ('unsupported' in a) {
        p.c.unsupported(`${p.prefix}'addr' with ${a.unsupported}`, { form: 'bracket' });
        return i + 2;
      }
      return fail(p, `'addr' : ${a.error}.`, i);
    }
    if (a.host !== null) p.target.checkAddr = a.host;
    if (a.portGiven) p.target.checkPort = a.port;
    return i + 2;
  },
  // the multiplexers HAProxy 2.6 registers (get_mux_proto); whether one fits the proxy's mode is checked later
  proto(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'proto' : missing value.`, i);
    if (!MUX_PROTOS.has(v)) return fail(p, `'proto' :  unknown MUX protocol '${v}'.`, i);
    if (v === 'fcgi') p.c.unsupported(`${p.prefix}'proto fcgi'`, { form: 'bracket', at: p.c.word(i) });
    p.target.proto = v;
    return i + 2;
  },
  resolvers(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'resolvers' expects <resolvers_id> as argument.`, i);
    p.target.resolvers = v;
    return i + 2;
  },
  'resolve-prefer'(p, i) {
    const v = p.c.arg(i + 1);
    if (v !== 'ipv4' && v !== 'ipv6') return fail(p, `'resolve-prefer' expects either ipv4 or ipv6 as argument..`, i);
    p.target.resolvePrefer = v;
    return i + 2;
  },
  'init-addr'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'init-addr' expects <method>[,<method>...] as argument.`, i);
    const methods: string[] = [];
    let ip: string | undefined;
    for (const m of v.split(',').filter(Boolean)) {
      // HAProxy packs up to ten methods, repeats allowed
      if (methods.length >= 10) return fail(p, `'init-addr' : too many init-addr methods when trying to add '${m}'.`, i);
      if (m === 'libc' || m === 'last' || m === 'none') {
        methods.push(m);
      } else if (isIpv4(m) || isIpv6(m)) {
        if (ip !== undefined) return fail(p, `'init-addr' : initial address already specified, cannot add '${m}'..`, i);
        ip = m;
        methods.push(m);
      } else {
        return fail(p, `'init-addr' : unknown init-addr method '${m}', supported methods are 'libc', 'last', 'none'..`, i);
      }
    }
    p.target.initAddr = methods;
    return i + 2;
  },
  'send-proxy': flag((t) => (t.sendProxy = 1)),
  'send-proxy-v2': flag((t) => (t.sendProxy = 2)),
  'no-send-proxy': flag((t) => {
    if (t.sendProxy === 1) t.sendProxy = 0;
  }),
  'no-send-proxy-v2': flag((t) => {
    if (t.sendProxy === 2) t.sendProxy = 0;
  }),
  // they imply send-proxy-v2 (SRV_PP_V2 | SRV_PP_V2_SSL [| SRV_PP_V2_SSL_CN])
  'send-proxy-v2-ssl': flag((t) => {
    t.sendProxy = 2;
    t.proxyV2Ssl = Math.max(t.proxyV2Ssl ?? 0, 1) as 1 | 2;
  }),
  'send-proxy-v2-ssl-cn': flag((t) => {
    t.sendProxy = 2;
    t.proxyV2Ssl = 2;
  }),
  'no-send-proxy-v2-ssl': flag((t) => {
    t.proxyV2Ssl = 0;
  }),
  'no-send-proxy-v2-ssl-cn': flag((t) => {
    if (t.proxyV2Ssl === 2) t.proxyV2Ssl = 1;
  }),
  cookie(p, i) {
    const err = parseServerCookie(p.c, i, p.target);
    return err === null ? i + 2 : fail(p, err, i);
  },
  // srv_parse_observe / _error_limit / _on_error / _on_marked_down / _on_marked_up / _slowstart (src/server.c)
  observe(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'observe' expects <mode> as argument..`, i);
    if (v === 'none') delete p.target.observe;
    else if (v === 'layer4') p.target.observe = 'layer4';
    else if (v === 'layer7') {
      if (p.c.proxy.mode !== 'http') return fail(p, `'layer7' can only be used in http proxies..`, i);
      p.target.observe = 'layer7';
    } else return fail(p, `'observe' expects one of 'none', 'layer4', 'layer7' but got '${v}'.`, i);
    return i + 2;
  },
  'error-limit'(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'error-limit' expects an integer argument..`, i);
    const n = atol(v);
    if (n <= 0) return fail(p, `error-limit has to be > 0..`, i);
    p.target.errorLimit = n;
    return i + 2;
  },
  'on-error'(p, i) {
    const v = p.c.arg(i + 1);
    if (!ON_ERROR.has(v)) return fail(p, `'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${v}'.`, i);
    p.target.onError = v as ServerOnError;
    return i + 2;
  },
  'on-marked-down'(p, i) {
    const v = p.c.arg(i + 1);
    if (v !== 'shutdown-sessions') return fail(p, `'on-marked-down' expects 'shutdown-sessions' but got '${v}'.`, i);
    p.target.onMarkedDown = v;
    return i + 2;
  },
  'on-marked-up'(p, i) {
    const v = p.c.arg(i + 1);
    if (v !== 'shutdown-backup-sessions') return fail(p, `'on-marked-up' expects 'shutdown-backup-sessions' but got '${v}'.`, i);
    p.target.onMarkedUp = v;
    return i + 2;
  },
  slowstart(p, i) {
    const v = p.c.arg(i + 1);
    const t = parseTime(v);
    if (!t.ok) {
      if ('badChar' in t) return fail(p, `unexpected character '${t.badChar}' in 'slowstart' argument of server ${p.name}..`, i);
      return fail(p, `overflow in argument <${v}> to <slowstart> of server ${p.name}, maximum value is 2147483647 ms (~24.8 days)..`, i);
    }
    // stored in seconds, rounded up (a bare "slowstart" with no value is 0: none)
    p.target.slowstart = Math.floor((t.ms + 999) / 1000);
    return i + 2;
  },
  port(p, i) {
    const v = p.c.arg(i + 1);
    if (v === '') return fail(p, `'port' expects a port number as argument.`, i);
    const n = atol(v);
    if (n < 0 || n > 65535) return fail(p, `'port' : invalid port number '${v}'.`, i);
    p.target.checkPort = n;
    return i + 2;
  },
};

// Applies the keywords from index `start` on; stops at the first error, as HAProxy does.
function parseKeywords(p: ServerParse, start: number): boolean {
  let i = start;
  while (i < p.c.count) {
    const kw = p.c.arg(i);
    if (SERVER_SSL_KEYWORDS.has(kw)) {
      const r = parseServerSslOption(p.c, i, p.target, (expr) => {
        return compileSampleExpr(expr, p.c.sampleScope);
      });
      if ('error' in r) {
        fail(p, r.error, i);
        return false;
      }
      i = r.next;
      continue;
    }
    const h = HANDLERS[kw];
    if (h) {
      const next = h(p, i);
      if (next === 'stop') return false;
      i = next;
      continue;
    }
    const nargs = SERVER_KEYWORDS[kw];
    if (nargs !== undefined) {
      p.c.unsupported(`${p.prefix}'${kw}'`, { form: 'bracket', at: p.c.word(i) });
      i += 1 + Math.max(0, nargs);
      continue;
    }
    const hint = didYouMean(kw, Object.keys(SERVER_KEYWORDS));
    if (p.isDefault) {
      // HAProxy appends its own hint after the suggestion here, so the whole text stays in the message.
      const tail = ' Hint: no address was expected for this server.';
      p.c.alert(hint ? `unknown keyword '${kw}'; ${hint}${tail}` : `unknown keyword '${kw}'.${tail}`, { form: 'bracket', at: p.c.word(i) });
    } else if (hint) {
      p.c.alert(`${p.prefix}unknown keyword '${kw}'`, { form: 'bracket', at: p.c.word(i), hint });
    } else {
      p.c.alert(`${p.prefix}unknown keyword '${kw}'.`, { form: 'bracket', at: p.c.word(i) });
    }
    return false;
  }
  return true;
}

// A server line in a frontend is an alert; HAProxy prints its location twice there, and so do we.
function notBackend(c: ProxyLineContext): boolean {
  if (c.hasBackend) return false;
  const { file, line } = c.loc;
  c.alert(`parsing [${file}:${line}] : '${c.arg(0)}' not allowed because ${c.proxyType} '${c.proxy.name}' has no backend capability.`, {
    form: 'bracket',
  });
  return true;
}

// "server NAME ADDR[:PORT] [keywords...]"
export function parseServer(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'server' not allowed in 'defaults' section.`, { form: 'bracket' });
    return;
  }
  if (notBackend(c)) return;
  if (c.arg(1) === '' || c.arg(2) === '') {
    c.alert(`'server' expects <name> and <addr>[:<port>] as arguments.`, { form: 'bracket' });
    return;
  }
  const name = c.arg(1);
  const bad = /[^A-Za-z0-9_.:-]/.exec(name);
  if (bad) {
    c.alert(`character '${bad[0]}' is not permitted in server name '${name}'.`, { form: 'bracket' });
    return;
  }
  addServer(c, name, 2);
}

// "server-template PREFIX NUM|LOW-HIGH ADDR[:PORT] [keywords...]": servers PREFIX<n> for n in the range, alike
// but for their names (their addresses usually come from a resolvers section).
export function parseServerTemplate(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'server-template' not allowed in 'defaults' section.`, { form: 'bracket' });
    return;
  }
  if (notBackend(c)) return;
  if (c.arg(3) === '') {
    c.alert(`'${c.arg(0)}' expects <prefix> <nb | range> <addr>[:<port>] as arguments.`, { form: 'bracket' });
    return;
  }
  const prefix = c.arg(1);
  const bad = /[^A-Za-z0-9_.:-]/.exec(prefix);
  if (bad) {
    c.alert(`character '${bad[0]}' is not permitted in ${c.arg(0)} prefix '${prefix}'.`, { form: 'bracket' });
    return;
  }
  // _srv_parse_tmpl_range(): "N" is 1..N, "A-B" is A..B
  const range = c.arg(2);
  const dash = range.indexOf('-');
  let low = Number.parseInt(range, 10) || 0;
  const high = dash >= 0 ? Number.parseInt(range.slice(dash + 1), 10) || 0 : low;
  if (dash < 0) low = 1;
  if (low < 0 || high < low) {
    c.alert(`Wrong ${c.arg(0)} number or range arg '${range}'.`, { form: 'bracket' });
    return;
  }
  for (let n = low; n <= high; n++) {
    if (!addServer(c, `${prefix}${n}`, 3)) return;
  }
}

// One server named `name` from the address at word `addrAt` and the keywords after it; false on an error.
function addServer(c: ProxyLineContext, name: string, addrAt: number): boolean {
  const prefix = `'server ${c.proxy.name}/${name}' : `;
  const addrText = c.arg(addrAt);
  const a = parseAddress(addrText, { keyword: 'server', portRequired: false, allowPortZero: true, env: c.state.env });
  let host = '';
  let port = 0;
  if (!a.ok) {
    if ('unsupported' in a) {
      c.unsupported(`${prefix}${a.unsupported}`, { form: 'bracket', at: c.word(addrAt) });
      return false;
    }
    const message = a.badHost !== undefined ? `could not resolve address '${a.badHost}'.` : a.error;
    c.alert(`${prefix}${message}`, { form: 'bracket', at: c.word(addrAt) });
    return false;
  } else {
    host = a.host ?? '0.0.0.0';
    port = a.port;
  }
  const target: Target = { ...c.proxy.defaultServer };
  const ok = parseKeywords({ c, prefix, name, target, isDefault: false }, addrAt + 1);
  if (!ok) return false;
  if (target.agentCheck && !target.agentPort) {
    c.alert(`${prefix}server ${name} does not have agent port. Agent check has been disabled.`, { form: 'bracket' });
    return false;
  }
  finishServerTls(c, target);
  const draft: ServerDraft = { ...target, name, host, port, loc: c.loc, ...(a.family === 'host' && a.host ? { fqdn: a.host } : {}) };
  c.proxy.servers.push(draft);
  return true;
}

// "default-server [keywords...]": later server lines in this section start from these settings.
export function parseDefaultServer(c: ProxyLineContext): void {
  if (notBackend(c)) return;
  const target: Target = { ...c.proxy.defaultServer };
  const ok = parseKeywords({ c, prefix: '', name: '', target, isDefault: true }, 1);
  if (!ok) return;
  const { id: _id, idLoc: _idLoc, ...defaults } = target;
  c.proxy.defaultServer = defaults;
}
