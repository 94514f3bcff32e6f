// Cookie persistence keywords (src/cfgparse-listen.c): "cookie", "dynamic-cookie-key", "force-persist" and
// "ignore-persist", with HAProxy's checks and wording; and the dynamic server cookies made once parsing is done.
import net from 'node:net';
import type { ProxyLineContext } from './context.ts';
import type { ProxyDraft } from './draft.ts';
import type { CookieSpec, ServerSpec } from './model.ts';
import { readCondition, sentence } from './rule-condition.ts';
import { parseTime } from './units.ts';
import { xxh64 } from '../http/xxh64.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// invalid_domainchar(): letters, digits, '-', '.' and '_'.
const DOMAIN_BAD = /[^A-Za-z0-9._-]/;

// maxidle/maxlife take seconds unless a unit says otherwise (parse_time_err with TIME_UNIT_S).
function seconds(c: ProxyLineContext, i: number, what: string): number | null {
  const v = c.arg(i + 1);
  const kw = c.arg(i);
  if (v === '') {
    c.alert(`'${kw}' expects <${what}> in seconds as argument.`, { form: 'parsing-tight' });
    return null;
  }
  const r = parseTime(/^\d+$/.test(v) ? `${v}s` : v);
  if (!r.ok) {
    if ('badChar' in r) c.alert(`unexpected character '${r.badChar}' in argument to <${kw}>.`, { form: 'parsing-tight' });
    else c.alert(`timer overflow in argument <${v}> to <${kw}>, maximum value is 2147483647 s (~68 years).`, { form: 'parsing-tight' });
    return null;
  }
  if (r.ms > 0 && r.ms < 1000) {
    c.alert(`timer underflow in argument <${v}> to <${kw}>, minimum non-null value is 1 s.`, { form: 'parsing-tight' });
    return null;
  }
  return Math.floor(r.ms / 1000);
}

export function parseCookie(c: ProxyLineContext): void {
  c.notCap('backend', 'cookie');
  if (c.arg(1) === '') {
    c.alert(`'cookie' expects <cookie_name> as argument.`);
    return;
  }
  const ck: Mutable<CookieSpec> = {
    name: c.arg(1), mode: 'passive', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false,
    secure: false, dynamic: false, maxidle: 0, maxlife: 0, loc: c.loc,
  };
  // HAProxy sets bits and checks the combination afterwards: "insert rewrite" is an error, not a last-wins
  const modes = new Set<CookieSpec['mode']>();
  for (let i = 2; i < c.count; i++) {
    const w = c.arg(i);
    if (w === 'rewrite' || w === 'insert' || w === 'prefix') modes.add(w);
    else if (w === 'indirect') ck.indirect = true;
    else if (w === 'nocache') ck.nocache = true;
    else if (w === 'postonly') ck.postonly = true;
    else if (w === 'preserve') ck.preserve = true;
    else if (w === 'httponly') ck.httponly = true;
    else if (w === 'secure') ck.secure = true;
    else if (w === 'dynamic') ck.dynamic = true;
    else if (w === 'domain') {
      const d = c.arg(i + 1);
      if (d === '') {
        c.alert(`'domain' expects <domain> as argument.`, { form: 'parsing-tight' });
        return;
      }
      if (!d.includes('.')) {
        c.warn(`domain '${d}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).`, { form: 'parsing-tight' });
      }
      const bad = DOMAIN_BAD.exec(d);
      if (bad) {
        c.alert(`character '${bad[0]}' is not permitted in domain name '${d}'.`, { form: 'parsing-tight' });
        return;
      }
      ck.domain = ck.domain === undefined ? d : `${ck.domain}; domain=${d}`;
      i++;
    } else if (w === 'maxidle' || w === 'maxlife') {
      const s = seconds(c, i, w === 'maxidle' ? 'idletime' : 'lifetime');
      if (s === null) return;
      ck[w] = s;
      i++;
    } else if (w === 'attr') {
      const v = c.arg(i + 1);
      if (v === '') {
        c.alert(`'attr' expects <value> as argument.`, { form: 'parsing-tight' });
        return;
      }
      const bad = [...v].find((ch) => ch === ';' || ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);
      if (bad !== undefined) {
        c.alert(`character '%x${bad.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}' is not permitted in attribute value.`, { form: 'parsing-tight' });
        return;
      }
      ck.attrs = ck.attrs === undefined ? v : `${ck.attrs}; ${v}`;
      i++;
    } else {
      c.alert(`'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.`);
      return;
    }
  }
  let bad = false;
  if (modes.has('rewrite') && ck.indirect) {
    c.alert(`cookie 'rewrite' and 'indirect' modes are incompatible.`);
    bad = true;
  }
  if (modes.size > 1) {
    c.alert(`cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.`);
    bad = true;
  }
  if (ck.preserve && !modes.has('insert') && !ck.indirect) {
    c.alert(`cookie 'preserve' requires at least 'insert' or 'indirect'.`);
    bad = true;
  }
  if (bad) return;
  ck.mode = [...modes][0] ?? 'passive';
  c.proxy.cookie = ck;
}

