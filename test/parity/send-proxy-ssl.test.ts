// send-proxy / send-proxy-v2 towards an "ssl" server, against real HAProxy 2.6: the PROXY header goes out in clear
// before the TLS handshake, and the request follows inside TLS. The server reads the header, then speaks TLS and
// answers with the header it got (v2 in hex), in mode http and mode tcp.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

function headerThenTls(certs: TestCerts): Promise<TestServer> {
  const context = tls.createSecureContext({ cert: readFileSync(certs.crt['srv.example']!), key: readFileSync(certs.key['srv.example']!) });
  return serveOnLoopback((sock: net.Socket) => {
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      let header: string;
      let rest: Buffer;
      if (buf.subarray(0, 6).toString('latin1') === 'PROXY ') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        header = buf.subarray(0, eol).toString('latin1');
        rest = buf.subarray(eol + 2);
      } else if (buf[0] === 0x0d) {
        if (buf.length < 16 || buf.length < 16 + buf.readUInt16BE(14)) return;
        const len = 16 + buf.readUInt16BE(14);
        header = buf.subarray(0, len).toString('hex');
        rest = buf.subarray(len);
      } else {
        header = `none, first byte ${buf[0]}`;
        rest = buf;
      }
      sock.off('data', onData);
      // TLS over a stream that starts with what followed the header (a TLSSocket on the socket itself would read
      // its handle and miss those bytes)
      const carrier = new Duplex({
        read() {
          sock.resume();
        },
        write(chunk: Buffer, _enc, cb) {
          sock.write(chunk, cb);
        },
        final(cb) {
          sock.end();
          cb();
        },
      });
      if (rest.length > 0) carrier.push(rest);
      sock.on('data', (c: Buffer) => carrier.push(c));
      sock.on('end', () => carrier.push(null));
      sock.on('close', () => carrier.destroy());
      const t = new tls.TLSSocket(carrier as unknown as net.Socket, { isServer: true, secureContext: context });
      t.on('error', () => sock.destroy());
      let text = '';
      t.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (!text.includes('\r\n\r\n') && !text.startsWith('tcp:')) return;
        const body = `header=[${header}] then=[${text.split('\r\n')[0]}]`;
        t.end(text.startsWith('tcp:') ? body : `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      });
    };
    sock.on('data', onData);
  });
}

const CONFIG = (port: number, ca: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend v1
    bind 127.0.0.1:{{port0}} accept-proxy
    default_backend v1
backend v1
    server s1 127.0.0.1:${port} ssl verify required ca-file ${ca} sni str(srv.example) send-proxy
frontend v2
    bind 127.0.0.1:{{port1}} accept-proxy
    default_backend v2
backend v2
    server s1 127.0.0.1:${port} ssl verify required ca-file ${ca} sni str(srv.example) send-proxy-v2
listen tcp
    mode tcp
    bind 127.0.0.1:{{port2}} accept-proxy
    server s1 127.0.0.1:${port} ssl verify none send-proxy
`;

const HEADER = 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080\r\n';
const GET = 'GET /fwd HTTP/1.1\r\nHost: x\r\n\r\n';

const CASES: RawCase[] = [
  { name: 'send-proxy: the v1 line, then TLS, then the request', send: HEADER + GET },
  { name: 'send-proxy-v2: the v2 block, then TLS, then the request', send: HEADER + GET, port: 1 },
  { name: 'mode tcp: the header before TLS, the client bytes inside it', send: HEADER + 'tcp:hello', port: 2 },
];

describe.skipIf(!hasHaproxy || !hasOpenssl)('send-proxy towards ssl servers as in real HAProxy 2.6', () => {
  let certs: TestCerts;
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    certs = makeCerts({ 'srv.example': {} });
    srv = await headerThenTls(certs);
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port, certs.caFile), CASES, 3));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    certs?.cleanup();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw the header before TLS on haproxy', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('header=[PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080] then=[GET /fwd HTTP/1.1]');
    expect(expected.get(CASES[1]!.name)!.bytes).toMatch(/header=\[0d0a0d0a000d0a515549540a2111/);
    expect(expected.get(CASES[2]!.name)!.bytes).toBe('header=[PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080] then=[tcp:hello]');
  });
});
