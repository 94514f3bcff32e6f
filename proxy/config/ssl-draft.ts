// TLS settings while a config is read: the global defaults (crt-base, ssl-default-*) and a server's "ssl" options,
// frozen into the model's ServerTlsSpec once the server line is done.
import type { ServerTlsSpec, TlsVersionName, TlsVersionRange } from './model.ts';
import type { SampleExpr } from '../sample/sample-expr.ts';

export interface VersionDraft {
  min?: TlsVersionName;
  max?: TlsVersionName;
  disabled: TlsVersionName[];
}

export interface SideDefaults {
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
  versions: VersionDraft;
  noTlsTickets: boolean;
  preferClientCiphers: boolean;
}

export interface GlobalSslDraft {
  crtBase?: string;
  caBase?: string;
  bind: SideDefaults;
  server: SideDefaults;
  /** ssl-server-verify: what a server's "verify" defaults to. */
  serverVerify: 'none' | 'required';
  /** tune.ssl.default-dh-param (HAProxy 2.6 defaults to 2048). */
  dhParamBits: number;
}

export interface ServerTlsDraft {
  /** "ssl" was given ("no-ssl" clears it); default-server may set options without it. */
  use: boolean;
  verify?: 'none' | 'required';
  caFile?: string;
  caPem?: string;
  sni?: string;
  /** The sni expression compiled with the line, in the section it is written in. */
  sniExpr?: SampleExpr;
  verifyHost?: string;
  alpn?: string[];
  versions: VersionDraft;
  ciphers?: string;
  ciphersuites?: string;
  cert?: { certPem: string; keyPem: string };
  noTlsTickets: boolean;
}

const side = (): SideDefaults => ({ versions: { disabled: [] }, noTlsTickets: false, preferClientCiphers: false });

export function newGlobalSslDraft(): GlobalSslDraft {
  return { bind: side(), server: side(), serverVerify: 'required', dhParamBits: 2048 };
}

export function newServerTlsDraft(): ServerTlsDraft {
  return { use: false, versions: { disabled: [] }, noTlsTickets: false };
}

// A copy to change: default-server settings are shared by every server line that follows.
export function cloneServerTls(d: ServerTlsDraft | undefined): ServerTlsDraft {
  if (!d) return newServerTlsDraft();
  return { ...d, versions: { ...d.versions, disabled: [...d.versions.disabled] }, ...(d.alpn ? { alpn: [...d.alpn] } : {}) };
}

// The global defaults under a line's own settings, as HAProxy's "ssl" keyword applies them (own values win).
export function applySideDefaults(own: { ciphers?: string; ciphersuites?: string; curves?: string; versions: VersionDraft }, g: SideDefaults): void {
  if (own.ciphers === undefined && g.ciphers !== undefined) own.ciphers = g.ciphers;
  if (own.ciphersuites === undefined && g.ciphersuites !== undefined) own.ciphersuites = g.ciphersuites;
  if (own.curves === undefined && g.curves !== undefined) own.curves = g.curves;
  for (const v of g.versions.disabled) if (!own.versions.disabled.includes(v)) own.versions.disabled.push(v);
  if (own.versions.min === undefined && g.versions.min !== undefined) own.versions.min = g.versions.min;
  if (own.versions.max === undefined && g.versions.max !== undefined) own.versions.max = g.versions.max;
}

export function freezeVersions(v: VersionDraft): TlsVersionRange {
  return { ...(v.min ? { min: v.min } : {}), ...(v.max ? { max: v.max } : {}), disabled: [...v.disabled] };
}

export function finalizeServerTls(d: ServerTlsDraft): ServerTlsSpec {
  return {
    verify: d.verify ?? 'required',
    versions: freezeVersions(d.versions),
    noTlsTickets: d.noTlsTickets,
    ...(d.caFile !== undefined ? { caFile: d.caFile } : {}),
    ...(d.caPem !== undefined ? { caPem: d.caPem } : {}),
    ...(d.sni !== undefined && d.sniExpr ? { sni: d.sni, sniExpr: d.sniExpr } : {}),
    ...(d.verifyHost !== undefined ? { verifyHost: d.verifyHost } : {}),
    ...(d.alpn ? { alpn: [...d.alpn] } : {}),
    ...(d.ciphers !== undefined ? { ciphers: d.ciphers } : {}),
    ...(d.ciphersuites !== undefined ? { ciphersuites: d.ciphersuites } : {}),
    ...(d.cert ? { cert: d.cert } : {}),
  };
}
