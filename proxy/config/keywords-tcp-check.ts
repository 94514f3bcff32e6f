// "tcp-check ..." lines and the protocol check options (option tcp-check, redis-check, smtpchk, pgsql-check,
// mysql-check, ldap-check, ssl-hello-chk), worded as src/tcpcheck.c words its errors:
// "'tcp-check expect' : <reason>." after HAProxy's "parsing [file:line] : " prefix.
import type { ProxyLineContext } from './context.ts';
import type { TcpCheckExpectType, TcpCheckRuleSpec, TcpCheckSpec } from './model.ts';
import { parseAddress } from './address.ts';
import { atol } from './units.ts';

const EXPECT_TYPES: readonly TcpCheckExpectType[] = ['string', 'rstring', 'binary', 'rbinary', 'string-lf', 'binary-lf'];
const SEND_TYPES = ['send', 'send-lf', 'send-binary', 'send-binary-lf'] as const;
const OK_STATUSES = { L7OK: 'L7OK', L7OKC: 'L7OKC', L6OK: 'L6OK', L4OK: 'L4OK' } as const;
const ERR_STATUSES = { L7RSP: 'L7RSP', L7STS: 'L7STS', L7OKC: 'L7OKC', L6RSP: 'L6RSP', L4CON: 'L4CON' } as const;
const TOUT_STATUSES = { L7TOUT: 'L7TOUT', L6TOUT: 'L6TOUT', L4TOUT: 'L4TOUT' } as const;

type Parsed = TcpCheckRuleSpec | { error: string } | { unsupported: string };

function lookup(table: Readonly<Record<string, string>>, v: string): string | undefined {
  return table[v.toUpperCase()];
}

// "tcp-check connect [default] [port N] [addr A] [send-proxy] [via-socks4] [ssl] [sni S] [alpn A] [proto P] [linger] [comment C]"
function parseConnect(c: ProxyLineContext): Parsed {
  let port: number | undefined;
  let addr: string | undefined;
  let linger = false;
  let comment: string | undefined;
  for (let i = 2; i < c.count; i++) {
    const a = c.arg(i);
    const v = c.arg(i + 1);
    if (a === 'default' || a === 'linger') {
      if (a === 'linger') linger = true;
    } else if (a === 'comment') {
      if (v === '') return { error: `'${a}' expects a string as argument.` };
      comment = v;
      i++;
    } else if (a === 'port') {
      if (v === '') return { error: `'${a}' expects a port number or a sample expression as argument.` };
      const n = atol(v);
      if (n <= 0 || n > 65535 || !/^\d+$/.test(v)) return { unsupported: `'tcp-check connect port ${v}'` };
      port = n;
      i++;
    } else if (a === 'addr') {
      if (v === '') return { error: `'${a}' expects an address as argument.` };
      const p = parseAddress(v, { keyword: 'addr', portRequired: false, allowPortZero: true, env: c.state.env });
      if (!p.ok) return 'unsupported' in p ? { unsupported: `'tcp-check connect addr ${v}'` } : { error: `'${a}' : ${p.error}` };
      if (p.host !== null) addr = p.host;
      if (p.portGiven && p.port) port = p.port;
      i++;
    } else if (['send-proxy', 'via-socks4', 'ssl'].includes(a)) {
      return { unsupported: `'tcp-check connect ${a}'` };
    } else if (['sni', 'alpn', 'proto'].includes(a)) {
      return { unsupported: `'tcp-check connect ${a}'` };
    } else {
      return {
        error: `expects 'comment', 'port', 'addr', 'send-proxy', 'via-socks4', 'ssl', 'sni', 'alpn', 'proto', 'linger' or 'default' but got '${a}' as argument`,
      };
    }
  }
  return { kind: 'connect', linger, loc: c.loc, ...(port !== undefined ? { port } : {}), ...(addr !== undefined ? { addr } : {}), ...(comment !== undefined ? { comment } : {}) };
}

