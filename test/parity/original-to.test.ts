// option originalto against real HAProxy 2.6: the destination address in X-Original-To (or the backend's, else
// the frontend's, header name), after X-Forwarded-For, none for an "except" network; set-dst moves it.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// Answers with the x-* header lines it received, in order.
function headerEcho(): Promise<TestServer> {
  return serveOnLoopback((sock: net.Socket) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const body = head.split('\r\n').filter((l) => /^x-/i.test(l)).join(' | ');
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
    });
  });
}

const CONFIG = (port: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    option forwardfor
    option originalto header X-Fe-Dst
    http-request set-dst hdr(x-dst) if { hdr(x-dst) -m found }
    use_backend named if { path /named }
    use_backend excepted if { path /except }
    default_backend plain
backend plain
    server s1 127.0.0.1:${port}
backend named
    option originalto header X-Be-Dst
    server s1 127.0.0.1:${port}
backend excepted
    option originalto except 127.0.0.0/8
    server s1 127.0.0.1:${port}
listen li
    bind 127.0.0.1:{{port1}}
    option originalto
    server s1 127.0.0.1:${port}
`;

const get = (path: string, ...h: string[]) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${h.map((l) => l + '\r\n').join('')}\r\n`;

const CASES: RawCase[] = [
  { name: "the frontend's header name when the backend has no option", send: get('/') },
  { name: "the backend's header name wins", send: get('/named') },
  { name: 'an except network in the backend: no header', send: get('/except') },
  { name: 'set-dst moves the address sent', send: get('/', 'X-Dst: 127.3.3.3') },
  { name: 'the default name, X-Original-To', send: get('/'), port: 1 },
];

describe.skipIf(!hasHaproxy)('option originalto does what real HAProxy 2.6 does', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await headerEcho();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 2));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const bytes = (i: number) => expected.get(CASES[i]!.name)!.bytes;
    expect(bytes(0)).toContain('x-forwarded-for: 127.0.0.1 | x-fe-dst: 127.0.0.1');
    expect(bytes(1)).toContain('x-be-dst: 127.0.0.1');
    expect(bytes(2)).not.toContain('dst:');
    expect(bytes(3)).toContain('x-fe-dst: 127.3.3.3');
    expect(bytes(4)).toContain('x-original-to: 127.0.0.1');
  });
});
