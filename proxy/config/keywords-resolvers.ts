// "resolvers NAME" sections (src/resolvers.c cfg_parse_resolvers, resolvers_new): nameserver, parse-resolv-conf,
// accepted_payload_size, hold, resolve_retries, timeout resolve|retry, with HAProxy's defaults and wording.
import { readFileSync } from 'node:fs';
import type { LineContext } from './context.ts';
import type { ResolversSpec } from './model.ts';
import type { SourceLoc } from './diagnostics.ts';
import { isIpv4, isIpv6, parseAddress } from './address.ts';
import { parseTime } from './units.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? { -readonly [J in keyof T[K]]: T[K][J] } : T[K] };
export type ResolversDraft = Mutable<Omit<ResolversSpec, 'nameservers'>> & { nameservers: ResolversSpec['nameservers'][number][] };

/** Where parse-resolv-conf reads its name servers (HAProxy reads /etc/resolv.conf; tests may point elsewhere). */
export const RESOLV_CONF = { path: '/etc/resolv.conf' };

// resolvers_new(): a section with HAProxy's defaults.
export function newResolvers(name: string, loc: SourceLoc): ResolversDraft {
  return {
    name,
    loc,
    nameservers: [],
    parseResolvConf: false,
    acceptedPayloadSize: 512,
    resolveRetries: 3,
    timeoutResolve: 1000,
    timeoutRetry: 1000,
    hold: { nx: 30000, other: 30000, refused: 30000, timeout: 30000, valid: 10000, obsolete: 0 },
  };
}

// Reads a time argument; reports HAProxy's message and returns undefined when it is not one.
function time(c: LineContext, text: string, what: string): number | undefined {
  const t = parseTime(text);
  if (t.ok) {
    if (t.ms === 0 && text !== '0') {
      c.alert(`timer underflow in argument <${text}> to <${what}>, minimum non-null value is 1 ms.`, { form: 'parsing-tight' });
      return undefined;
    }
    return t.ms;
  }
  if ('overflow' in t) c.alert(`timer overflow in argument <${text}> to <${what}>, maximum value is 2147483647 ms (~24.8 days).`, { form: 'parsing-tight' });
  else c.alert(`unexpected character '${t.badChar}' in argument to <${what}>.`, { form: 'parsing-tight' });
  return undefined;
}

// parse-resolv-conf: every "nameserver ADDR" line, named by its address, on port 53.
function readResolvConf(c: LineContext, r: ResolversDraft): void {
  let text: string;
  try {
    text = readFileSync(RESOLV_CONF.path, 'utf8');
  } catch (e) {
    c.alert(`failed to open /etc/resolv.conf: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}.`, { form: 'parsing-tight' });
    return;
  }
  text.split('\n').forEach((line, i) => {
    if (!line.startsWith('nameserver')) return;
    const address = line.slice(10).trim().split(/\s+/)[0] ?? '';
    if (!/^\s/.test(line.slice(10))) return;
    const at = `/etc/resolv.conf:${i + 1}`;
    if (address === '') {
      c.warn(`parsing [${at}] : nameserver line is missing address.`, { form: 'plain' });
      return;
    }
    const dup = r.nameservers.find((n) => n.name === address);
    if (dup) {
      c.warn(`Parsing [${at}] : generated name for /etc/resolv.conf nameserver '${address}' conflicts with another nameserver (declared at ${dup.loc.file}:${dup.loc.line}), it appears to be a duplicate and will be excluded.`, { form: 'plain' });
      return;
    }
    if (!isIpv4(address) && !isIpv6(address)) {
      c.warn(`parsing [${at}] : address '${address}' could not be recognized, nameserver will be excluded.`, { form: 'plain' });
      return;
    }
    r.nameservers.push({ name: address, host: address, port: 53, loc: c.loc });
  });
}

