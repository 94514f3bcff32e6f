// option http-buffer-request set in a backend only, against real HAProxy 2.6: the wait for the body starts when the
// stream enters the backend (the frontend's rules have run on the head alone), and the backend's rules then see
// the whole body; a body that never completes gets the 408 of timeout http-request, logged against the backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const config = (srv: number) => `
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
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request set-var(txn.front) req.body_len
    default_backend be
backend be
    option http-buffer-request
    http-request return status 200 content-type text/plain lf-string "front=%[var(txn.front)] back=%[req.body_len] body=%[req.body]"
    server s1 127.0.0.1:${srv}
`;

const head = (len: number) => `POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: ${len}\r\n\r\n`;

const CASES: RawCase[] = [
  { name: 'a whole body is read by the backend rules', send: head(6) + 'abcdef' },
  { name: 'a body that stops short waits in the backend until timeout http-request answers 408', send: head(10) + 'abcd', quietMs: 1200 },
];

describe.skipIf(!hasHaproxy)('option http-buffer-request in a backend acts as in HAProxy 2.6', () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    seen = await playThroughBoth(config(srv.port), CASES);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(CASES, () => seen);

  it('sees what it was written for (the cases are not vacuous)', () => {
    expect(seen.expected.get(CASES[0]!.name)!.bytes).toContain('back=6 body=abcdef');
    expect(seen.expected.get(CASES[1]!.name)!.bytes).toContain('408');
  });
});
