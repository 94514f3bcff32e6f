// TLS fetches: the client connection's TLS state (HAProxy's src/ssl_sample.c: ssl_fc*, ssl_c_*, ssl_f_*) and the
// ClientHello read from the buffered request of a mode-tcp frontend (src/payload.c: req.ssl_*).
import type { ArgValue, FetchDef, FetchFn, FetchSource, SampleType } from '../sample.ts';
import { fetchFlags } from '../sample.ts';
import type { SampleContext } from '../context.ts';
import type { CertView, TlsView } from '../../tls/tls-info.ts';
import { helloAlpn, helloSni, helloType, helloVersion } from '../../tls/client-hello.ts';

function def(name: string, outType: SampleType, fn: FetchFn, source: FetchSource = 'l5'): FetchDef {
  return { name, outType, args: [], minArgs: 0, source, compile: () => fn };
}

// A fetch of the TLS view: nothing on a clear-text connection, or when the value is absent.
function fromTls(name: string, outType: SampleType, get: (t: TlsView) => string | number | boolean | Buffer | undefined): FetchDef {
  return def(name, outType, (ctx, visit) => {
    const v = ctx.tls ? get(ctx.tls) : undefined;
    return v !== undefined && visit(v);
  });
}

// ssl_c_s_dn([entry[,occ[,format]]]): the whole DN as "/K=V/K=V", one entry's value (occ 1 = first, -1 = last),
// or the DN in RFC 2253 order ("CN=..,O=..") with format "rfc2253".
function compileDn(args: readonly ArgValue[], pick: (t: TlsView) => CertView | undefined, field: 'subject' | 'issuer'): FetchFn {
  const entry = typeof args[0] === 'string' && args[0] !== '' ? args[0] : undefined;
  const occ = typeof args[1] === 'number' ? args[1] : 1;
  const format = typeof args[2] === 'string' ? args[2] : '';
  return (ctx, visit) => {
    const cert = ctx.tls ? pick(ctx.tls) : undefined;
    if (!cert) return false;
    const dn = cert[field];
    if (entry === undefined) {
      if (format === 'rfc2253') return visit([...dn].reverse().map(([k, v]) => `${k}=${v}`).join(','));
      return visit(dn.map(([k, v]) => `/${k}=${v}`).join(''));
    }
    const values = dn.filter(([k]) => k === entry).map(([, v]) => v);
    const v = occ > 0 ? values[occ - 1] : values[values.length + occ];
    return v !== undefined && visit(v);
  };
}

const validateDn = (a: readonly ArgValue[]): string | null =>
  typeof a[2] === 'string' && a[2] !== '' && a[2] !== 'rfc2253' ? `only rfc2253 or a blank value are currently supported as the format argument.` : null;

// The certificate fetches for one side: ssl_c_* (the client's) or ssl_f_* (the one this frontend presented).
function certFetches(prefix: string, pick: (t: TlsView) => CertView | undefined): FetchDef[] {
  const dn = (name: string, field: 'subject' | 'issuer'): FetchDef => ({
    name: `${prefix}_${name}`, outType: 'str', args: ['str', 'sint', 'str'], minArgs: 0, source: 'l5', validate: validateDn,
    compile: (a) => compileDn(a, pick, field),
  });
  return [
    dn('s_dn', 'subject'),
    dn('i_dn', 'issuer'),
    fromTls(`${prefix}_serial`, 'bin', (t) => pick(t)?.serial),
    fromTls(`${prefix}_notbefore`, 'str', (t) => pick(t)?.notBefore),
    fromTls(`${prefix}_notafter`, 'str', (t) => pick(t)?.notAfter),
    fromTls(`${prefix}_sha1`, 'bin', (t) => pick(t)?.sha1),
    fromTls(`${prefix}_der`, 'bin', (t) => pick(t)?.der),
    fromTls(`${prefix}_version`, 'int', (t) => pick(t)?.version),
  ];
}

// req.ssl_*: read from the buffered request; a hello not complete yet may still match (HAProxy's MAY_CHANGE).
function fromHello<T>(name: string, outType: SampleType, read: (buf: Buffer) => T | 'short' | null, each: (v: T, visit: (x: string | number) => boolean) => boolean): FetchDef {
  return def(name, outType, (ctx: SampleContext, visit) => {
    if (!ctx.payload) return false;
    const v = read(ctx.payload);
    if (v === 'short') {
      fetchFlags.mayChange = true;
      return false;
    }
    return v !== null && each(v, visit);
  }, 'l6req');
}

const one = <T extends string | number>(v: T, visit: (x: string | number) => boolean): boolean => visit(v);
const hello: FetchDef[] = [
  fromHello('req.ssl_hello_type', 'int', helloType, one),
  fromHello('req_ssl_hello_type', 'int', helloType, one),
  fromHello('req.ssl_ver', 'int', (b) => helloVersion(b, 1 << 30), one),
  fromHello('req_ssl_ver', 'int', (b) => helloVersion(b, 1 << 30), one),
  fromHello('req.ssl_sni', 'str', helloSni, one),
  fromHello('req_ssl_sni', 'str', helloSni, one),
  fromHello('req.ssl_alpn', 'str', helloAlpn, (names, visit) => names.some((n) => visit(n))),
];

/** The TLS fetches by name. */
export const sslFetches: readonly FetchDef[] = [
  def('ssl_fc', 'bool', (ctx, visit) => visit(ctx.tls !== undefined)),
  fromTls('ssl_fc_sni', 'str', (t) => t.sni),
  def('ssl_fc_has_sni', 'bool', (ctx, visit) => ctx.tls !== undefined && visit(ctx.tls.sni !== undefined)),
  fromTls('ssl_fc_protocol', 'str', (t) => t.protocol),
  fromTls('ssl_fc_cipher', 'str', (t) => t.cipher),
  fromTls('ssl_fc_alpn', 'str', (t) => t.alpn),
  fromTls('ssl_fc_is_resumed', 'bool', (t) => t.resumed),
  fromTls('ssl_fc_has_crt', 'bool', (t) => t.peer !== undefined),
  fromTls('ssl_c_used', 'bool', (t) => t.peer !== undefined),
  fromTls('ssl_c_verify', 'int', (t) => t.verify),
  // without ca-ignore-err / crt-ignore-err a connection whose chain failed never gets this far
  fromTls('ssl_c_err', 'int', () => 0),
  fromTls('ssl_c_ca_err', 'int', () => 0),
  fromTls('ssl_c_ca_err_depth', 'int', () => 0),
  ...certFetches('ssl_c', (t) => t.peer),
  ...certFetches('ssl_f', (t) => t.local),
  ...hello,
];
