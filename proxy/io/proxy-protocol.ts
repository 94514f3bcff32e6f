// The PROXY protocol (v1 text, v2 binary; HAProxy's doc/proxy-protocol.txt and src/connection.c): reading the
// header a "bind ... accept-proxy" expects before anything else, and writing the one "server ... send-proxy" and
// "send-proxy-v2" put before the request.
import net from 'node:net';
import type { TlsView } from '../tls/tls-info.ts';

/** The addresses a header carries; null for LOCAL (v2) or UNKNOWN (v1): the connection's own are kept. */
export interface ProxiedAddresses {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** What HAProxy says of a header it could not take (conn_err_code_str), as its embryonic log line reads. */
export type ProxyHeaderError = 'not-header' | 'bad-header' | 'bad-proto' | 'truncated' | 'timeout' | 'abort';

export const PROXY_ERROR_TEXT: Readonly<Record<ProxyHeaderError, string>> = {
  'not-header': 'Received something which does not look like a PROXY protocol header',
  'bad-header': 'Received an invalid PROXY protocol header',
  'bad-proto': 'Received an unhandled protocol in the PROXY protocol header',
  truncated: 'Truncated PROXY protocol header received',
  timeout: 'Timeout while waiting for a PROXY protocol header',
  abort: 'Connection closed while waiting for PROXY protocol header',
};

export type ParseResult =
  | { readonly kind: 'need' }
  | { readonly kind: 'error'; readonly why: ProxyHeaderError }
  | { readonly kind: 'ok'; readonly length: number; readonly addrs: ProxiedAddresses | null };

const V2_SIG = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');
const V1_MAX = 107;

// Where the v1 line stops making sense before its end: 'need' while a whole line could still come (what a caller
// reading in one go, as HAProxy does, calls truncated: see parseProxyHeaderAtOnce).
const missing = (buf: Buffer): ParseResult => (buf.length >= V1_MAX ? { kind: 'error', why: 'truncated' } : { kind: 'need' });

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * A TCP4 address as inetaddr_host_lim_ret() reads it: up to four dot-separated groups, each taken as its last three
 * digits, summed without a range check so that a group above 255 carries into the one before it ("127.0.0.999" is
 * 127.0.3.231, measured on 2.6.12). Returns the address and where reading stopped.
 */
export function readV1Ipv4(buf: Buffer, from: number, end: number): { addr: string; next: number } {
  const lanes = [0, 0, 0, 0];
  let lane = 0;
  let p = from;
  let text = from;
  for (;;) {
    while (p < end && isDigit(buf[p])) p++;
    // the group's last three digits (fewer when it is shorter; none when it is empty)
    const start = Math.max(text, p - 3);
    let v = 0;
    for (let k = start; k < p; k++) v = v * 10 + (buf[k]! - 0x30);
    lanes[lane] = v;
    if (lane === 3 || p === end || buf[p] !== 0x2e) break;
    lane++;
    text = ++p;
  }
  // the packed sum: each lane's excess over 255 carries into the lane above it, and out of the top lane is lost
  const n = ((lanes[0]! * 2 ** 24) + (lanes[1]! * 2 ** 16) + (lanes[2]! * 2 ** 8) + lanes[3]!) % 2 ** 32;
  return { addr: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), next: p };
}

// read_uint(): digits as an unsigned 32-bit number; HAProxy keeps 16 bits of a port (70000 is 4464; measured).
function readUint(buf: Buffer, from: number, end: number): { value: number; next: number } {
  let v = 0;
  let p = from;
  while (p < end && isDigit(buf[p])) v = (v * 10 + (buf[p++]! - 0x30)) % 2 ** 32;
  return { value: v % 65536, next: p };
}

