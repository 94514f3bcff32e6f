// What the ssl_fc_*, ssl_c_* and ssl_f_* fetches read of an established client TLS connection, taken once.
import type { X509Certificate } from 'node:crypto';
import { createHash } from 'node:crypto';
import type tls from 'node:tls';
import { peerVerifyError } from './tls-accept.ts';

/** A certificate as the ssl_c_* / ssl_f_* fetches give it out. */
export interface CertView {
  /** [[key, value], ...] in the certificate's order. */
  readonly subject: readonly (readonly [string, string])[];
  readonly issuer: readonly (readonly [string, string])[];
  readonly serial: Buffer;
  /** ASN.1 time as HAProxy prints it: YYMMDDhhmmssZ. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha1: Buffer;
  readonly der: Buffer;
  /** X.509 version (3 for v3 certificates). */
  readonly version: number;
}

export interface TlsView {
  readonly sni?: string;
  readonly protocol: string;
  readonly cipher: string;
  readonly alpn?: string;
  readonly resumed: boolean;
  /** The client's certificate, when it sent one. */
  readonly peer?: CertView;
  /** X509 verify result of the client certificate (0 = ok, or no certificate). */
  readonly verify: number;
  /** The certificate this side presented. */
  readonly local?: CertView;
}

function dnEntries(text: string): [string, string][] {
  return text.split('\n').filter((l) => l !== '').map((l) => {
    const eq = l.indexOf('=');
    return [l.slice(0, eq), l.slice(eq + 1)] as [string, string];
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "Dec  3 09:12:07 2026 GMT" → "261203091207Z" (UTCTime, as certificates before 2050 carry it).
function asn1Time(text: string): string {
  const m = /^(\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/.exec(text);
  if (!m) return text;
  const year = Number(m[6]);
  const mm = String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0');
  const y = year < 2050 ? String(year % 100).padStart(2, '0') : String(year);
  return `${y}${mm}${m[2]!.padStart(2, '0')}${m[3]}${m[4]}${m[5]}Z`;
}

function certView(c: X509Certificate): CertView {
  const der = c.raw;
  // the version is the explicit [0] INTEGER at the start of the TBSCertificate; absent means v1
  const at = der.subarray(0, 16).indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01]));
  const version = at >= 0 ? der[at + 4]! + 1 : 1;
  return {
    subject: dnEntries(c.subject),
    issuer: dnEntries(c.issuer),
    serial: Buffer.from(c.serialNumber.length % 2 ? '0' + c.serialNumber : c.serialNumber, 'hex'),
    notBefore: asn1Time(c.validFrom),
    notAfter: asn1Time(c.validTo),
    sha1: createHash('sha1').update(der).digest(),
    der,
    version,
  };
}

// Node's verify error names as OpenSSL's X509_V_ERR_* numbers (the ones a client certificate can hit).
const VERIFY_CODES: Readonly<Record<string, number>> = {
  UNABLE_TO_GET_ISSUER_CERT: 2, UNABLE_TO_GET_CRL: 3, CERT_SIGNATURE_FAILURE: 7, CERT_NOT_YET_VALID: 9, CERT_HAS_EXPIRED: 10,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18, SELF_SIGNED_CERT_IN_CHAIN: 19, UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21, CERT_REVOKED: 23, INVALID_CA: 24, INVALID_PURPOSE: 26, CERT_UNTRUSTED: 27, CERT_REJECTED: 28,
};

// The view of a socket whose handshake is done. The certificates are parsed only when a fetch asks for them:
// most connections never look, and parsing them costs as much as a request.
export function tlsView(s: tls.TLSSocket): TlsView {
  const cipher = s.getCipher();
  const sni = (s as { servername?: string | false }).servername;
  let peer: CertView | null | undefined;
  let local: CertView | null | undefined;
  let verify: number | undefined;
  const peerCert = (): CertView | null => {
    if (peer === undefined) {
      const c = s.getPeerX509Certificate();
      peer = c ? certView(c) : null;
    }
    return peer;
  };
  return {
    protocol: s.getProtocol() ?? '',
    cipher: cipher?.name ?? '',
    resumed: s.isSessionReused(),
    ...(sni ? { sni } : {}),
    ...(s.alpnProtocol ? { alpn: s.alpnProtocol } : {}),
    get peer() {
      return peerCert() ?? undefined;
    },
    get local() {
      if (local === undefined) {
        const c = s.getX509Certificate();
        local = c ? certView(c) : null;
      }
      return local ?? undefined;
    },
    get verify() {
      if (verify === undefined) {
        const errName = peerCert() ? peerVerifyError(s) : null;
        verify = errName ? VERIFY_CODES[errName] ?? 1 : 0;
      }
      return verify;
    },
  };
}
