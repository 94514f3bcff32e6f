// Byte-level parity: raw requests (good, odd and broken) through real HAProxy 2.6 and through our engine, in
// front of a server that answers each path with fixed raw bytes. The client must receive the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, normalize, normalizeLog, settle, startRawServer, TRAFFIC_LINE, type RawAnswer } from '../helpers/raw-http.ts';

const RAW: Record<string, RawAnswer> = {
  '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Foo: Bar\r\n\r\nhi',
  '/ok10': 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nServer: Werkzeug/2.2.2 Python/3.11.2\r\n\r\nhello',
  '/close': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close',
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n',
  '/204': 'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n',
  '/bad': 'this is not http\r\n\r\n',
  '/close-early': (sock) => sock.destroy(),
  '/slow': () => {},
};

const CASES: { name: string; send: string; quietMs?: number }[] = [
  { name: 'an HTTP/1.1 response with a length, header names lowered', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'an HTTP/1.0 server response kept alive for an HTTP/1.1 client', send: 'GET /ok10 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'an HTTP/1.0 client without keep-alive', send: 'GET /ok10 HTTP/1.0\r\n\r\n' },
  { name: 'an HTTP/1.0 client asking for keep-alive', send: 'GET /ok11 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' },
  { name: 'a close-delimited response', send: 'GET /close HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a chunked response', send: 'GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a 204 without a body', send: 'GET /204 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a HEAD request', send: 'HEAD /ok11 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'two pipelined requests', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\nGET /chunked HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a client that asks to close', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
  { name: 'a server answering garbage (502)', send: 'GET /bad HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a server closing without answering (502)', send: 'GET /close-early HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a server that never answers (504)', send: 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', quietMs: 1500 },
  { name: 'a malformed request line (400)', send: 'GARBAGE\r\n\r\n' },
  { name: 'a space before a header colon (400)', send: 'GET /ok11 HTTP/1.1\r\nHost : x\r\n\r\n' },
  { name: 'conflicting Content-Length headers (400)', send: 'POST /ok11 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' },
  { name: 'a request with a length-framed body', send: 'POST /ok11 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' },
  { name: 'a request with a chunked body', send: 'POST /ok11 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' },
  { name: 'a head that never completes (408)', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\n', quietMs: 1500 },
  { name: 'a denied request', send: 'GET /deny HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a redirect (302)', send: 'GET /go HTTP/1.1\r\nHost: example.org\r\n\r\n' },
  { name: 'an http-request return', send: 'GET /ret HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a backend with no usable server (503)', send: 'GET /none HTTP/1.1\r\nHost: x\r\n\r\n' },
];

const CONFIG = (serverPort: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 800ms
    timeout http-request 700ms
    retries 0
frontend fe
    bind 127.0.0.1:{{port}}
    http-request deny if { path /deny }
    http-request redirect prefix /new if { path /go }
    http-request return status 200 content-type text/plain string "returned" if { path /ret }
    use_backend none if { path /none }
    default_backend be
backend be
    server s1 127.0.0.1:${serverPort}
backend none
    server s1 127.0.0.1:${serverPort} disabled
`;

describe.skipIf(!hasHaproxy)('raw bytes out match real HAProxy 2.6 for the same raw bytes in', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  const expected = new Map<string, string>();
  const expectedLogs = new Map<string, string[]>();

  beforeAll(async () => {
    raw = await startRawServer(RAW, (path) => path.startsWith('/close') || path.startsWith('/ok10') || path.startsWith('/bad'));
    const real = await startHaproxy(CONFIG(raw.port));
    try {
      for (const c of CASES) {
        const before = real.logs.length;
        expected.set(c.name, normalize(await exchange(real.port, c.send, c.quietMs)));
        await settle();
        expectedLogs.set(c.name, real.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog));
      }
    } finally {
      await real.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ours = await startEngine(CONFIG(raw.port));
      try {
        const got = normalize(await exchange(ours.port, c.send, c.quietMs));
        await settle();
        expect(got).toBe(expected.get(c.name));
        expect(ours.logs.filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog)).toEqual(expectedLogs.get(c.name));
      } finally {
        await ours.stop();
      }
    });
  }
});
