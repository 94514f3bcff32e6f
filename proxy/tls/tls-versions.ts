// HAProxy's TLS version settings (ssl-min-ver, ssl-max-ver, no-tlsv1x) as Node's minVersion/maxVersion.
import type { SecureVersion } from 'node:tls';
import type { TlsVersionName, TlsVersionRange } from '../config/model.ts';

const ORDER: readonly TlsVersionName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NODE: Readonly<Record<TlsVersionName, SecureVersion | null>> = {
  SSLv3: null, 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3',
};

// The contiguous range HAProxy ends up with: from min (default TLSv1.2, HAProxy 2.6's default) to max, skipping
// the disabled versions at either end. OpenSSL (and Node) has no SSLv3, so it is never part of the range.
export function nodeVersions(v: TlsVersionRange): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  let lo = ORDER.indexOf(v.min ?? 'TLSv1.2');
  let hi = ORDER.indexOf(v.max ?? 'TLSv1.3');
  lo = Math.max(lo, 1);
  while (lo <= hi && v.disabled.includes(ORDER[lo]!)) lo++;
  while (hi >= lo && v.disabled.includes(ORDER[hi]!)) hi--;
  if (lo > hi) return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }; // nothing left: every handshake fails
  return { minVersion: NODE[ORDER[lo]!]!, maxVersion: NODE[ORDER[hi]!]! };
}

// Node takes one cipher string: TLS 1.3 suites (names starting TLS_) and the older list together.
export function nodeCiphers(ciphers: string | undefined, ciphersuites: string | undefined, defaults: string): string | undefined {
  if (ciphers === undefined && ciphersuites === undefined) return undefined;
  const defaultParts = defaults.split(':');
  const suites = ciphersuites ?? defaultParts.filter((n) => n.startsWith('TLS_')).join(':');
  const list = ciphers ?? defaultParts.filter((n) => !n.startsWith('TLS_')).join(':');
  return [suites, list].filter((s) => s !== '').join(':');
}
