// The ClientHello fetches read a real hello (from node:tls) as HAProxy's payload.c reads it: complete, truncated
// (wait for more), and not a hello at all.
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { helloAlpn, helloSni, helloType, helloVersion } from '../../../proxy/tls/client-hello.ts';
import { chooseAlpn } from '../../../proxy/tls/tls-accept.ts';

// The first bytes a TLS client sends: its ClientHello record.
function captureHello(opts: tls.ConnectionOptions): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = net.createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ ...opts, port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' });
      c.on('error', () => undefined);
    });
  });
}

describe('ClientHello fetches', () => {
  it('read the SNI, the ALPN names in order, the hello type and the client version', async () => {
    const hello = await captureHello({ servername: 'shop.example', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(helloType(hello)).toBe(1);
    expect(helloSni(hello)).toBe('shop.example');
    expect(helloAlpn(hello)).toEqual(['h2', 'http/1.1']);
    // TLS 1.3 clients send the legacy version 3.3
    expect(helloVersion(hello, 1 << 30)).toBe(0x00030003);
  });

  it('say "short" for a hello cut in the middle, so rules wait for the rest', async () => {
    const hello = await captureHello({ servername: 'shop.example' });
    const part = hello.subarray(0, 60);
    expect(helloType(part)).toBe('short');
    expect(helloSni(part)).toBe('short');
    expect(helloAlpn(part)).toBe('short');
  });

  it('give nothing for clear text or a hello without the extension', async () => {
    const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(helloType(http)).toBeNull();
    expect(helloSni(http)).toBeNull();
    const noAlpn = await captureHello({ servername: 'a.example' });
    expect(helloAlpn(noAlpn)).toBeNull();
    const noSni = await captureHello({});
    expect(helloSni(noSni)).toBeNull();
  });

  it('pick ALPN as OpenSSL does for HAProxy: the first of the bind\'s protocols that the client offers, or none', () => {
    expect(chooseAlpn(['h2', 'http/1.1'], ['http/1.1', 'h2'])).toBe('h2');
    expect(chooseAlpn(['h2'], ['http/1.1'])).toBeUndefined();
    expect(chooseAlpn(undefined, ['h2'])).toBeUndefined();
  });
});
