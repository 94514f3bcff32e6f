// A backend's tcp-response content rules and its own tcp-request content rules in mode http, against real
// HAProxy 2.6: the response is held until the rules decide (with an inspect delay, until the message is whole:
// a length, a chunked body's last chunk, or the server's close), res.len is the response's HTX size, reject
// closes without an answer (PD--), close answers and shuts only the server's connection; the backend's tcp-request content rules run
// as the stream enters it, after the frontend's http-request rules, and a reject there closes (PR--, no Tq).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type net from 'node:net';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const later = (sock: net.Socket, ms: number, f: () => void) => setTimeout(() => !sock.destroyed && f(), ms);

const ANSWERS = {
  '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  '/slow': (sock: net.Socket) => {
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhi');
    later(sock, 200, () => sock.write('ho'));
  },
  '/chunk': (sock: net.Socket) => {
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n');
    later(sock, 200, () => sock.write('0\r\n\r\n'));
  },
  '/eof': (sock: net.Socket) => {
    sock.write('HTTP/1.1 200 OK\r\n\r\nhi');
    later(sock, 200, () => sock.end());
  },
};

const config = (srv: number) => `
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
    http-request set-header x-front 1
    default_backend be
backend be
    tcp-request content set-var(txn.path) path
    tcp-request content set-var(txn.front) req.hdr(x-front)
    tcp-request content reject if { var(txn.path) -m beg /rej }
    tcp-response inspect-delay 1s
    tcp-response content reject unless WAIT_END
    tcp-response content set-var(txn.l) res.len
    tcp-response content reject if { var(txn.path) -m beg /rsrej }
    tcp-response content close if { var(txn.path) -m beg /rsclose }
    http-response set-header x-l %[var(txn.l)]
    http-response set-header x-front %[var(txn.front)]
    server s1 127.0.0.1:${srv}
`;

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

const CASES: RawCase[] = [
  { name: 'the response waits for its end, and res.len is its HTX size', send: get('/ok') },
  { name: "a backend's tcp-request content reject closes with no answer, logged PR-- without a request time", send: get('/rej') },
  { name: 'tcp-response reject closes with no answer, logged PD-- with the bytes read', send: get('/rsrej') },
  { name: "tcp-response close answers and closes the server's connection; the client's stays open", send: get('/rsclose') + get('/ok') },
  { name: 'a body in two reads is waited for', send: get('/slow') },
  { name: "a chunked body is waited for until its last chunk (res.len counts HTX's end-of-trailers)", send: get('/chunk') },
  { name: "a body delimited by the server's close is waited for until it closes", send: get('/eof') },
  { name: 'keep-alive: each response of a connection runs the rules again', send: get('/ok') + get('/slow') },
];

describe.skipIf(!hasHaproxy)("a backend's tcp-response and tcp-request content rules in mode http act as in HAProxy 2.6", () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startRawServer(ANSWERS);
    seen = await playThroughBoth(config(srv.port), CASES);
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(CASES, () => seen);

  it('sees what it was written for (the cases are not vacuous)', () => {
    const bytes = (i: number) => seen.expected.get(CASES[i]!.name)!.bytes;
    const log = (i: number) => seen.expected.get(CASES[i]!.name)!.logs.join('\n');
    expect(bytes(0)).toContain('x-l: 51\r\nx-front: 1\r\n');
    expect(bytes(1)).toBe('');
    expect(log(1)).toContain(' -1/-1/-1/-1/T -1 0 - - PR-- ');
    expect(bytes(2)).toBe('');
    expect(log(2)).toContain(' -1 51 - - PD-- ');
    expect(bytes(4)).toContain('x-l: 53\r\n');
    expect(bytes(5)).toContain('x-l: 61\r\n');
    expect(bytes(6)).toContain('x-l: 36\r\n');
  });
});
