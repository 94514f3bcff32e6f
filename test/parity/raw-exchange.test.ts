// Byte-level parity: raw requests (good, odd and broken) through real HAProxy 2.6 and through our engine, in
// front of a server that answers each path with fixed raw bytes. The client must receive the same bytes.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';

const RAW: Record<string, string | ((sock: net.Socket) => void)> = {
  '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Foo: Bar\r\n\r\nhi',
  '/ok10': 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nServer: Werkzeug/2.2.2 Python/3.11.2\r\n\r\nhello',
  '/close': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close',
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n',
  '/204': 'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n',
  '/bad': 'this is not http\r\n\r\n',
  '/close-early': (sock) => sock.destroy(),
  '/slow': () => {},
};

/** A server that answers the path of each request with RAW[path], then closes where the answer is close-framed. */
function startRawServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        const answer = RAW[path.split('?')[0]!] ?? RAW['/ok11']!;
        if (typeof answer === 'function') answer(sock);
        else if (path.startsWith('/close') || path.startsWith('/ok10') || path.startsWith('/bad')) sock.end(answer);
        else sock.write(answer);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

/** Sends raw bytes, collects everything until the proxy closes or goes quiet for quietMs. */
function exchange(port: number, bytes: string, quietMs = 400, halfClose = false): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      arm();
    });
    sock.on('close', done);
    sock.on('error', done);
    sock.on('connect', () => {
      sock.write(bytes);
      if (halfClose) sock.end();
      arm();
    });
  });
}

/** Drops what legitimately differs between two runs: the Date header. */
const normalize = (s: string) => s.replace(/^date: .*\r\n/gim, '');

const TRAFFIC_LINE = /^\d+\.\d+\.\d+\.\d+:\d+ \[/;

/** A log line without what varies between runs: client port, date, and non-negative timings. */
const normalizeLog = (line: string) =>
  line
    .replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) (\d{3}|-1) /, (_m, ...g: string[]) =>
      ' ' + g.slice(0, 5).map((x) => (x === '-1' ? '-1' : 'T')).join('/') + ` ${g[5]} `);

const settle = () => new Promise((r) => setTimeout(r, 150));

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
    raw = await startRawServer();
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
