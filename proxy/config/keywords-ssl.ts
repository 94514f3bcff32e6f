// The TLS keywords of bind and server lines and of the global section (src/cfgparse-ssl.c), in HAProxy's words.
// Certificates and CA files are read here, when the line is parsed, as HAProxy reads them.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { LineContext, ProxyLineContext } from './context.ts';
import type { BindTlsSpec, CertEntry, TlsVersionName } from './model.ts';
import { loadCertFile, loadCertLocation, loadCrtList } from './ssl-certs.ts';
import { applySideDefaults, cloneServerTls, freezeVersions, type ServerTlsDraft, type SideDefaults, type VersionDraft } from './ssl-draft.ts';

export const TLS_VERSIONS: readonly TlsVersionName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const METHOD_SUFFIX: Readonly<Record<string, TlsVersionName>> = { sslv3: 'SSLv3', tlsv10: 'TLSv1.0', tlsv11: 'TLSv1.1', tlsv12: 'TLSv1.2', tlsv13: 'TLSv1.3' };

type Step = { next: number } | { error: string } | { warn: string; next: number };

// parse_tls_method_options(): "no-tlsv10" switches a version off, "force-tlsv12" pins min and max.
function methodOption(arg: string, v: VersionDraft): string | null {
  const dash = arg.indexOf('-');
  const version = dash >= 0 ? METHOD_SUFFIX[arg.slice(dash + 1)] : undefined;
  if (!version) return `'${arg}' : option not implemented`;
  if (arg.startsWith('no-')) {
    if (!v.disabled.includes(version)) v.disabled.push(version);
  } else if (arg.startsWith('force-')) v.min = v.max = version;
  else return `'${arg}' : option not implemented`;
  return null;
}

// parse_tls_method_minmax(): "ssl-min-ver TLSv1.2".
function minMax(kw: string, value: string, v: VersionDraft): string | null {
  if (value === '') return `'${kw}' : missing the ssl/tls version`;
  const version = TLS_VERSIONS.find((n) => n === value);
  if (!version) return `'${value}' : unknown ssl/tls version`;
  if (kw === 'ssl-min-ver') v.min = version;
  else v.max = version;
  return null;
}

// ssl_sock_parse_alpn(): a comma-separated list, each name at most 255 bytes.
export function parseAlpn(value: string): string[] | string {
  if (value === '') return 'missing the comma-delimited ALPN protocol suite';
  const names = value.split(',');
  const long = names.find((n) => Buffer.byteLength(n) > 255);
  if (long !== undefined) return `ALPN protocol name too long : '${long}'`;
  return names;
}

function withBase(base: string | undefined, file: string, baseDir: string): string {
  if (!file.startsWith('/') && base) return `${base}/${file}`;
  return isAbsolute(file) ? file : resolve(baseDir, file);
}

// A CA (or CRL) bundle: the PEM text when it holds at least one block, else why not.
function readPemBundle(path: string, block: 'CERTIFICATE' | 'X509 CRL'): { pem: string } | { why: string } {
  try {
    const text = readFileSync(path, 'latin1');
    if (!text.includes(`-----BEGIN ${block}-----`)) return { why: 'no certificate found' };
    return { pem: text };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { why: code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (err as Error).message };
  }
}

// ---- bind ----------------------------------------------------------------------------------------------------

export interface BindTlsDraft {
  ssl: boolean;
  certs: CertEntry[];
  alpn?: string[];
  versions: VersionDraft;
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
  caFile?: string;
  caPem?: string;
  crlPem?: string;
  verify?: 'none' | 'optional' | 'required';
  strictSni: boolean;
  preferClientCiphers: boolean;
  noTlsTickets: boolean;
}

export function newBindTlsDraft(): BindTlsDraft {
  return { ssl: false, certs: [], versions: { disabled: [] }, strictSni: false, preferClientCiphers: false, noTlsTickets: false };
}

/** Bind keywords that belong to TLS but change nothing the lab models. */
const BIND_HARMLESS = new Set(['no-ca-names']);
/** TLS bind keywords HAProxy knows that the lab does not implement: they warn. */
const BIND_UNSUPPORTED = new Set(['allow-0rtt', 'npn', 'ca-ignore-err', 'crt-ignore-err', 'generate-certificates', 'ca-verify-file', 'ca-sign-file', 'ca-sign-pass', 'tls-ticket-keys']);

