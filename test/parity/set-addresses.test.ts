// http-request set-src / set-dst / set-src-port / set-dst-port against real HAProxy 2.6: later rules and samples,
// X-Forwarded-For and the log line see the new addresses; a value that is not an address changes nothing; the
// next request on the same connection starts from the connection's own addresses again.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// Answers with the X-Forwarded-For header it received.
function xffEcho(): Promise<TestServer> {
  return serveOnLoopback((sock: net.Socket) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const xff = head.split('\r\n').find((l) => /^x-forwarded-for:/i.test(l)) ?? 'none';
        const body = `xff=${xff.replace(/^x-forwarded-for:\s*/i, '')}`;
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
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
frontend fe
    bind 127.0.0.1:{{port0}}
    option forwardfor
    http-request set-src hdr(x-client) if { hdr(x-client) -m found }
    http-request set-src-port hdr(x-client-port) if { hdr(x-client-port) -m found }
    http-request set-dst hdr(x-dst) if { hdr(x-dst) -m found }
    http-request set-dst-port int(4242) if { path /dstport }
    http-request deny deny_status 403 if { src 127.99.0.0/16 }
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port] dst=%[dst]" if { path /who }
    http-request return status 200 content-type text/plain lf-string "src=%[src] dst=%[dst]" if { path /whoip }
    http-request return status 200 content-type text/plain lf-string "dst=%[dst]:%[dst_port]" if { path /dstport }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

const get = (path: string, ...h: string[]) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${h.map((l) => l + '\r\n').join('')}\r\n`;

const CASES: RawCase[] = [
  { name: 'set-src from a header reaches X-Forwarded-For and the log', send: get('/', 'X-Client: 127.5.6.7') },
  { name: 'set-src with an IPv6 address', send: get('/', 'X-Client: ::1') },
  { name: 'set-src keeps the port, set-src-port changes it', send: get('/who', 'X-Client: 127.5.6.7', 'X-Client-Port: 4000') },
  { name: 'the new source decides a later ACL', send: get('/', 'X-Client: 127.99.1.1') },
  { name: 'a value that is not an address changes nothing', send: get('/whoip', 'X-Client: not-an-ip') },
  { name: 'set-dst and set-dst-port for later samples', send: get('/whoip', 'X-Dst: 127.8.8.8') + get('/dstport', 'X-Dst: 127.8.8.9') },
  { name: 'the next request on the connection has its own addresses again', send: get('/', 'X-Client: 127.5.6.7') + get('/') },
];

describe.skipIf(!hasHaproxy)('set-src / set-dst and their ports do what real HAProxy 2.6 does', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await xffEcho();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 1));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    expect(seen(0).bytes).toContain('xff=127.5.6.7');
    expect(seen(0).logs[0]).toMatch(/^127\.5\.6\.7:PORT /);
    expect(seen(2).bytes).toContain('src=127.5.6.7:4000');
    expect(seen(3).bytes).toMatch(/^HTTP\/1\.1 403/);
  });
});
