// A TLS bind's certificates as secure contexts, and the choice HAProxy's SNI callback makes (ssl_sock.c
// ssl_sock_switchctx_cbk): an exact name first, then a wildcard for the parent domain, else the default
// certificate (the first one loaded), or no certificate at all with strict-sni.
import { constants } from 'node:crypto';
import tls from 'node:tls';
import type { BindTlsSpec, CertEntry } from '../config/model.ts';
import { nodeCiphers, nodeVersions } from './tls-versions.ts';

export interface BindContexts {
  readonly spec: BindTlsSpec;
  readonly defaultContext: tls.SecureContext;
  /** The context for this SNI name, or null when strict-sni refuses it. */
  pick(servername: string | undefined): tls.SecureContext | null;
}

function contextFor(spec: BindTlsSpec, cert: CertEntry): tls.SecureContext {
  const ciphers = nodeCiphers(spec.ciphers, spec.ciphersuites, tls.DEFAULT_CIPHERS);
  return tls.createSecureContext({
    cert: cert.certPem,
    key: cert.keyPem,
    ...nodeVersions(spec.versions),
    ...(ciphers !== undefined ? { ciphers } : {}),
    ...(spec.curves !== undefined ? { ecdhCurve: spec.curves } : {}),
    ...(spec.caPem !== undefined ? { ca: spec.caPem } : {}),
    ...(spec.crlPem !== undefined ? { crl: spec.crlPem } : {}),
    // HAProxy sets SSL_OP_CIPHER_SERVER_PREFERENCE unless prefer-client-ciphers
    honorCipherOrder: !spec.preferClientCiphers,
    dhparam: 'auto',
    ...(spec.noTlsTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  });
}

const cache = new WeakMap<BindTlsSpec, BindContexts>();

// Builds (once per loaded bind) the contexts of its certificates.
export function bindContexts(spec: BindTlsSpec): BindContexts {
  const known = cache.get(spec);
  if (known) return known;
  const contexts = spec.certs.map((c) => contextFor(spec, c));
  const exact = new Map<string, tls.SecureContext>();
  const wild = new Map<string, tls.SecureContext>();
  spec.certs.forEach((c, i) => {
    for (const name of c.names) {
      const into = name.startsWith('*.') ? wild : exact;
      const key = name.startsWith('*.') ? name.slice(2) : name;
      if (!into.has(key)) into.set(key, contexts[i]!);
    }
  });
  const excluded = (name: string, ctx: tls.SecureContext): boolean => {
    const i = contexts.indexOf(ctx);
    return spec.certs[i]!.excluded.includes(name);
  };
  const result: BindContexts = {
    spec,
    defaultContext: contexts[0]!,
    pick(servername) {
      if (servername) {
        const name = servername.toLowerCase();
        const e = exact.get(name);
        if (e && !excluded(name, e)) return e;
        const dot = name.indexOf('.');
        const w = dot >= 0 ? wild.get(name.slice(dot + 1)) : undefined;
        if (w && !excluded(name, w)) return w;
      }
      return spec.strictSni ? null : contexts[0]!;
    },
  };
  cache.set(spec, result);
  return result;
}