function bindStep(c: ProxyLineContext, i: number, d: BindTlsDraft): Step | null {
  const kw = c.arg(i);
  const value = c.arg(i + 1);
  const g = c.state.global.ssl;
  switch (kw) {
    case 'ssl':
      d.ssl = true;
      return { next: i + 1 };
    case 'crt': {
      if (value === '') return { error: `'crt' : missing certificate location` };
      const path = !value.startsWith('/') && g.crtBase ? `${g.crtBase}/${value}` : withBase(undefined, value, c.state.baseDir);
      const r = loadCertLocation(path);
      if (!r.ok) return { error: r.error };
      d.certs.push(...r.entries);
      return { next: i + 2 };
    }
    case 'crt-list': {
      if (value === '') return { error: `'crt-list' : missing certificate location` };
      const r = loadCrtList(withBase(undefined, value, c.state.baseDir), (p) => (!p.startsWith('/') && g.crtBase ? `${g.crtBase}/${p}` : withBase(undefined, p, c.state.baseDir)));
      if (!r.ok) return { error: `'crt-list' : ${r.error.replace(resolve(c.state.baseDir, value), value)}` };
      d.certs.push(...r.entries);
      for (const w of r.warnings) c.warn(w, { at: c.word(i) });
      return { next: i + 2 };
    }
    case 'ca-file': {
      if (value === '') return { error: `'ca-file' : missing CAfile path` };
      const shown = !value.startsWith('/') && g.caBase ? `${g.caBase}/${value}` : value;
      const r = readPemBundle(withBase(g.caBase, value, c.state.baseDir), 'CERTIFICATE');
      if ('why' in r) {
        c.state.diagnostics.push({ severity: 'alert', message: `Couldn't open the ca-file '${shown}' (${r.why}).`, form: 'plain' });
        return { error: `'ca-file' : unable to load ${shown}` };
      }
      d.caFile = shown;
      d.caPem = r.pem;
      return { next: i + 2 };
    }
    case 'crl-file': {
      if (value === '') return { error: `'crl-file' : missing CRLfile path` };
      const shown = !value.startsWith('/') && g.caBase ? `${g.caBase}/${value}` : value;
      const r = readPemBundle(withBase(g.caBase, value, c.state.baseDir), 'X509 CRL');
      if ('why' in r) return { error: `'crl-file' : unable to load ${shown}` };
      d.crlPem = r.pem;
      return { next: i + 2 };
    }
    case 'verify':
      if (value === '') return { error: `'verify' : missing verify method` };
      if (value !== 'none' && value !== 'optional' && value !== 'required') {
        return { error: `'verify' : unknown verify method '${value}', only 'none', 'optional', and 'required' are supported` };
      }
      d.verify = value;
      return { next: i + 2 };
    case 'alpn': {
      const r = parseAlpn(value);
      if (typeof r === 'string') return { error: `'alpn' : ${r}` };
      d.alpn = r;
      return { next: i + 2 };
    }
    case 'ciphers':
    case 'ciphersuites':
      if (value === '') return { error: `'${kw}' : missing cipher suite` };
      d[kw] = value;
      return { next: i + 2 };
    case 'curves':
      if (value === '') return { error: `'curves' : missing curve suite` };
      d.curves = value;
      return { next: i + 2 };
    case 'ecdhe':
      if (value === '') return { error: `'ecdhe' : missing named curve` };
      d.curves = value;
      return { next: i + 2 };
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      const err = minMax(kw, value, d.versions);
      return err ? { error: err } : { next: i + 2 };
    }
    case 'strict-sni':
      d.strictSni = true;
      return { next: i + 1 };
    case 'prefer-client-ciphers':
      d.preferClientCiphers = true;
      return { next: i + 1 };
    case 'no-tls-tickets':
      d.noTlsTickets = true;
      return { next: i + 1 };
  }
  if (/^(no|force)-(sslv3|tlsv1\d)$/.test(kw)) {
    const err = methodOption(kw, d.versions);
    return err ? { error: err } : { next: i + 1 };
  }
  if (BIND_HARMLESS.has(kw)) return { next: i + 1 };
  if (BIND_UNSUPPORTED.has(kw)) return { warn: `'${kw}'`, next: i + (['allow-0rtt', 'generate-certificates'].includes(kw) ? 1 : 2) };
  return null;
}

/**
 * One bind option if it is a TLS one: the index of the next option, 'stop' after an alert, or null when the
 * word is not a TLS keyword.
 */
export function parseBindSslOption(c: ProxyLineContext, i: number, d: BindTlsDraft, where: string): number | 'stop' | null {
  const step = bindStep(c, i, d);
  if (step === null) return null;
  if ('error' in step) {
    c.alert(`${where} : ${step.error}`, { at: c.word(i) });
    return 'stop';
  }
  if ('warn' in step) c.unsupported(`${where} : ${step.warn}`, { at: c.word(i) });
  return step.next;
}