export function parseDynamicCookieKey(c: ProxyLineContext): void {
  c.notCap('backend', 'dynamic-cookie-key');
  if (c.arg(1) === '') {
    c.alert(`'dynamic-cookie-key' expects <secret_key> as argument.`);
    return;
  }
  c.proxy.dynamicCookieKey = c.arg(1);
}

// "force-persist if COND" / "ignore-persist if COND"
export function parsePersistRule(c: ProxyLineContext): void {
  const kw = c.arg(0);
  if (c.isDefaults) {
    c.alert(`'${kw}' not allowed in 'defaults' section.`);
    return;
  }
  c.notCap('backend', kw);
  if (c.arg(1) !== 'if' && c.arg(1) !== 'unless') {
    c.alert(`'${kw}' requires either 'if' or 'unless' followed by a condition.`);
    return;
  }
  const r = readCondition(c, 1, { front: 'backend tcp-request content', back: 'backend tcp-request content' });
  if (!r.ok || !r.cond) {
    c.alert(`error detected while parsing a '${kw}' rule : ${'error' in r ? sentence(r.error) : 'missing condition.'}`);
    return;
  }
  c.proxy.persistRules.push({ kind: kw === 'force-persist' ? 'force' : 'ignore', cond: r.cond, loc: c.loc });
}

// "server ... cookie VALUE" (also on default-server).
export function parseServerCookie(c: ProxyLineContext, i: number, target: { cookie?: string }): string | null {
  const v = c.arg(i + 1);
  if (v === '') return `'${c.arg(i)}' expects <value> as argument..`;
  target.cookie = v;
  return null;
}

/**
 * "cookie ... dynamic" with a "dynamic-cookie-key": servers without a cookie of their own are named by XXH64 of the
 * key, their address and port (srv_set_dyncookie), so every load balancer sharing the key agrees.
 */
export function withDynamicCookies(p: ProxyDraft, servers: ServerSpec[]): ServerSpec[] {
  const key = p.dynamicCookieKey;
  if (!p.cookie?.dynamic || key === undefined) return servers;
  return servers.map((s) => {
    if (s.cookie !== undefined) return s;
    const v = dynamicCookie(key, s.host, s.port);
    return v === null ? s : { ...s, cookie: v };
  });
}

export function dynamicCookie(key: string, host: string, port: number): string | null {
  const family = net.isIP(host);
  if (family === 0) return null;
  const addr = family === 4 ? Buffer.from(host.split('.').map(Number)) : ipv6Bytes(host);
  const portBytes = Buffer.alloc(4);
  portBytes.writeUInt32BE(port);
  const data = Buffer.concat([Buffer.from(key, 'latin1'), addr, portBytes]);
  return xxh64(data).toString(16).padStart(16, '0');
}

function ipv6Bytes(host: string): Buffer {
  const sl = new net.SocketAddress({ address: host, family: 'ipv6' });
  const [head = '', tail = ''] = sl.address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = sl.address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(Number.parseInt(g, 16) || 0, k * 2));
  return out;
}
