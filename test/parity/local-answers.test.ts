// The proxy's own answers against real HAProxy 2.6: http-request tarpit holds the request for `timeout tarpit`
// (`timeout connect` when unset) and logs PT-- with the hold as Tw; an answer to a request whose body arrived
// whole keeps the connection open (the body is dropped), one whose body is still coming closes it, and a
// redirect closes whenever the request has a body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { exchange, startRawServer, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 400ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port0}}
    timeout tarpit 700ms
    http-request tarpit if { path /t }
    http-request tarpit deny_status 403 if { path /t403 }
    http-request tarpit status 429 content-type text/plain string slow if { path /t429 }
    http-request deny if { path /deny }
    http-request return status 200 content-type text/plain string hi if { path /ret }
    http-request redirect location /x if { path /redir }
    use_backend none if { path /none }
    default_backend be
frontend connect-timeout
    bind 127.0.0.1:{{port1}}
    http-request tarpit
backend be
    server s1 127.0.0.1:${port}
backend none
`;

const NEXT = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n';
const CASES: RawCase[] = [
  { name: 'a tarpit answers 500 after the hold, logged PT--', send: 'GET /t HTTP/1.1\r\nHost: h\r\n\r\n', quietMs: 1200 },
  { name: 'a tarpit with deny_status', send: 'GET /t403 HTTP/1.1\r\nHost: h\r\n\r\n', quietMs: 1200 },
  { name: 'a tarpit with its own reply keeps the connection for the next request', send: `GET /t429 HTTP/1.1\r\nHost: h\r\n\r\n${NEXT}`, quietMs: 1200 },
  { name: 'a tarpit of a request whose body arrived', send: 'POST /t HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc', quietMs: 1200 },
  { name: 'a tarpit falls back to timeout connect', port: 1, send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', quietMs: 900 },
  { name: 'a deny after a whole body keeps the connection', send: `POST /deny HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc${NEXT}` },
  { name: 'a return after a whole body keeps the connection', send: `POST /ret HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc${NEXT}` },
  { name: 'a 503 after a whole body keeps the connection', send: `POST /none HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc${NEXT}` },
  { name: 'a deny after a whole chunked body keeps the connection', send: `POST /deny HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n${NEXT}` },
  { name: 'a redirect of a request with a body closes, and counts its Connection header', send: `POST /redir HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc${NEXT}` },
  { name: 'a deny before the body is whole closes', send: 'POST /deny HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc', quietMs: 600 },
];

describe.skipIf(!hasHaproxy)('local answers and tarpit match real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 2));
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the comparison saw the held request and the kept connection', () => {
    expect(expected.get(CASES[0]!.name)!.logs[0]).toMatch(/ -1\/T\/-1\/-1\/T 500 208 - - PT-- /);
    expect(expected.get(CASES[5]!.name)!.logs).toHaveLength(2);
  });

  it('the engine holds a tarpitted request for timeout tarpit, and timeout connect without it', async () => {
    const ours = await startEngine(CONFIG(srv.port), { ports: 2 });
    try {
      for (const [port, hold] of [[ours.ports[0]!, 700], [ours.ports[1]!, 400]] as const) {
        const t0 = Date.now();
        // the client waits in silence up to 1200 ms: it ends that long after the answer, which came after the hold
        const bytes = await exchange(port, `GET ${port === ours.ports[0] ? '/t' : '/'} HTTP/1.1\r\nHost: h\r\n\r\n`, 1200);
        const took = Date.now() - t0 - 1200;
        expect(bytes).toMatch(/^HTTP\/1\.1 500 /);
        expect(took).toBeGreaterThanOrEqual(hold - 20);
        expect(took).toBeLessThan(hold + 600);
      }
      const line = ours.logs.find((l) => l.includes('PT--'))!;
      const tw = Number(/ -1\/(\d+)\/-1\/-1\/\d+ 500 /.exec(line)![1]);
      expect(tw).toBeGreaterThanOrEqual(680);
    } finally {
      await ours.stop();
    }
  });
});