// "tcp-check send|send-lf|send-binary|send-binary-lf DATA [comment C]"
function parseSend(c: ProxyLineContext): Parsed {
  const type = c.arg(1) as (typeof SEND_TYPES)[number];
  const data = c.arg(2);
  if (data === '') return { error: `'${type}' expects a ${type.includes('binary') ? 'binary string' : 'string'} as argument` };
  let comment: string | undefined;
  for (let i = 3; i < c.count; i++) {
    const a = c.arg(i);
    if (a !== 'comment') return { error: `expects 'comment' but got '${a}' as argument` };
    if (c.arg(i + 1) === '') return { error: `'${a}' expects a string as argument.` };
    comment = c.arg(++i);
  }
  if (type === 'send-binary' && !/^([0-9a-fA-F]{2})*$/.test(data)) return { error: `'${type}' invalid binary string (${data}).` };
  return { kind: 'send', type, data, loc: c.loc, ...(comment !== undefined ? { comment } : {}) };
}

// "tcp-check expect [min-recv N] [!] TYPE PATTERN [ok-status S] [error-status S] [tout-status S]
//  [on-success FMT] [on-error FMT] [status-code EXPR] [comment C]"
function parseExpect(c: ProxyLineContext): Parsed {
  if (c.arg(2) === '') return { error: 'expects at least a matching pattern as arguments' };
  let type: TcpCheckExpectType | undefined;
  let pattern = '';
  let inverse = false;
  let minRecv = -1;
  const out: { okStatus?: string; errorStatus?: string; toutStatus?: string; onSuccess?: string; onError?: string; comment?: string } = {};
  for (let i = 2; i < c.count; i++) {
    let a = c.arg(i);
    if (a.startsWith('!')) {
      while (a.startsWith('!')) {
        inverse = !inverse;
        a = a.slice(1);
      }
      if (a === '') a = c.arg(++i);
      if (!EXPECT_TYPES.includes(a as TcpCheckExpectType)) {
        if (['min-recv', 'comment', 'on-success', 'on-error', 'ok-status', 'error-status', 'tout-status', 'status-code'].includes(a)) return { error: `[!] not supported with '${a}'` };
      }
    }
    const v = c.arg(i + 1);
    if (EXPECT_TYPES.includes(a as TcpCheckExpectType)) {
      if (type) return { error: 'only on pattern expected' };
      if (v === '') return { error: `'${a}' expects a <pattern> as argument` };
      type = a as TcpCheckExpectType;
      pattern = v;
      if (type === 'binary' && !/^([0-9a-fA-F]{2})*$/.test(v)) return { error: `'${a}' invalid binary string (${v}).` };
      if (type === 'rstring' || type === 'rbinary') {
        try {
          new RegExp(v);
        } catch (e) {
          return { error: `'${a}' invalid regex (${(e as Error).message}).` };
        }
      }
      i++;
    } else if (a === 'min-recv') {
      if (v === '') return { error: `'${a}' expects a integer as argument` };
      minRecv = atol(v);
      if (minRecv < -1) return { error: `'${a}' expects -1 or an integer from 0 to INT_MAX` };
      i++;
    } else if (a === 'ok-status' || a === 'error-status' || a === 'tout-status') {
      if (v === '') return { error: `'${a}' expects a string as argument` };
      const [table, words] =
        a === 'ok-status'
          ? [OK_STATUSES, "'L4OK', 'L6OK', 'L7OK' or 'L7OKC'"]
          : a === 'error-status'
            ? [ERR_STATUSES, "'L4CON', 'L6RSP', 'L7RSP' or 'L7STS'"]
            : [TOUT_STATUSES, "'L4TOUT', 'L6TOUT' or 'L7TOUT'"];
      const st = lookup(table, v);
      if (!st) return { error: `'${a}' only supports ${words} status (got '${v}').` };
      out[a === 'ok-status' ? 'okStatus' : a === 'error-status' ? 'errorStatus' : 'toutStatus'] = st;
      i++;
    } else if (a === 'on-success' || a === 'on-error' || a === 'comment') {
      if (v === '') return { error: `'${a}' expects a string as argument` };
      out[a === 'on-success' ? 'onSuccess' : a === 'on-error' ? 'onError' : 'comment'] = v;
      i++;
    } else if (a === 'status-code') {
      return { unsupported: `'tcp-check expect ... status-code'` };
    } else {
      return {
        error: `'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '${a}' as argument.`,
      };
    }
  }
  if (!type) return { error: 'pattern not found' };
  return { kind: 'expect', type, pattern, inverse, minRecv, loc: c.loc, ...(out as object) } as TcpCheckRuleSpec;
}