// One line of a resolvers section.
export function parseResolversLine(c: LineContext, r: ResolversDraft): void {
  const kw = c.arg(0);
  switch (kw) {
    case 'nameserver': {
      const name = c.arg(1);
      if (name === '' || c.arg(2) === '') {
        c.alert(`'${kw}' expects <name> and <addr>[:<port>] as arguments.`);
        return;
      }
      const bad = /[^A-Za-z0-9_.:-]/.exec(name);
      if (bad) {
        c.alert(`character '${bad[0]}' is not permitted in server name '${name}'.`);
        return;
      }
      const dup = r.nameservers.find((n) => n.name === name);
      if (dup) {
        c.alert(`Parsing [${c.loc.file}:${c.loc.line}]: nameserver '${name}' has same name as another nameserver (declared at ${dup.loc.file}:${dup.loc.line}).`, { form: 'plain' });
        return;
      }
      const a = parseAddress(c.arg(2), { keyword: kw, portRequired: false, allowPortZero: false, env: c.state.env });
      if (!a.ok) {
        if ('unsupported' in a) c.unsupported(`'nameserver ${name}' with ${a.unsupported}`);
        else c.alert(`'${kw} ${name}' : ${a.error}`);
        return;
      }
      if (a.family === 'host') {
        c.alert(`'${kw} ${name}' : invalid address: '${c.arg(2)}'`);
        return;
      }
      const stream = /^tcp[46]?@/.test(c.arg(2));
      r.nameservers.push({ name, host: a.host ?? '127.0.0.1', port: a.portGiven ? a.port : 53, loc: c.loc, ...(stream ? { stream } : {}) });
      return;
    }
    case 'parse-resolv-conf':
      r.parseResolvConf = true;
      readResolvConf(c, r);
      return;
    case 'hold': {
      const event = c.arg(1);
      if (event === '' || c.arg(2) === '') {
        c.alert(`'${kw}' expects an <event> and a <time> as arguments.`);
        return;
      }
      const ms = time(c, c.arg(2), kw);
      if (ms === undefined) return;
      if (!(event in r.hold)) {
        c.alert(`'${kw}' unknown <event>: '${event}', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.`);
        return;
      }
      r.hold[event as keyof ResolversDraft['hold']] = ms;
      return;
    }
    case 'accepted_payload_size': {
      if (c.arg(1) === '') {
        c.alert(`'${kw}' expects <nb> as argument.`);
        return;
      }
      const n = Number.parseInt(c.arg(1), 10) || 0;
      if (n < 12 || n > 65535) {
        c.alert(`'${kw}' must be between 12 and 65535 inclusive (was ${c.arg(1)}).`);
        return;
      }
      r.acceptedPayloadSize = n;
      return;
    }
    case 'resolve_retries':
      if (c.arg(1) === '') {
        c.alert(`'${kw}' expects <nb> as argument.`);
        return;
      }
      r.resolveRetries = Number.parseInt(c.arg(1), 10) || 0;
      return;
    case 'timeout': {
      const which = c.arg(1);
      if (which === '') {
        c.alert(`'${kw}' expects 'retry' or 'resolve' and <time> as arguments.`);
        return;
      }
      if (which !== 'retry' && which !== 'resolve') {
        c.alert(`'${kw}' expects 'retry' or 'resolve' and <time> as arguments got '${which}'.`);
        return;
      }
      if (c.arg(2) === '') {
        c.alert(`'${kw} ${which}' expects <time> as argument.`);
        return;
      }
      const ms = time(c, c.arg(2), `${kw} ${which}`);
      if (ms === undefined) return;
      if (which === 'retry') r.timeoutRetry = ms;
      else r.timeoutResolve = ms;
      return;
    }
    case 'resolution_pool_size':
      c.alert(`'${kw}' directive is not supported anymore (it never appeared in a stable release).`);
      return;
    case 'server':
    case 'default-server':
      c.unsupported(`'${kw}' (DNS over TCP) in a resolvers section`);
      return;
    default:
      c.alert(`unknown keyword '${kw}' in 'resolvers' section`);
  }
}
