// http-after-response against real HAProxy 2.6: its rules run on the server's responses and on every answer the
// proxy makes itself (deny, return, redirect, a 503 without a backend, a 503 when the server is down, the stats
// page), the backend's rules before the frontend's, with set-status, set-var and allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

function startServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        buf = buf.slice(end + 4);
        sock.write('HTTP/1.1 200 OK\r\nX-Server: up\r\nX-Drop: me\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
}

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
    http-request set-var(txn.path) path
    http-request deny if { path /deny }
    http-request return status 200 content-type text/plain string hi if { path /ret }
    http-request redirect location /x if { path /redir }
    use_backend none if { path /none }
    use_backend down if { path /down }
    stats enable
    stats uri /stats
    http-after-response set-header X-After fe
    http-after-response add-header X-Path %[var(txn.path)]
    http-after-response set-status 299 if { var(txn.path) -m str /ret }
    http-after-response replace-value X-Server ^up$ UP
    http-after-response del-header X-Drop
    http-after-response set-var(txn.st) status
    http-after-response add-header X-Status %[var(txn.st)]
    default_backend be
backend be
    http-after-response set-header X-Be yes
    http-after-response allow if { status 200 }
    http-after-response set-header X-Be-Not-Allowed yes
    server s1 127.0.0.1:${port}
backend none
backend down
    retries 0
    server s1 127.0.0.1:1
`;

const CASES: RawCase[] = [
  { name: 'a server response gets the backend rules, then the frontend rules', send: 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'an http-request deny gets them', send: 'GET /deny HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a return gets them, and set-status changes its status in the log too', send: 'GET /ret HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a redirect gets them', send: 'GET /redir HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'the 503 of a backend without servers gets them', send: 'GET /none HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'the 503 of a server that refuses gets them', send: 'GET /down HTTP/1.1\r\nHost: h\r\n\r\n' },
];

// The stats page's HTML is the engine's own, so only its head is compared (status and the headers the rules set).
const STATS: RawCase = { name: 'the stats page gets them', send: 'GET /stats HTTP/1.1\r\nHost: h\r\n\r\n' };
const ruleHeaders = (bytes: string): string[] =>
  bytes.slice(0, bytes.indexOf('\r\n\r\n')).split('\r\n').filter((l) => /^(HTTP\/|x-)/.test(l));

describe.skipIf(!hasHaproxy)('http-after-response matches real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await startServer();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), [...CASES, STATS].map((c) => ({ ...c, quietMs: 300 }))));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('runs them on the stats page as haproxy does', () => {
    const theirs = ruleHeaders(expected.get(STATS.name)!.bytes);
    expect(theirs).toContain('x-after: fe');
    expect(ruleHeaders(got.get(STATS.name)!.bytes)).toEqual(theirs);
  });

  it('sees what it was written for (the cases are not vacuous)', () => {
    const first = expected.get(CASES[0]!.name)!.bytes;
    expect(first).toContain('x-be: yes');
    expect(first).not.toContain('x-be-not-allowed');
    expect(first).toContain('x-server: UP');
    expect(first).not.toContain('x-drop');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('x-status: 403');
    expect(expected.get(CASES[2]!.name)!.bytes).toMatch(/^HTTP\/1\.1 299/);
    expect(expected.get(CASES[3]!.name)!.bytes).toContain('x-after: fe');
    expect(expected.get(CASES[5]!.name)!.bytes).toContain('x-path: /down');
  });
});
