// Request-line and header rewrites against real HAProxy 2.6: set-method/path/pathq/query/uri, replace-path/pathq/
// uri, replace-header/value on requests, set-status and replace-header on responses. The server echoes the
// request head it received as its body, so the client sees exactly what each proxy forwarded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';

/** Answers every request with its own head as the body; the path asks for extra response headers. */
const startEchoServer = () =>
  startHeadEcho((head) => 'X-Server: echo, b\r\n' + (head.includes('teapot') ? 'X-Teapot: yes\r\n' : '') + (head.includes('fine') ? 'X-Fine: yes\r\n' : ''));

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request replace-path /api(/.*) \\1 if { path_beg /api/ }
    http-request set-path /v2%[path] if { path_beg /old }
    http-request set-query lang=%[req.hdr(x-lang)] if { path /q }
    http-request set-query %[req.hdr(x-none)] if { path /clearq }
    http-request set-method POST if { path /m }
    http-request set-uri http://example.org:8080/abs?z=1 if { path /abs }
    http-request set-pathq /pq?x=1 if { path /pq }
    http-request replace-pathq ^/rpq/([^?]*)\\?(.*)$ /moved/\\1/\\2 if { path_beg /rpq/ }
    http-request replace-uri ^/ru/(.*)$ /new/\\1 if { path_beg /ru/ }
    http-request replace-header User-Agent (curl|Mozilla)/(.*) \\1-agent-\\2
    http-request replace-value X-List ^b$ B
    http-request add-header X-Seen-Path %[path]
    use_backend users if { path_beg /users }
    default_backend be
backend be
    http-response set-status 418 if { res.hdr(x-teapot) -m found }
    http-response set-status 299 reason "Fine Thanks" if { res.hdr(x-fine) -m found }
    http-response replace-header X-Server (.*) srv-\\1
    server s1 127.0.0.1:${port}
backend users
    http-response replace-value X-Server ^b$ users-b
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'replace-path strips a prefix, and routing sees the new path', send: 'GET /api/users/7?x=1 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-path with a sample, the query kept', send: 'GET /old/page?a=b HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-query from a header, added where there was none', send: 'GET /q HTTP/1.1\r\nHost: h\r\nX-Lang: fr\r\n\r\n' },
  { name: 'an empty set-query keeps the question mark', send: 'GET /clearq?old=1 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'an empty set-query adds nothing where there was no query', send: 'GET /clearq HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-method', send: 'GET /m HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-uri to an absolute target rewrites Host', send: 'GET /abs HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-pathq', send: 'GET /pq?drop=me HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'replace-pathq moves the query into the path', send: 'GET /rpq/a?b=c HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'replace-uri', send: 'GET /ru/x/y?k=v HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'replace-header on the whole value, replace-value on each value', send: 'GET /h HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/8.1\r\nX-List: a, b,c\r\nX-List: b\r\n\r\n' },
  { name: 'set-status with the default reason', send: 'GET /teapot HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'set-status with a reason', send: 'GET /fine HTTP/1.1\r\nHost: h\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('request and response rewrites match real HAProxy 2.6', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    echo = await startEchoServer();
    ({ expected, got } = await playThroughBoth(CONFIG(echo.port), CASES.map((c) => ({ ...c, quietMs: 300 }))));
  }, 60_000);

  afterAll(async () => {
    await echo?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees what it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('GET /users/7?x=1 HTTP/1.1');
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('x-server: echo,users-b');
    expect(expected.get(CASES[11]!.name)!.bytes).toMatch(/^HTTP\/1\.1 418 I'm a teapot/);
  });
});
