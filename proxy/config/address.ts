// Addresses as HAProxy's str2sa_range() reads them on 'bind' and 'server' lines: "*:80", ":80", "1.2.3.4:80",
// "[::1]:80", "ipv4@...", "ipv6@...". Hostnames are kept as written (the lab maps "app1:5001" onto loopback);
// unix sockets and port ranges are HAProxy features the lab does not listen on (fd@ binds: inherited-fd.ts).

export type AddressResult =
  | { ok: true; host: string | null; port: number; portGiven: boolean; family: 'ipv4' | 'ipv6' | 'host' }
  | { ok: false; error: string; badHost?: string }
  | { ok: false; unsupported: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.*[A-Za-z])[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

// True for a dotted-quad IPv4 address.
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

// True for an IPv6 address in any of its textual forms (loose but rejects obvious garbage).
export function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  if ((text.match(/::/g) ?? []).length > 1) return false;
  const parts = text.split(':');
  return parts.length >= 3 && parts.length <= 8 && parts.every((p) => p === '' || /^[0-9A-Fa-f]{1,4}$/.test(p) || isIpv4(p));
}

// True for a name that a resolver could look up (has a letter, valid label characters).
export function isHostname(text: string): boolean {
  return HOSTNAME.test(text) && text.length <= 253;
}

export interface AddressOptions {
  /** 'bind' or 'server' etc., as HAProxy names the keyword in messages. */
  readonly keyword: string;
  /** Bind lines require a port; server lines do not. */
  readonly portRequired: boolean;
  /** Server lines: port 0 means "the client's destination port", so it is allowed. */
  readonly allowPortZero: boolean;
  /** Environment for the "$VAR" / "${VAR}" that str2sa_range() expands again; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

// HAProxy's env_expand(), which str2sa_range() applies to every address after the line was parsed, so even a
// single-quoted "${PORT}" is expanded: "$NAME" or "${NAME}" (letters, digits, '_'), unset names give nothing,
// and there is no default value at this stage.
export function expandAddressEnv(text: string, env: Readonly<Record<string, string | undefined>>): string {
  if (!text.includes('$')) return text;
  return text.replace(/\$(\{?)([A-Za-z0-9_]*)(\}?)/g, (_m, brace: string, name: string, close: string) =>
    (env[name] ?? '') + (close !== '' && brace === '' ? close : ''));
}

// Parses one address; errors are worded like HAProxy's (without the keyword prefix the caller adds).
export function parseAddress(text: string, opts: AddressOptions): AddressResult {
  // messages quote the address as written, before expansion (as HAProxy's do)
  let rest = expandAddressEnv(text, opts.env ?? process.env);
  let family: 'ipv4' | 'ipv6' | 'any' = 'any';
  const at = /^([a-z0-9]+)@/.exec(rest);
  if (at) {
    const proto = at[1]!;
    if (proto === 'ipv4' || proto === 'tcp4') family = 'ipv4';
    else if (proto === 'ipv6' || proto === 'tcp6') family = 'ipv6';
    else if (proto === 'tcp') family = 'any';
    else return { ok: false, unsupported: `'${proto}@' addresses` };
    rest = rest.slice(at[0].length);
  }
  if (rest.startsWith('/')) return { ok: false, unsupported: 'UNIX socket addresses' };
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, error: `invalid address: '${rest}' in '${text}'` };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { ok: false, error: `invalid address: '${rest}' in '${text}'` };
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons === 0) {
      host = rest;
      portText = undefined;
    } else if (colons === 1 || family === 'ipv4') {
      const i = rest.lastIndexOf(':');
      host = rest.slice(0, i);
      portText = rest.slice(i + 1);
    } else {
      // Bare IPv6: HAProxy takes the part after the last colon as the port.
      const i = rest.lastIndexOf(':');
      host = rest.slice(0, i);
      portText = rest.slice(i + 1);
    }
  }
  let port = 0;
  const portGiven = portText !== undefined && portText !== '';
  if (!portGiven) {
    if (opts.portRequired) return { ok: false, error: `missing port specification in '${text}'` };
  } else {
    // str2sa_range reads the digits the port starts with and ignores what follows them ("8080x" is 8080)
    const p = /^\d/.test(portText!) && !/^\d+-/.test(portText!) ? /^\d+/.exec(portText!)![0] : portText!;
    if (/^\d+-\d+$/.test(p)) {
      if (opts.keyword === 'bind') return { ok: false, unsupported: 'port ranges' };
      return { ok: false, error: `port range not permitted here in '${text}'` };
    }
    if (/^[+-]\d+$/.test(p) && opts.keyword !== 'bind') return { ok: false, unsupported: 'relative ports' };
    const bad = /[^0-9]/.exec(p);
    if (bad) return { ok: false, error: `invalid character '${bad[0]}' in port number '${p}' in '${text}'` };
    port = Number(p);
    if (port > 65535 || (port === 0 && !opts.allowPortZero)) return { ok: false, error: `invalid port '${p}'` };
  }
  if (host === '' || host === '*') {
    return { ok: true, host: null, port, portGiven, family: family === 'ipv6' ? 'ipv6' : 'ipv4' };
  }
  if (isIpv4(host)) return { ok: true, host, port, portGiven, family: 'ipv4' };
  if (isIpv6(host)) return { ok: true, host, port, portGiven, family: 'ipv6' };
  if (isHostname(host)) return { ok: true, host, port, portGiven, family: 'host' };
  return { ok: false, error: `invalid address: '${host}' in '${text}'`, badHost: host };
}
