// Request framing as HAProxy 2.6 does it, byte for byte against the real binary: repeated Content-Length values,
// repeated and conflicting Host headers, absolute-form targets against Host, HTTP versions other than 1.0/1.1,
// chunked HTTP/1.0 requests and a client that sends nothing. The server echoes every byte it receives, so what
// haproxy forwarded is part of what the client gets back.
import { afterAll, beforeAll, describe } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// Answers each request head with everything received up to 50 ms after it (head and body), as a 200 body.
function startEchoServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let got = '';
    let timer: NodeJS.Timeout | null = null;
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (timer === null && got.includes('\r\n\r\n')) {
        timer = setTimeout(() => {
          const body = got;
          got = '';
          timer = null;
          sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        }, 50);
      }
    });
  });
}

const CONFIG = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
    timeout http-request 700ms
frontend fe
    bind 127.0.0.1:{{port0}}
    default_backend be
frontend quiet
    bind 127.0.0.1:{{port1}}
    option dontlognull
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const req = (line: string, ...headers: string[]) => `${line}\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;

const CASES: RawCase[] = [
  { name: 'repeated identical Content-Length headers reach the server as one', send: req('POST / HTTP/1.1', 'Host: x', 'Content-Length: 2', 'Content-Length: 2') + 'ab' },
  { name: 'a Content-Length list of equal values reaches the server as one value', send: req('POST / HTTP/1.1', 'Host: x', 'Content-Length: 2, 2') + 'ab' },
  { name: 'a Content-Length header and an equal list are merged', send: req('POST / HTTP/1.1', 'Host: x', 'Content-Length: 2', 'Content-Length: 2, 2') + 'ab' },
  { name: 'a Content-Length list with an empty element is a 400', send: req('POST / HTTP/1.1', 'Host: x', 'Content-Length: 2,') + 'ab' },
  { name: 'chunked with repeated Content-Length drops the lengths and closes', send: req('POST / HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked', 'Content-Length: 2', 'Content-Length: 2') + '0\r\n\r\n' },
  { name: 'two different Host headers are a 400', send: req('GET / HTTP/1.1', 'Host: a', 'Host: b') },
  { name: 'two different Host headers in HTTP/1.0 are a 400 too', send: req('GET / HTTP/1.0', 'Host: a', 'Host: b') },
  { name: 'a repeated Host that differs only in case is sent on once', send: req('GET / HTTP/1.1', 'Host: a', 'Host: A') },
  { name: 'a Host list is not split', send: req('GET / HTTP/1.1', 'Host: a, a') },
  { name: 'an absolute-form target whose authority differs from Host is a 400', send: req('GET http://a.example/p HTTP/1.1', 'Host: b.example') },
  { name: 'an absolute-form target naming the Host is forwarded as it is', send: req('GET http://a.example/p HTTP/1.1', 'Host: a.example') },
  { name: 'the authority is compared with Host without regard to case', send: req('GET http://a.example/p HTTP/1.1', 'Host: A.EXAMPLE') },
  { name: 'the default port :80 is dropped from an http target', send: req('GET http://a.example:80/p HTTP/1.1', 'Host: a.example') },
  { name: 'the default port :443 is dropped from an https target', send: req('GET https://a.example:443/p HTTP/1.1', 'Host: a.example') },
  { name: 'a Host with the default port matches the authority without it', send: req('GET http://a.example/p HTTP/1.1', 'Host: a.example:80') },
  { name: 'another port in the authority but not in Host is a 400', send: req('GET http://a.example:8080/p HTTP/1.1', 'Host: a.example') },
  { name: 'a port that is not the scheme default stays', send: req('GET http://a.example:443/p HTTP/1.1', 'Host: a.example:443') },
  { name: 'userinfo in the authority is not compared with Host', send: req('GET http://u@a.example/p HTTP/1.1', 'Host: a.example') },
  { name: 'an absolute-form target without Host is forwarded without one', send: req('GET http://a.example/p HTTP/1.1') },
  { name: 'HTTP/1.2 is taken as 1.1, forwarded as HTTP/1.1 and logged as HTTP/1.2', send: req('GET / HTTP/1.2', 'Host: x') },
  { name: 'HTTP/2.0 on an HTTP/1 port is taken as 1.1', send: req('GET / HTTP/2.0', 'Host: x') },
  { name: 'HTTP/3.1 is taken as 1.1', send: req('GET / HTTP/3.1', 'Host: x') },
  { name: 'an explicit HTTP/0.9 is taken as 1.0 and forwarded as written', send: req('GET / HTTP/0.9') },
  { name: 'a request line without a version is a 400', send: req('GET /') },
  { name: 'a two-digit minor version is a 400', send: req('GET / HTTP/1.10', 'Host: x') },
  { name: 'a lower-case protocol name is a 400', send: req('GET / http/1.1', 'Host: x') },
  { name: 'another protocol name is a 400', send: req('GET / PTTH/1.1', 'Host: x') },
  { name: 'HTTP/1.0 with a chunked body is forwarded chunked and the client is closed', send: req('POST / HTTP/1.0', 'Transfer-Encoding: chunked') + '2\r\nab\r\n0\r\n\r\n' },
  { name: 'HTTP/1.0 with a chunked body is closed even when it asks for keep-alive', send: req('POST / HTTP/1.0', 'Transfer-Encoding: chunked', 'Connection: keep-alive') + '2\r\nab\r\n0\r\n\r\n' },
  { name: 'a client that sends nothing until timeout http-request gets a 408', send: '', quietMs: 1200 },
  { name: 'with option dontlognull a silent client still gets the 408, unlogged', send: '', port: 1, quietMs: 1200 },
];

describe.skipIf(!hasHaproxy)('request framing matches HAProxy 2.6 byte for byte', () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startEchoServer();
    seen = await playThroughBoth(CONFIG(srv.port), CASES, 2);
  }, 120_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(CASES, () => seen);
});