/** A v1 line or a v2 block at the start of `buf`, read as conn_recv_proxy() reads it. */
export function parseProxyHeader(buf: Buffer): ParseResult {
  if (buf.length === 0) return { kind: 'need' };
  if (buf[0] === 0x0d) return parseV2(buf);
  const prefix = 'PROXY ';
  for (let i = 0; i < Math.min(buf.length, prefix.length); i++) {
    if (buf[i] !== prefix.charCodeAt(i)) return { kind: 'error', why: 'not-header' };
  }
  if (buf.length < 15) {
    // not enough to name the protocol yet, unless what came already names none HAProxy knows
    const proto = buf.toString('latin1', 6);
    const known = ['TCP4 ', 'TCP6 ', 'UNKNOWN\r\n'].some((k) => k.startsWith(proto) || proto.startsWith(k));
    if (!known) return { kind: 'error', why: 'bad-proto' };
    if (!proto.startsWith('UNKNOWN\r\n')) return { kind: 'need' };
  }
  const proto = buf.toString('latin1', 6, 11);
  if (proto === 'TCP4 ') return parseV1Tcp4(buf);
  if (proto === 'TCP6 ') return parseV1Tcp6(buf);
  if (buf.toString('latin1', 6, 15) === 'UNKNOWN\r\n') return { kind: 'ok', length: 15, addrs: null };
  return { kind: 'error', why: 'bad-proto' };
}

/**
 * The header as conn_recv_proxy() judges it from one peek of what has arrived: anything short of a whole header is
 * "truncated" there (it cannot poll again once data is waiting), so a header split across packets is refused. Fewer
 * than 6 bytes are truncated whatever they are, and so is less than a v2 header's 16 when they do not start a v1 line.
 */
export function parseProxyHeaderAtOnce(buf: Buffer): Exclude<ParseResult, { kind: 'need' }> {
  const truncated = { kind: 'error', why: 'truncated' } as const;
  if (buf.length < 6) return truncated;
  if (buf.length < 16 && buf.toString('latin1', 0, 6) !== 'PROXY ') return truncated;
  const r = parseProxyHeader(buf);
  return r.kind === 'need' ? truncated : r;
}

function parseV1Tcp4(buf: Buffer): ParseResult {
  const end = buf.length;
  const src = readV1Ipv4(buf, 11, end);
  let p = src.next;
  if (p === end) return missing(buf);
  if (buf[p++] !== 0x20) return { kind: 'error', why: 'bad-header' };
  const dst = readV1Ipv4(buf, p, end);
  p = dst.next;
  if (p === end) return missing(buf);
  if (buf[p++] !== 0x20) return { kind: 'error', why: 'bad-header' };
  const sport = readUint(buf, p, end);
  p = sport.next;
  if (p === end) return missing(buf);
  if (buf[p++] !== 0x20) return { kind: 'error', why: 'bad-header' };
  const dport = readUint(buf, p, end);
  p = dport.next;
  if (p > end - 2) return missing(buf);
  if (buf[p++] !== 0x0d || buf[p++] !== 0x0a) return { kind: 'error', why: 'bad-header' };
  return { kind: 'ok', length: p, addrs: { src: src.addr, srcPort: sport.value, dst: dst.addr, dstPort: dport.value } };
}

// TCP6: the words up to CR split at spaces (a fourth space and what follows it are ignored), ports of digits only,
// addresses as inet_pton reads them.
function parseV1Tcp6(buf: Buffer): ParseResult {
  const eol = buf.indexOf(0x0d, 11);
  if (eol < 0 || eol > buf.length - 2) return missing(buf);
  if (buf[eol + 1] !== 0x0a) return { kind: 'error', why: 'bad-header' };
  const words = buf.toString('latin1', 11, eol).split(' ');
  if (words.length < 4) return { kind: 'error', why: 'bad-header' };
  const [srcText, dstText, sportText, dportText] = words as [string, string, string, string];
  if (!/^\d*$/.test(sportText) || !/^\d*$/.test(dportText)) return { kind: 'error', why: 'bad-header' };
  if (!isInet6(srcText) || !isInet6(dstText)) return { kind: 'error', why: 'bad-header' };
  const port = (t: string) => readUint(Buffer.from(t, 'latin1'), 0, t.length).value;
  return { kind: 'ok', length: eol + 2, addrs: { src: ipv6Canonical(srcText), srcPort: port(sportText), dst: ipv6Canonical(dstText), dstPort: port(dportText) } };
}

// inet_pton(AF_INET6) takes no zone index, which Node's isIP would
const isInet6 = (t: string): boolean => !t.includes('%') && net.isIP(t) === 6;

