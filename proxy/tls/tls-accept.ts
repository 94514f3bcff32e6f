// The server side of a TLS bind: read the ClientHello, choose the certificate (SNI) and the ALPN protocol as
// HAProxy does, then hand the bytes to OpenSSL. Reading the hello first lets ALPN without overlap go on without
// ALPN (OpenSSL's NOACK, as HAProxy answers) where Node alone would abort the handshake.
import type net from 'node:net';
import tls from 'node:tls';
import type { BindContexts } from './bind-contexts.ts';
import { helloAlpn, helloSni, helloType } from './client-hello.ts';

/** The largest ClientHello we wait for (a TLS record's payload plus its header). */
const MAX_HELLO = 16384 + 2048 + 5;

export interface TlsAcceptHandlers {
  secure(sock: tls.TLSSocket): void;
  /** The handshake did not complete: why, for the log. */
  failed(why: HandshakeFailure): void;
}

export type HandshakeFailure = 'timeout' | 'closed' | 'aborted' | 'handshake';

/** HAProxy's words for each (conn_err_code_str: CO_ER_SSL_TIMEOUT, _EMPTY, _ABORT, _HANDSHAKE). */
export const HANDSHAKE_FAILURE_TEXT: Readonly<Record<HandshakeFailure, string>> = {
  timeout: 'Timeout during SSL handshake',
  closed: 'Connection closed during SSL handshake',
  aborted: 'Connection error during SSL handshake',
  handshake: 'SSL handshake failure',
};

// HAProxy's ALPN choice (SSL_select_next_proto): the first of the bind's protocols the client offers.
export function chooseAlpn(ours: readonly string[] | undefined, offered: readonly string[] | null): string | undefined {
  if (!ours || !offered) return undefined;
  return ours.find((p) => offered.includes(p));
}

// OpenSSL's verdict on the peer's certificate chain (what Node's own servers read to set `authorized`).
export function peerVerifyError(t: tls.TLSSocket): string | null {
  const handle = (t as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  const err = handle?.verifyError?.() ?? null;
  return err ? err.code ?? err.message : null;
}

// Runs the handshake on an accepted connection within `timeoutMs` (the frontend's client timeout; 0 = none).
export function acceptTls(raw: net.Socket, contexts: BindContexts, timeoutMs: number, on: TlsAcceptHandlers): void {
  const spec = contexts.spec;
  let buf: Buffer = Buffer.alloc(0);
  let settled = false;
  const fail = (why: HandshakeFailure): void => {
    if (settled) return;
    settled = true;
    raw.destroy();
    on.failed(why);
  };
  raw.setTimeout(timeoutMs);
  const onTimeout = (): void => fail('timeout');
  const onClose = (): void => fail('closed');
  raw.on('timeout', onTimeout);
  raw.once('close', onClose);
  raw.on('error', () => fail('aborted'));
  const onData = (d: Buffer): void => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    if (helloType(buf) === 'short' && buf.length < MAX_HELLO) return;
    raw.off('data', onData);
    raw.pause();
    raw.unshift(buf);
    handshake(helloSni(buf), helloAlpn(buf));
  };
  raw.on('data', onData);

  const handshake = (sni: string | 'short' | null, alpn: string[] | 'short' | null): void => {
    const servername = typeof sni === 'string' ? sni : undefined;
    const ctx = contexts.pick(servername);
    if (!ctx) return fail('handshake'); // strict-sni: no certificate for this name
    const chosen = chooseAlpn(spec.alpn, Array.isArray(alpn) ? alpn : null);
    const t = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: ctx,
      ...(chosen ? { ALPNProtocols: [chosen] } : {}),
      requestCert: spec.verify !== 'none',
      rejectUnauthorized: spec.verify === 'required',
    });
    t.once('secure', () => {
      if (settled) return;
      // Node leaves the verdict on a client certificate to its caller: one that does not verify fails the
      // handshake (verify optional or required; required without a certificate already failed in OpenSSL)
      if (spec.verify !== 'none' && t.getPeerX509Certificate() && peerVerifyError(t) !== null) return fail('handshake');
      settled = true;
      raw.off('timeout', onTimeout);
      raw.off('close', onClose);
      raw.setTimeout(0);
      on.secure(t);
    });
    t.once('error', () => fail('handshake'));
    t.once('close', () => fail('closed'));
  };
}
