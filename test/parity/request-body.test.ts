// The request body against real HAProxy 2.6: with option http-buffer-request the http-request rules wait for the
// body (all of it, or as much as the 16 kB buffer holds) and req.body, req.body_len, req.body_size and
// req.body_param read it, de-chunked; without the option they read only what came with the head. A client that
// stops sending gets a 408 after timeout http-request, logged cR--; the buffered body still reaches the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// Answers each request with the body it received (Content-Length bodies only).
function startBodyEcho(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = /\r\ncontent-length: *(\d+)/i.exec(buf.toString('latin1', 0, end));
        const n = cl ? Number(cl[1]) : 0;
        if (buf.length < end + 4 + n) return;
        const body = buf.subarray(end + 4, end + 4 + n);
        buf = buf.subarray(end + 4 + n);
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length + 5}\r\n\r\ngot: ${body.toString('latin1')}`);
      }
    });
  });
}

const SHOW = 'len=%[req.body_len] size=%[req.body_size] head=%[req.body,bytes(0,12)] tail=%[req.body,bytes(15190),length] b=%[req.body_param(b)] first=%[req.body_param] x=%[req.body_param(b),lower,hex]';
const CONFIG = (serverPort: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 600ms
frontend buffered
    bind 127.0.0.1:{{port0}}
    option http-buffer-request
    use_backend by-body if { req.body_param(to) -m str srv }
    use_backend admin if { req.body -m sub role=admin }
    http-request return status 200 content-type text/plain lf-string "${SHOW}" unless { path /r }
frontend unbuffered
    bind 127.0.0.1:{{port1}}
    http-request return status 200 content-type text/plain lf-string "${SHOW}"
backend by-body
    server s1 127.0.0.1:${serverPort}
backend admin
    http-request return status 403 content-type text/plain string admin-by-body
`;

const post = (body: string, extra = '', path = '/f'): string => `POST ${path} HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
const chunked = (chunks: string[], end = true): string =>
  `POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}${end ? '0\r\n\r\n' : ''}`;
const big = 'x'.repeat(100_000);

const CASES: RawCase[] = [
  { name: 'a form body is read whole: its length, size and parameters', send: post('a=1&b=Two&c=3') },
  { name: 'a body parameter routes the request to a backend, and the buffered body still reaches the server', send: post('to=srv&b=1', '', '/r') },
  { name: 'a body that contains a marker routes by req.body', send: post('user=x&role=admin', '', '/r') },
  { name: 'a chunked body is read de-chunked', send: chunked(['a=1', '&b=2', '&c']) },
  { name: 'a body bigger than the buffer: the rules see what fits, body_size gives the whole length, and the connection closes', send: post(big) },
  { name: 'with a header more, less of a big body fits', send: post(big, 'X-Pad: ppppppppppppppppppppp\r\n') },
  { name: 'a chunked body bigger than the buffer: each chunk costs a block, body_size counts the chunk it stops in', send: chunked(['y'.repeat(256), 'y'.repeat(16384), 'y'.repeat(16384)]) },
  { name: 'a request without a body has an empty one', send: 'GET /g HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a client that stops sending its body gets a 408 after timeout http-request', send: post('abc').replace('Content-Length: 3', 'Content-Length: 20'), quietMs: 1200 },
  { name: 'a client that stops inside a chunked body gets a 408 too', send: chunked(['abc'], false), quietMs: 1200 },
  { name: 'without the option the rules see only the part of the body that came with the head', send: post('abc').replace('Content-Length: 3', 'Content-Length: 20'), port: 1, quietMs: 900 },
  { name: 'without the option a body that came with the head is read', send: post('a=1&b=Q'), port: 1 },
];

describe.skipIf(!hasHaproxy)('request bodies are buffered and read as real HAProxy 2.6 does', () => {
  let server: TestServer;
  let seen = { expected: new Map<string, Seen>(), got: new Map<string, Seen>() };
  beforeAll(async () => {
    server = await startBodyEcho();
    seen = await playThroughBoth(CONFIG(server.port), CASES, 2);
  }, 90_000);
  afterAll(() => server?.close());

  eachCaseAsHaproxy(CASES, () => seen);

  it('haproxy answered with the values these cases are about (not vacuous)', () => {
    const body = (i: number): string => seen.expected.get(CASES[i]!.name)!.bytes;
    expect(body(0)).toContain('len=13 size=13 head=a=1&b=Two&c= tail=0 b=Two first=1');
    expect(body(1)).toContain('got: to=srv&b=1');
    expect(body(2)).toContain('admin-by-body');
    expect(body(3)).toContain('len=9 size=9 head=a=1&b=2&c');
    expect(body(4)).toContain('len=15212 size=100000');
    expect(body(6)).toContain('len=15200 size=16640');
    expect(body(8)).toContain('408 Request Time-out');
    expect(seen.expected.get(CASES[8]!.name)!.logs[0]).toContain(' -1/-1/-1/-1/T 408 ');
    expect(body(10)).toContain('len=3 size=20');
  });
});