const ipv6Canonical = (t: string): string => new net.SocketAddress({ address: t, family: 'ipv6' }).address;

function parseV2(buf: Buffer): ParseResult {
  const n = Math.min(buf.length, V2_SIG.length);
  if (!buf.subarray(0, n).equals(V2_SIG.subarray(0, n))) return { kind: 'error', why: 'not-header' };
  if (buf.length < 16) return { kind: 'need' };
  const verCmd = buf[12]!;
  const fam = buf[13]!;
  const len = buf.readUInt16BE(14);
  if (verCmd >> 4 !== 2) return { kind: 'error', why: 'not-header' };
  if (buf.length < 16 + len) return { kind: 'need' };
  const length = 16 + len;
  const cmd = verCmd & 0x0f;
  if (cmd === 0) return { kind: 'ok', length, addrs: null }; // LOCAL: a health check of the sender's own
  if (cmd !== 1) return { kind: 'error', why: 'bad-header' };
  if (fam === 0x11) {
    if (len < 12) return { kind: 'error', why: 'bad-header' };
    const a = buf.subarray(16);
    return { kind: 'ok', length, addrs: { src: [...a.subarray(0, 4)].join('.'), dst: [...a.subarray(4, 8)].join('.'), srcPort: a.readUInt16BE(8), dstPort: a.readUInt16BE(10) } };
  }
  if (fam === 0x21) {
    if (len < 36) return { kind: 'error', why: 'bad-header' };
    const a = buf.subarray(16);
    return { kind: 'ok', length, addrs: { src: ipv6Text(a.subarray(0, 16)), dst: ipv6Text(a.subarray(16, 32)), srcPort: a.readUInt16BE(32), dstPort: a.readUInt16BE(34) } };
  }
  // UNSPEC (or a family the lab does not take, such as unix): the connection's own addresses stay
  return { kind: 'ok', length, addrs: null };
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

/**
 * Reads the header off a fresh connection from its first read, then hands the socket on with whatever followed it
 * put back.
 * `timeoutMs` 0 waits forever (HAProxy bounds it with "timeout client").
 */
export function readProxyHeader(sock: net.Socket, timeoutMs: number, done: (r: { addrs: ProxiedAddresses | null } | { error: ProxyHeaderError; bytes: number }) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | null = null;
  const finish = (): void => {
    if (timer) clearTimeout(timer);
    sock.off('data', onData);
    sock.off('end', onEnd);
    sock.off('close', onEnd);
  };
  const onData = (d: Buffer): void => {
    buf = d;
    const r = parseProxyHeaderAtOnce(buf);
    finish();
    sock.pause();
    if (r.kind === 'error') {
      done({ error: r.why, bytes: buf.length });
      return;
    }
    if (buf.length > r.length) sock.unshift(buf.subarray(r.length));
    done({ addrs: r.addrs });
  };
  const onEnd = (): void => {
    finish();
    done({ error: 'abort', bytes: buf.length });
  };
  sock.on('data', onData);
  sock.once('end', onEnd);
  sock.once('close', onEnd);
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      finish();
      done({ error: 'timeout', bytes: buf.length });
    }, timeoutMs);
  }
  sock.resume();
}

/** The header "send-proxy" (1) or "send-proxy-v2" (2) writes for a client's connection; v2 may carry TLVs. */
export function buildProxyHeader(version: 1 | 2, a: ProxiedAddresses, tlvs?: Buffer): Buffer {
  const v6 = net.isIP(a.src) === 6 || net.isIP(a.dst) === 6;
  const src = v6 ? toV6(a.src) : a.src;
  const dst = v6 ? toV6(a.dst) : a.dst;
  if (version === 1) return Buffer.from(`PROXY ${v6 ? 'TCP6' : 'TCP4'} ${src} ${dst} ${a.srcPort} ${a.dstPort}\r\n`, 'latin1');
  const body = v6 ? Buffer.alloc(36) : Buffer.alloc(12);
  if (v6) {
    v6Bytes(src).copy(body, 0);
    v6Bytes(dst).copy(body, 16);
    body.writeUInt16BE(a.srcPort, 32);
    body.writeUInt16BE(a.dstPort, 34);
  } else {
    Buffer.from(src.split('.').map(Number)).copy(body, 0);
    Buffer.from(dst.split('.').map(Number)).copy(body, 4);
    body.writeUInt16BE(a.srcPort, 8);
    body.writeUInt16BE(a.dstPort, 10);
  }
  const head = Buffer.alloc(16);
  V2_SIG.copy(head, 0);
  head[12] = 0x21;
  head[13] = v6 ? 0x21 : 0x11;
  head.writeUInt16BE(body.length + (tlvs?.length ?? 0), 14);
  return tlvs ? Buffer.concat([head, body, tlvs]) : Buffer.concat([head, body]);
}

