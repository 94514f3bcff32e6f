// The client side of "server ... ssl": the options tls.connect gets, as HAProxy's ssl_sock_prepare_srv_ctx()
// sets them up (verify, CA, SNI from the "sni" expression, verifyhost, ALPN, versions, ciphers).
import tls from 'node:tls';
import type { ServerTlsSpec } from '../config/model.ts';
import { compileSampleExpr, type SampleExpr } from '../sample/sample-expr.ts';
import type { SampleContext } from '../sample/context.ts';
import { nodeCiphers, nodeVersions } from './tls-versions.ts';

const sniExprs = new WeakMap<ServerTlsSpec, SampleExpr | null>();

// The SNI to send: the "sni" expression evaluated on this request or connection; none without it (HAProxy
// sends no SNI by default).
export function serverSni(spec: ServerTlsSpec, backend: string, ctx: SampleContext | undefined): string | undefined {
  if (spec.sni === undefined || !ctx) return undefined;
  let expr = sniExprs.get(spec);
  if (expr === undefined) {
    const e = compileSampleExpr(spec.sni, { proxy: backend });
    expr = 'error' in e ? null : e;
    sniExprs.set(spec, expr);
  }
  const v = expr?.evaluate(ctx);
  return v === undefined || v === '' ? undefined : v;
}

// tls.connect options for a server, with the SNI chosen for this connection.
export function serverTlsOptions(spec: ServerTlsSpec, sni: string | undefined): tls.ConnectionOptions {
  const ciphers = nodeCiphers(spec.ciphers, spec.ciphersuites, tls.DEFAULT_CIPHERS);
  const checkName = spec.verifyHost ?? sni;
  return {
    ...nodeVersions(spec.versions),
    ...(ciphers !== undefined ? { ciphers } : {}),
    ...(spec.caPem !== undefined ? { ca: spec.caPem } : {}),
    ...(spec.cert ? { cert: spec.cert.certPem, key: spec.cert.keyPem } : {}),
    ...(spec.alpn ? { ALPNProtocols: [...spec.alpn] } : {}),
    ...(sni !== undefined ? { servername: sni } : {}),
    rejectUnauthorized: spec.verify === 'required',
    // the name is checked only when verifyhost or an SNI gives one, as HAProxy does
    checkServerIdentity: (_host, cert) => (spec.verify === 'required' && checkName !== undefined ? tls.checkServerIdentity(checkName, cert) : undefined),
  };
}

// A server's address with the TLS options its connection needs (none for a clear-text server).
export function withServerTls<A extends { host: string; port: number }>(
  addr: A, spec: { readonly ssl?: ServerTlsSpec }, backend: string, ctx: SampleContext | undefined,
): A & { tls?: tls.ConnectionOptions } {
  if (!spec.ssl) return addr;
  return { ...addr, tls: serverTlsOptions(spec.ssl, serverSni(spec.ssl, backend, ctx)) };
}
