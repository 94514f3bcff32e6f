// The PROXY protocol against real HAProxy 2.6: "bind ... accept-proxy" takes v1 and v2 headers (the addresses
// they carry become src/dst for rules, samples and the log; LOCAL keeps the connection's own), refuses what is
// not a header with HAProxy's log line, and "server ... send-proxy" / "send-proxy-v2" put the header the server
// receives byte for byte, in mode http and mode tcp. Every address, real or carried, is on 127.0.0.0/8 or ::1.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// A server that takes the PROXY header it is sent (v1 line or v2 block), then the request head, and answers
// with what it received as the header (v2 in hex), then closes.
function headerEcho(): Promise<TestServer> {
  return serveOnLoopback((sock: net.Socket) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let header = '';
      let rest = buf;
      if (buf.subarray(0, 6).toString('latin1') === 'PROXY ') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        header = buf.subarray(0, eol).toString('latin1');
        rest = buf.subarray(eol + 2);
      } else if (buf[0] === 0x0d) {
        if (buf.length < 16) return;
        const len = 16 + buf.readUInt16BE(14);
        if (buf.length < len) return;
        header = buf.subarray(0, len).toString('hex');
        rest = buf.subarray(len);
      }
      const text = rest.toString('latin1');
      if (!text.includes('\r\n\r\n') && !text.startsWith('tcp:')) return;
      const body = `header=[${header}] then=[${text.split('\r\n')[0]}]`;
      sock.end(text.startsWith('tcp:') ? body : `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
}

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend accept
    bind 127.0.0.1:{{port0}} accept-proxy
    http-request deny deny_status 403 if { src 127.66.0.0/16 }
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port] dst=%[dst]:%[dst_port]" if { path /who }
    http-request return status 200 content-type text/plain lf-string "src=%[src] dst=%[dst]" if { path /local }
    default_backend v1
backend v1
    server s1 127.0.0.1:${port} send-proxy
frontend v2
    bind 127.0.0.1:{{port1}} accept-proxy
    default_backend v2
backend v2
    server s1 127.0.0.1:${port} send-proxy-v2
listen tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:{{port2}} accept-proxy
    server s1 127.0.0.1:${port} send-proxy-v2
listen plain_v1
    bind 127.0.0.1:{{port3}}
    server s1 127.0.0.1:${port} send-proxy
`;

const v2 = (cmd: number, fam: number, addr: Buffer): string => {
  const head = Buffer.alloc(16);
  Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1').copy(head);
  head[12] = 0x20 | cmd;
  head[13] = fam;
  head.writeUInt16BE(addr.length, 14);
  return Buffer.concat([head, addr]).toString('latin1');
};
const v4pair = (src: number[], dst: number[], sp: number, dp: number): Buffer => {
  const b = Buffer.alloc(12);
  Buffer.from(src).copy(b, 0);
  Buffer.from(dst).copy(b, 4);
  b.writeUInt16BE(sp, 8);
  b.writeUInt16BE(dp, 10);
  return b;
};
const v6local = (sp: number, dp: number): Buffer => {
  const b = Buffer.alloc(36);
  b[15] = 1;
  b[31] = 1;
  b.writeUInt16BE(sp, 32);
  b.writeUInt16BE(dp, 34);
  return b;
};

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

const CASES: RawCase[] = [
  { name: 'a v1 header gives src and dst to samples and the log', send: 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080\r\n' + GET('/who') },
  { name: 'a v1 TCP6 header', send: 'PROXY TCP6 ::1 ::1 6000 443\r\n' + GET('/who') },
  { name: 'a v1 UNKNOWN header keeps the connection addresses', send: 'PROXY UNKNOWN\r\n' + GET('/local') },
  { name: 'the carried source decides ACLs', send: 'PROXY TCP4 127.66.1.1 127.0.0.1 4000 80\r\n' + GET('/who') },
  { name: 'a v2 PROXY header over TCP4', send: v2(1, 0x11, v4pair([127, 7, 7, 7], [127, 8, 8, 8], 1234, 80)) + GET('/who') },
  { name: 'a v2 TCP6 header', send: v2(1, 0x21, v6local(7000, 8443)) + GET('/who') },
  { name: 'a v2 LOCAL header keeps the connection addresses', send: v2(0, 0x00, Buffer.alloc(0)) + GET('/local') },
  { name: 'no header at all: refused and logged', send: GET('/who') },
  { name: 'a v1 header with a name for an address: refused', send: 'PROXY TCP4 localhost 127.0.0.1 1 2\r\n' + GET('/who') },
  { name: 'a v1 port above 65535 keeps its low 16 bits, as haproxy reads it', send: 'PROXY TCP4 127.0.0.1 127.0.0.1 70000 2\r\n' + GET('/who') },
  { name: 'a v1 group above 255 carries into the one before it (127.0.0.999 is 127.0.3.231)', send: 'PROXY TCP4 127.0.0.999 127.0.1.256 1 2\r\n' + GET('/who') },
  { name: 'a v1 group of more than three digits keeps its last three', send: 'PROXY TCP4 127.0.0.1234 127.0.0.0001 1 2\r\n' + GET('/who') },
  { name: 'a v1 address of fewer groups fills from the first', send: 'PROXY TCP4 127.1 127 1 2\r\n' + GET('/who') },
  { name: 'a v1 TCP6 header with an IPv4-mapped address', send: 'PROXY TCP6 ::ffff:127.0.0.2 0:0::1 3 4\r\n' + GET('/who') },
  { name: 'a v1 UNKNOWN header followed by addresses', send: 'PROXY UNKNOWN ::1 ::1 1 2\r\n' + GET('/local') },
  { name: 'a v1 header of an unknown protocol: refused as such', send: 'PROXY TCP5 127.0.0.1 127.0.0.1 1 2\r\n' + GET('/who') },
  { name: 'a v1 port that is not a number: refused', send: 'PROXY TCP4 127.0.0.1 127.0.0.1 x 2\r\n' + GET('/who') },
  { name: 'send-proxy: the server gets the carried addresses in a v1 line', send: 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080\r\n' + GET('/fwd') },
  { name: 'send-proxy-v2: the server gets them in a v2 block', send: 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080\r\n' + GET('/fwd'), port: 1 },
  { name: 'send-proxy-v2 of a TCP6 client', send: 'PROXY TCP6 ::1 ::1 6000 443\r\n' + GET('/fwd'), port: 1 },
  { name: 'mode tcp: accept-proxy then send-proxy-v2', send: 'PROXY TCP4 127.9.8.7 127.6.5.4 999 7000\r\ntcp:hello', port: 2 },
];

describe.skipIf(!hasHaproxy)('the PROXY protocol works as in real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await headerEcho();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 4));
  }, 90_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    expect(seen(0).bytes).toContain('src=127.1.2.3:5555 dst=127.4.5.6:8080');
    expect(seen(0).logs[0]).toMatch(/^127\.1\.2\.3:PORT /);
    expect(seen(2).bytes).toContain('src=127.0.0.1 dst=127.0.0.1');
    expect(seen(3).bytes).toMatch(/^HTTP\/1\.1 403/);
    expect(seen(7).bytes).toBe('');
    expect(seen(7).logs.join('\n')).toContain('Received something which does not look like a PROXY protocol header');
    expect(seen(10).bytes).toContain('src=127.0.3.231:1 dst=127.0.2.0:2');
    expect(seen(17).bytes).toContain('header=[PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080]');
    expect(seen(18).bytes).toMatch(/header=\[0d0a0d0a000d0a515549540a2111000c7f0102037f04050615b31f90/);
  });
});

// Without accept-proxy the client's real address is sent: only its port varies, so the line is compared by shape.
describe.skipIf(!hasHaproxy)('send-proxy from a plain bind', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  const CASE: RawCase[] = [{ name: 'the real client address and the bind address', send: GET('/fwd'), port: 3 }];

  beforeAll(async () => {
    srv = await headerEcho();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASE, 4));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
  });

  it('sends PROXY TCP4 with the client and the bind, as haproxy does', () => {
    const shape = (s: string) => s.replace(/PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+/, 'PROXY TCP4 127.0.0.1 127.0.0.1 SPORT DPORT');
    const e = expected.get(CASE[0]!.name)!.bytes;
    expect(e).toMatch(/header=\[PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+\]/);
    expect(shape(got.get(CASE[0]!.name)!.bytes)).toBe(shape(e));
  });
});