// PP2 TLV types (doc/proxy-protocol.txt 2.2) and the SSL TLV's client bits
const PP2_TYPE_ALPN = 0x01;
const PP2_TYPE_SSL = 0x20;
const PP2_SUBTYPE_SSL_VERSION = 0x21;
const PP2_SUBTYPE_SSL_CN = 0x22;
const PP2_CLIENT_SSL = 0x01;
const PP2_CLIENT_CERT_CONN = 0x02;
const PP2_CLIENT_CERT_SESS = 0x04;

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

/**
 * The TLVs make_proxy_line_v2() adds after the addresses: the client's ALPN whenever its TLS negotiated one, then
 * with send-proxy-v2-ssl the SSL TLV (client bits, verify result, the TLS version, and with -ssl-cn the client
 * certificate's CN), written even for a clear-text client (client bits 0, no sub-TLV).
 */
function proxyTlvs(ssl: 0 | 1 | 2, tls: TlsView | undefined): Buffer | undefined {
  const out: Buffer[] = [];
  if (tls?.alpn) out.push(tlv(PP2_TYPE_ALPN, Buffer.from(tls.alpn, 'latin1')));
  if (ssl > 0) {
    const fixed = Buffer.alloc(5);
    const subs: Buffer[] = [];
    if (tls) {
      fixed[0] = PP2_CLIENT_SSL;
      subs.push(tlv(PP2_SUBTYPE_SSL_VERSION, Buffer.from(tls.protocol, 'latin1')));
      if (tls.peer) {
        // the certificate was presented on this very connection: there is no session resumption on the engine's binds
        fixed[0]! |= PP2_CLIENT_CERT_SESS | (tls.resumed ? 0 : PP2_CLIENT_CERT_CONN);
        fixed.writeUInt32BE(tls.verify >>> 0, 1);
      }
      const cn = tls.peer?.subject.find(([k]) => k === 'CN')?.[1];
      if (ssl === 2 && cn !== undefined && cn !== '') subs.push(tlv(PP2_SUBTYPE_SSL_CN, Buffer.from(cn, 'utf8')));
    }
    out.push(tlv(PP2_TYPE_SSL, Buffer.concat([fixed, ...subs])));
  }
  return out.length > 0 ? Buffer.concat(out) : undefined;
}

// HAProxy writes a mixed pair as TCP6 with the IPv4 side mapped (::ffff:a.b.c.d).
function toV6(ip: string): string {
  return net.isIP(ip) === 4 ? `::ffff:${ip}` : ip;
}

function v6Bytes(ip: string): Buffer {
  const out = Buffer.alloc(16);
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  if (m) {
    const [a, b, c, d] = m[2]!.split('.').map(Number) as [number, number, number, number];
    text = `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = text.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  groups.forEach((g, k) => out.writeUInt16BE(Number.parseInt(g, 16) || 0, k * 2));
  return out;
}

/** The PROXY header a server with send-proxy / send-proxy-v2[-ssl[-cn]] gets first, for this client's connection. */
export function serverPreface(spec: { readonly sendProxy?: 1 | 2; readonly proxyV2Ssl?: 1 | 2 }, a: ProxiedAddresses & { readonly tls?: TlsView | undefined }): Buffer | undefined {
  if (!spec.sendProxy) return undefined;
  if (spec.sendProxy === 1) return buildProxyHeader(1, a);
  return buildProxyHeader(2, a, proxyTlvs(spec.proxyV2Ssl ?? 0, a.tls));
}