// One "tcp-check" line: appended to this section's own rules (a section with none uses its defaults' rules).
export function parseTcpCheck(c: ProxyLineContext): void {
  if (c.notCap('backend', 'tcp-check')) return;
  const sub = c.arg(1);
  let r: Parsed;
  if (sub === 'connect') r = parseConnect(c);
  else if ((SEND_TYPES as readonly string[]).includes(sub)) r = parseSend(c);
  else if (sub === 'expect') r = parseExpect(c);
  else if (sub === 'comment') r = c.arg(2) === '' ? { error: `'comment' expects a string as argument.` } : { kind: 'comment', text: c.arg(2), loc: c.loc };
  else if (/^(set-var|set-var-fmt|unset-var)\(/.test(sub)) r = { unsupported: `'tcp-check ${sub.replace(/\(.*/, '(*)')}'` };
  else {
    c.alert(`'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '${sub}'`);
    return;
  }
  if ('error' in r) {
    // HAProxy adds a '.' even after messages that end with one
    c.alert(`'tcp-check ${sub}' : ${r.error}.`);
    return;
  }
  if ('unsupported' in r) {
    c.unsupported(r.unsupported);
    return;
  }
  c.proxy.tcpCheckRules = [...(c.proxy.tcpCheckOwnRules ? c.proxy.tcpCheckRules : []), r];
  c.proxy.tcpCheckOwnRules = true;
}

// "option tcp-check|redis-check|ssl-hello-chk|ldap-check|smtpchk [EHLO|HELO domain]|pgsql-check user U|
// mysql-check [user U [post-41|pre-41]]": the backend's check becomes that ruleset (the last option wins).
export function parseCheckOption(c: ProxyLineContext, name: string): void {
  if (c.notCap('backend', name)) return;
  let spec: TcpCheckSpec;
  switch (name) {
    case 'tcp-check':
    case 'redis-check':
    case 'ssl-hello-chk':
    case 'ldap-check':
      if (c.tooManyArgs(0, 1)) return;
      spec = name === 'tcp-check' ? { kind: 'tcp-check', rules: [] } : { kind: name };
      break;
    case 'smtpchk': {
      if (c.tooManyArgs(2, 1)) return;
      const verb = c.arg(2);
      const domain = c.arg(3);
      spec = { kind: 'smtpchk', command: domain !== '' && (verb === 'EHLO' || verb === 'HELO') ? `${verb} ${domain}` : 'HELO localhost' };
      break;
    }
    case 'pgsql-check':
      if (c.tooManyArgs(2, 1)) return;
      if (c.arg(2) === '' || c.arg(3) === '' || c.arg(2) !== 'user') {
        c.alert(`'${c.arg(0)} ${c.arg(1)}' ${c.arg(2) === '' || c.arg(3) === '' ? 'expects <user> <username> as argument.' : 'only supports optional values: \'user\'.'}`);
        return;
      }
      spec = { kind: 'pgsql-check', user: c.arg(3) };
      break;
    case 'mysql-check': {
      if (c.tooManyArgs(3, 1)) return;
      if (c.arg(2) === '') {
        spec = { kind: 'mysql-check', post41: true };
        break;
      }
      if (c.arg(2) !== 'user') {
        c.alert(`'${c.arg(0)} ${c.arg(1)}' only supports optional values: 'user' (got '${c.arg(2)}').`);
        return;
      }
      if (c.arg(3) === '') {
        c.alert(`'${c.arg(0)} ${c.arg(1)} ${c.arg(2)}' expects <username> as argument.`);
        return;
      }
      const ver = c.arg(4);
      if (ver !== '' && ver !== 'post-41' && ver !== 'pre-41') {
        c.alert(`'${c.arg(2)}' only supports 'post-41' and 'pre-41' (got '${ver}').`);
        return;
      }
      spec = { kind: 'mysql-check', user: c.arg(3), post41: ver !== 'pre-41' };
      break;
    }
    default:
      return;
  }
  delete c.proxy.options.httpchk;
  c.proxy.options.tcpCheck = spec;
}
