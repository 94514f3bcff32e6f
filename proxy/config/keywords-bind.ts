// "bind ADDR[,ADDR...] [options]" (src/cfgparse-listen.c, src/listener.c bind keywords).
import type { ProxyLineContext } from './context.ts';
import type { BindSpec } from './model.ts';
import { expandAddressEnv, parseAddress } from './address.ts';
import { isInheritedFd, parseInheritedFd } from './inherited-fd.ts';
import { BIND_KEYWORDS } from './known-keywords.ts';
import { didYouMean } from './suggest.ts';
import { finishBindTls, newBindTlsDraft, parseBindSslOption } from './keywords-ssl.ts';

/** Bind options that change nothing the lab models, accepted quietly as HAProxy accepts them. */
const HARMLESS = new Set(['name', 'id', 'v4v6', 'v6only', 'backlog', 'nice', 'tfo', 'defer-accept', 'mss', 'thread', 'shards']);

export function parseBind(c: ProxyLineContext): void {
  if (c.isDefaults) {
    c.alert(`'bind' not allowed in 'defaults' section.`);
    return;
  }
  if (c.notCap('frontend', 'bind')) return;
  const spec = c.arg(1);
  if (spec === '') {
    c.alert(`'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.`);
    return;
  }
  const binds: BindSpec[] = [];
  for (const text of spec.split(',')) {
    const expanded = expandAddressEnv(text, c.state.env);
    if (isInheritedFd(expanded)) {
      const f = parseInheritedFd(expanded);
      if (!f.ok) {
        c.alert(`'bind' : ${f.error}`, { at: c.word(1) });
        return;
      }
      binds.push({ host: null, port: 0, fd: f.fd, loc: c.word(1)!.loc, text });
      continue;
    }
    const a = parseAddress(text, { keyword: 'bind', portRequired: true, allowPortZero: false, env: c.state.env });
    if (!a.ok) {
      if ('unsupported' in a) c.unsupported(`'bind ${spec}' : ${a.unsupported}`, { at: c.word(1) });
      else c.alert(`'bind' : ${a.error}`, { at: c.word(1) });
      return;
    }
    // The lab listens on loopback; a name other than localhost would need a resolver HAProxy would consult.
    if (a.family === 'host' && a.host !== 'localhost') {
      c.alert(`'bind' : invalid address: '${a.host}' in '${text}'`, { at: c.word(1) });
      return;
    }
    binds.push({ host: a.host, port: a.port, loc: c.word(1)!.loc, text });
  }
  const where = `'bind ${spec}' in section '${c.proxyType}'`;
  const tls = newBindTlsDraft();
  let acceptProxy = false;
  for (let i = 2; i < c.count; i++) {
    const kw = c.arg(i);
    if (kw === 'accept-proxy') {
      acceptProxy = true;
      continue;
    }
    const sslNext = parseBindSslOption(c, i, tls, where);
    if (sslNext === 'stop') return;
    if (sslNext !== null) {
      i = sslNext - 1;
      continue;
    }
    const nargs = BIND_KEYWORDS[kw];
    if (nargs === undefined) {
      const hint = didYouMean(kw, Object.keys(BIND_KEYWORDS));
      if (hint) c.alert(`${where}: unknown keyword '${kw}'`, { at: c.word(i), hint });
      else c.alert(`${where}: unknown keyword '${kw}'.`, { at: c.word(i) });
      return;
    }
    if (nargs > 0 && i + nargs >= c.count) {
      c.alert(`${where} : '${kw}' : missing value`, { at: c.word(i) });
      return;
    }
    if (kw === 'process') {
      c.warn(`${where} : 'process ${c.arg(i + 1)}' on 'bind' lines is deprecated and will be removed in 2.7.`, { at: c.word(i) });
    } else if (!HARMLESS.has(kw)) {
      c.unsupported(`${where} : '${kw}'`, { at: c.word(i) });
    }
    i += Math.max(0, nargs);
  }
  const ssl = finishBindTls(tls, c.state.global.ssl);
  c.proxy.binds.push(...binds.map((b) => ({ ...b, ...(ssl ? { ssl } : {}), ...(acceptProxy ? { acceptProxy } : {}) })));
}
