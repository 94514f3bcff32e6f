// send-proxy-v2-ssl / send-proxy-v2-ssl-cn against real HAProxy 2.6: the bytes a loopback server receives in the
// PROXY v2 header for TLS clients with and without a client certificate and ALPN, and for a clear-text client. The
// SSL TLV carries the client bits, the verify result and the TLS version (and the certificate's CN with -ssl-cn);
// the ALPN TLV comes whenever the client's TLS negotiated one, plain send-proxy-v2 included. Ports are masked.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// reads the v2 header, then answers the request with the header in hex, its two ports masked
function headerEcho(): Promise<TestServer> {
  return serveOnLoopback((sock: net.Socket) => {
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 16 || buf.length < 16 + buf.readUInt16BE(14)) return;
      const len = 16 + buf.readUInt16BE(14);
      if (!buf.subarray(len).includes('\r\n\r\n')) return;
      const hex = buf.subarray(0, len).toString('hex');
      const body = `${hex.slice(0, 48)}PPPPPPPP${hex.slice(56)}`;
      sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
}

const CONFIG = (port: number, certs: TestCerts) => `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend tls_in
    bind 127.0.0.1:{{port0}} ssl crt ${certs.pem['lab.example']} ca-file ${certs.caFile} verify optional alpn h2,http/1.1
    use_backend cn if { path /cn }
    use_backend plain if { path /plain }
    default_backend ssl
frontend clear_in
    bind 127.0.0.1:{{port1}}
    default_backend ssl
backend ssl
    server s1 127.0.0.1:${port} send-proxy-v2-ssl
backend cn
    server s1 127.0.0.1:${port} send-proxy-v2-ssl-cn
backend plain
    server s1 127.0.0.1:${port} send-proxy-v2
`;

interface Client {
  readonly name: string;
  readonly path: string;
  readonly port: number;
  readonly tls?: { cert?: boolean; alpn?: string[] };
}

const CLIENTS: Client[] = [
  { name: 'a TLS client without a certificate: SSL bit and version', path: '/ssl', port: 0, tls: {} },
  { name: 'a TLS client with a certificate: cert bits and verify result', path: '/ssl', port: 0, tls: { cert: true } },
  { name: '-ssl-cn adds the certificate\'s CN', path: '/cn', port: 0, tls: { cert: true } },
  { name: '-ssl-cn without a certificate has no CN', path: '/cn', port: 0, tls: {} },
  { name: 'the ALPN the client negotiated comes first', path: '/ssl', port: 0, tls: { alpn: ['http/1.1'] } },
  { name: 'plain send-proxy-v2 carries the ALPN too', path: '/plain', port: 0, tls: { alpn: ['http/1.1'] } },
  { name: 'plain send-proxy-v2 without ALPN has no TLV', path: '/plain', port: 0, tls: {} },
  { name: 'a clear-text client: an SSL TLV with nothing set', path: '/ssl', port: 1 },
];

function ask(port: number, c: Client, certs: TestCerts): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const req = `GET ${c.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const done = () => resolve(out.split('\r\n\r\n')[1] ?? `no answer: ${out}`);
    const sock = c.tls
      ? tls.connect({
          host: '127.0.0.1', port, servername: 'lab.example', ca: readFileSync(certs.caFile), maxVersion: 'TLSv1.3',
          ...(c.tls.cert ? { cert: readFileSync(certs.crt['alice']!), key: readFileSync(certs.key['alice']!) } : {}),
          ...(c.tls.alpn ? { ALPNProtocols: c.tls.alpn } : {}),
        }, () => sock.write(req))
      : net.connect({ host: '127.0.0.1', port }, () => sock.write(req));
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
    sock.on('error', done);
    sock.on('close', done);
  });
}

async function play(ports: readonly number[], certs: TestCerts): Promise<string[]> {
  const out: string[] = [];
  for (const c of CLIENTS) out.push(await ask(ports[c.port]!, c, certs));
  return out;
}

describe.skipIf(!hasHaproxy || !hasOpenssl)('send-proxy-v2-ssl and -ssl-cn write the TLVs real HAProxy 2.6 writes', () => {
  let certs: TestCerts;
  let srv: TestServer;
  let expected: string[] = [];
  let got: string[] = [];

  beforeAll(async () => {
    certs = makeCerts({ 'lab.example': {} }, { alice: { subject: '/O=Lab/CN=alice.client' } });
    srv = await headerEcho();
    const cfg = CONFIG(srv.port, certs);
    const real = await startHaproxy(cfg, { ports: 2 });
    try {
      expected = await play(real.ports, certs);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { ports: 2 });
    try {
      got = await play(ours.ports, certs);
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    certs?.cleanup();
  });

  for (const [i, c] of CLIENTS.entries()) {
    it(c.name, () => {
      expect(got[i]).toBe(expected[i]);
    });
  }

  it('saw what the cases are about', () => {
    const tlvs = (i: number) => expected[i]!.slice(56);
    // SSL TLV 0x20: client 0x01, verify 0, then the version sub-TLV 0x21 "TLSv1.3"
    expect(tlvs(0)).toBe(`20000f0100000000210007${Buffer.from('TLSv1.3').toString('hex')}`);
    expect(tlvs(1).slice(0, 8)).toBe('20000f07');
    expect(tlvs(2)).toContain(`22000c${Buffer.from('alice.client').toString('hex')}`);
    expect(tlvs(3)).not.toContain('22000c');
    expect(tlvs(4).startsWith(`010008${Buffer.from('http/1.1').toString('hex')}20`)).toBe(true);
    expect(tlvs(5)).toBe(`010008${Buffer.from('http/1.1').toString('hex')}`);
    expect(tlvs(6)).toBe('');
    expect(tlvs(7)).toBe('2000050000000000');
  });
});