// The bind's TLS settings once its line is read, with the ssl-default-bind-* values under its own.
export function finishBindTls(d: BindTlsDraft, g: { bind: SideDefaults; dhParamBits: number }): BindTlsSpec | undefined {
  if (!d.ssl) return undefined;
  applySideDefaults(d, g.bind);
  return {
    certs: d.certs,
    versions: freezeVersions(d.versions),
    verify: d.verify ?? 'none',
    strictSni: d.strictSni,
    preferClientCiphers: d.preferClientCiphers || g.bind.preferClientCiphers,
    noTlsTickets: d.noTlsTickets || g.bind.noTlsTickets,
    dhParamBits: g.dhParamBits,
    ...(d.alpn ? { alpn: d.alpn } : {}),
    ...(d.ciphers !== undefined ? { ciphers: d.ciphers } : {}),
    ...(d.ciphersuites !== undefined ? { ciphersuites: d.ciphersuites } : {}),
    ...(d.curves !== undefined ? { curves: d.curves } : {}),
    ...(d.caFile !== undefined ? { caFile: d.caFile } : {}),
    ...(d.caPem !== undefined ? { caPem: d.caPem } : {}),
    ...(d.crlPem !== undefined ? { crlPem: d.crlPem } : {}),
  };
}

// ---- server --------------------------------------------------------------------------------------------------

/** The server keywords handled here; each returns the next index, or an error message. */
export const SERVER_SSL_KEYWORDS: ReadonlySet<string> = new Set([
  'ssl', 'no-ssl', 'verify', 'ca-file', 'sni', 'verifyhost', 'alpn', 'ciphers', 'ciphersuites', 'crt', 'ssl-min-ver', 'ssl-max-ver',
  'no-sslv3', 'no-tlsv10', 'no-tlsv11', 'no-tlsv12', 'no-tlsv13', 'force-sslv3', 'force-tlsv10', 'force-tlsv11', 'force-tlsv12',
  'force-tlsv13', 'no-tls-tickets', 'tls-tickets', 'ssl-reuse', 'no-ssl-reuse',
]);

// One TLS keyword of a server line, applied to a copy of its TLS draft.
export function parseServerSslOption(
  c: ProxyLineContext, i: number, target: { ssl?: ServerTlsDraft }, compileSni: (expr: string) => string | null,
): { next: number } | { error: string } {
  const kw = c.arg(i);
  const value = c.arg(i + 1);
  const g = c.state.global.ssl;
  const d = cloneServerTls(target.ssl);
  target.ssl = d;
  switch (kw) {
    case 'ssl':
      d.use = true;
      applySideDefaults(d, g.server);
      if (g.server.noTlsTickets) d.noTlsTickets = true;
      return { next: i + 1 };
    case 'no-ssl':
      d.use = false;
      return { next: i + 1 };
    case 'verify':
      if (value === '') return { error: `'verify' : missing verify method` };
      if (value !== 'none' && value !== 'required') return { error: `'verify' : unknown verify method '${value}', only 'none' and 'required' are supported.` };
      d.verify = value;
      return { next: i + 2 };
    case 'ca-file': {
      if (value === '') return { error: `'ca-file' : missing CAfile path` };
      const shown = !value.startsWith('/') && g.caBase ? `${g.caBase}/${value}` : value;
      const r = readPemBundle(withBase(g.caBase, value, c.state.baseDir), 'CERTIFICATE');
      if ('why' in r) {
        c.state.diagnostics.push({ severity: 'alert', message: `Couldn't open the ca-file '${shown}' (${r.why}).`, form: 'plain' });
        return { error: `'ca-file' : unable to load ${shown}` };
      }
      d.caFile = shown;
      d.caPem = r.pem;
      return { next: i + 2 };
    }
    case 'sni': {
      if (value === '') return { error: `'sni' : missing sni expression` };
      const err = compileSni(value);
      if (err) return { error: `error detected while parsing sni expression : ${err}` };
      d.sni = value;
      return { next: i + 2 };
    }
    case 'verifyhost':
      if (value === '') return { error: `'verifyhost' : missing hostname to verify against` };
      d.verifyHost = value;
      return { next: i + 2 };
    case 'alpn': {
      const r = parseAlpn(value);
      if (typeof r === 'string') return { error: `'alpn' : ${r}` };
      d.alpn = r;
      return { next: i + 2 };
    }
    case 'ciphers':
    case 'ciphersuites':
      if (value === '') return { error: `'${kw}' : expects a cipher suite as argument.` };
      d[kw] = value;
      return { next: i + 2 };
    case 'crt': {
      if (value === '') return { error: `'crt' : missing certificate file path` };
      const r = loadCertFile(!value.startsWith('/') && g.crtBase ? `${g.crtBase}/${value}` : withBase(undefined, value, c.state.baseDir));
      if (!r.ok) return { error: r.error };
      d.cert = { certPem: r.entries[0]!.certPem, keyPem: r.entries[0]!.keyPem };
      return { next: i + 2 };
    }
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      const err = minMax(kw, value, d.versions);
      return err ? { error: err } : { next: i + 2 };
    }
    case 'no-tls-tickets':
      d.noTlsTickets = true;
      return { next: i + 1 };
    case 'tls-tickets':
      d.noTlsTickets = false;
      return { next: i + 1 };
    case 'ssl-reuse':
    case 'no-ssl-reuse':
      return { next: i + 1 };
  }
  const err = methodOption(kw, d.versions);
  return err ? { error: err } : { next: i + 1 };
}

