// The TLS ClientHello read from raw buffered bytes, as HAProxy's payload.c reads it for req.ssl_hello_type,
// req.ssl_ver, req.ssl_sni and req.ssl_alpn: 'short' while more bytes could still complete it, null when the
// bytes are not what the fetch looks for.

/** smp_fetch_ssl_hello_type: the handshake message type of a complete SSLv3+ record (1 = ClientHello). */
export function helloType(d: Buffer): number | 'short' | null {
  if (d.length === 0) return 'short';
  if (!((d[0]! >= 0x14 && d[0]! <= 0x17) || d[0] === 0xff)) return null;
  if (d.length < 9) return 'short';
  if ((d[1]! << 16) + d[2]! < 0x00030000) return null;
  if ((d[3]! << 8) + d[4]! < 4) return null;
  const hsLen = (d[6]! << 16) + (d[7]! << 8) + d[8]!;
  if (d.length < 9 + hsLen) return 'short';
  return d[5]!;
}

/** smp_fetch_req_ssl_ver: the ClientHello's version as (major << 16) + minor (SSLv3 format, or an SSLv2 hello). */
export function helloVersion(buf: Buffer, recvLimit: number): number | 'short' | null {
  let d = buf;
  if (d.length === 0) return 'short';
  let version: number;
  let msgLen: number;
  if ((d[0]! >= 0x14 && d[0]! <= 0x17) || d[0] === 0xff) {
    if (d.length < 11) return 'short';
    version = (d[1]! << 16) + d[2]!;
    msgLen = (d[3]! << 8) + d[4]!;
    if (version < 0x00030000) return null;
    if (msgLen < 6 || msgLen > (1 << 14) + 2048) return null;
    d = d.subarray(5);
    version = (d[4]! << 16) + d[5]!;
  } else {
    let rlen: number;
    let plen: number;
    if (d[0]! & 0x80) {
      if (d.length < 3) return 'short';
      rlen = ((d[0]! & 0x7f) << 8) | d[1]!;
      plen = 0;
      d = d.subarray(2);
    } else {
      if (d.length < 4) return 'short';
      rlen = ((d[0]! & 0x3f) << 8) | d[1]!;
      plen = d[2]!;
      d = d.subarray(3);
    }
    if (d[0] !== 0x01) return null;
    d = d.subarray(1);
    if (d.length < 8) return 'short';
    version = (d[0]! << 16) + d[1]!;
    const cilen = (d[2]! << 8) + d[3]!;
    const silen = (d[4]! << 8) + d[5]!;
    const chlen = (d[6]! << 8) + d[7]!;
    d = d.subarray(8);
    if (cilen % 3 !== 0) return null;
    if (silen && silen !== 16) return null;
    if (chlen < 16 || chlen > 32) return null;
    if (rlen !== 9 + cilen + silen + chlen) return null;
    msgLen = cilen + silen + chlen + plen;
  }
  msgLen = Math.min(msgLen, recvLimit - (buf.length - d.length));
  if (d.length < msgLen) return 'short';
  return version;
}

/** One extension of a complete ClientHello: its data, null when absent or malformed, 'short' when incomplete. */
function helloExtension(d: Buffer, wanted: number): Buffer | 'short' | null {
  if (d.length === 0) return 'short';
  if (d[0] !== 0x16) return null;
  if (d.length < 3) return 'short';
  if (d[1]! < 0x03) return null;
  if (d.length < 5) return 'short';
  let hsLen = (d[3]! << 8) + d[4]!;
  if (hsLen < 1 + 3 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return null;
  let p = 5;
  if (d.length - p < 1) return 'short';
  if (d[p] !== 0x01) return null;
  if (d.length - p < 4) return 'short';
  hsLen = (d[p + 1]! << 16) + (d[p + 2]! << 8) + d[p + 3]!;
  if (hsLen < 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return null;
  if (d.length - p < hsLen) return 'short';
  p += 4;
  if (d[p]! < 0x03 || d[p + 1]! < 0x01) return null;
  let extLen = d[p + 34]!;
  if (extLen > 32 || extLen > hsLen - 35) return null;
  hsLen -= 35 + extLen;
  p += 35 + extLen;
  if (hsLen < 4) return null;
  extLen = (d[p]! << 8) + d[p + 1]!;
  if (extLen < 2 || extLen > hsLen) return null;
  hsLen -= 2 + extLen;
  p += 2 + extLen;
  if (hsLen < 2 || d[p]! < 1 || d[p]! > hsLen) return null;
  hsLen -= 1 + d[p]!;
  p += 1 + d[p]!;
  if (hsLen < 2) return null;
  extLen = (d[p]! << 8) + d[p + 1]!;
  if (extLen > hsLen - 2) return null;
  hsLen = extLen;
  p += 2;
  while (hsLen >= 4) {
    const type = (d[p]! << 8) + d[p + 1]!;
    const len = (d[p + 2]! << 8) + d[p + 3]!;
    if (len > hsLen - 4) return null;
    if (type === wanted) return d.subarray(p, p + 4 + len);
    hsLen -= 4 + len;
    p += 4 + len;
  }
  return null;
}

/** smp_fetch_ssl_hello_sni: the first host_name of the server_name extension. */
export function helloSni(d: Buffer): string | 'short' | null {
  const ext = helloExtension(d, 0);
  if (ext === null || ext === 'short') return ext;
  const extLen = (ext[2]! << 8) + ext[3]!;
  if (extLen < 2) return null;
  const srvLen = (ext[4]! << 8) + ext[5]!;
  if (srvLen < 4) return null;
  if (ext[6] !== 0) return null;
  const nameLen = (ext[7]! << 8) + ext[8]!;
  return ext.toString('latin1', 9, 9 + nameLen);
}

/** smp_fetch_ssl_hello_alpn: every protocol name the client offers, in its order of preference. */
export function helloAlpn(d: Buffer): string[] | 'short' | null {
  const ext = helloExtension(d, 16);
  if (ext === null || ext === 'short') return ext;
  const extLen = (ext[2]! << 8) + ext[3]!;
  if (extLen < 3) return null;
  const names: string[] = [];
  let off = 6;
  for (;;) {
    const len = ext[off]!;
    if (len + off - 3 > extLen) return names.length > 0 ? names : null;
    names.push(ext.toString('latin1', off + 1, off + 1 + len));
    if (len + off - 3 >= extLen) return names;
    off += len + 1;
  }
}