// Once a server line is read: "verify" left unsaid takes ssl-server-verify.
export function finishServerTls(c: ProxyLineContext, target: { ssl?: ServerTlsDraft; checkSsl?: boolean }): void {
  // check-ssl on a clear-text server takes the same TLS settings (ssl_sock_prepare_srv_ctx runs for either)
  if (target.checkSsl && !target.ssl?.use) {
    const d = cloneServerTls(target.ssl);
    applySideDefaults(d, c.state.global.ssl.server);
    target.ssl = d;
  }
  if ((target.ssl?.use || target.checkSsl) && target.ssl?.verify === undefined && target.ssl) target.ssl = { ...target.ssl, verify: c.state.global.ssl.serverVerify };
}

// ---- global --------------------------------------------------------------------------------------------------

type GlobalKeyword = (c: LineContext) => void;

function sideOptions(which: 'bind' | 'server'): GlobalKeyword {
  return (c) => {
    const kw = c.arg(0);
    if (c.arg(1) === '') {
      c.alert(`global statement '${kw}' expects an option as an argument.`);
      return;
    }
    const side = c.state.global.ssl[which];
    for (let i = 1; i < c.count; i++) {
      const a = c.arg(i);
      if (a === 'no-tls-tickets') side.noTlsTickets = true;
      else if (a === 'prefer-client-ciphers' && which === 'bind') side.preferClientCiphers = true;
      else if (a === 'ssl-min-ver' || a === 'ssl-max-ver') {
        const err = minMax(a, c.arg(i + 1), side.versions);
        if (err) {
          c.alert(`${err} on global statement '${kw}'.`);
          return;
        }
        i++;
      } else if (methodOption(a, side.versions)) {
        c.alert(`unknown option '${a}' on global statement '${kw}'.`);
        return;
      }
    }
  };
}

function sideString(which: 'bind' | 'server', key: 'ciphers' | 'ciphersuites' | 'curves', what: string): GlobalKeyword {
  return (c) => {
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`global statement '${c.arg(0)}' expects a ${what} as an argument${key === 'curves' ? 's' : ''}.`);
      return;
    }
    c.state.global.ssl[which][key] = c.arg(1);
  };
}

function base(key: 'crtBase' | 'caBase'): GlobalKeyword {
  return (c) => {
    if (c.tooManyArgs(1)) return;
    const g = c.state.global.ssl;
    if (g[key] !== undefined) {
      c.alert(`'${c.arg(0)}' already specified.`);
      return;
    }
    if (c.arg(1) === '') {
      c.alert(`global statement '${c.arg(0)}' expects a directory path as an argument.`);
      return;
    }
    g[key] = c.arg(1);
  };
}

/** The global TLS keywords the lab implements (the others stay "not supported yet" warnings). */
export const GLOBAL_SSL_HANDLERS: Readonly<Record<string, GlobalKeyword>> = {
  'crt-base': base('crtBase'),
  'ca-base': base('caBase'),
  'ssl-default-bind-options': sideOptions('bind'),
  'ssl-default-server-options': sideOptions('server'),
  'ssl-default-bind-ciphers': sideString('bind', 'ciphers', 'cipher suite'),
  'ssl-default-server-ciphers': sideString('server', 'ciphers', 'cipher suite'),
  'ssl-default-bind-ciphersuites': sideString('bind', 'ciphersuites', 'cipher suite'),
  'ssl-default-server-ciphersuites': sideString('server', 'ciphersuites', 'cipher suite'),
  'ssl-default-bind-curves': sideString('bind', 'curves', 'curves suite'),
  'ssl-server-verify'(c) {
    if (c.tooManyArgs(1)) return;
    const v = c.arg(1);
    if (v !== 'none' && v !== 'required') {
      c.alert(`'${c.arg(0)}' expects 'none' or 'required' as argument.`);
      return;
    }
    c.state.global.ssl.serverVerify = v;
  },
  'tune.ssl.default-dh-param'(c) {
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`'${c.arg(0)}' expects an integer argument.`);
      return;
    }
    const n = Number.parseInt(c.arg(1), 10) || 0;
    if (n < 1024) {
      c.alert(`'${c.arg(0)}' expects a value >= 1024.`);
      return;
    }
    c.state.global.ssl.dhParamBits = n;
  },
};
