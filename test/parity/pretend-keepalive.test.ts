// option http-pretend-keepalive against real HAProxy 2.6: under http-server-close the server is not told that its
// connection closes (no "connection: close" to a 1.1 request, "connection: keep-alive" to a 1.0 one), as
// h1_update_req_conn_value does with PR_O2_FAKE_KA; without it a 1.1 request carries "connection: close". The server
// echoes the head it received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import type { TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    option http-server-close
    timeout connect 1s
    timeout client 2s
    timeout server 2s
listen pretend
    bind 127.0.0.1:{{port0}}
    option http-pretend-keepalive
    server s1 127.0.0.1:${port}
listen plain
    bind 127.0.0.1:{{port1}}
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'a 1.1 request: the server is not told the connection closes', send: 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a 1.0 request: the server is told keep-alive', send: 'GET /b HTTP/1.0\r\n\r\n' },
  { name: 'a 1.1 request whose client asks to close: still no close to the server', send: 'GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
  { name: 'without the option a 1.1 request carries connection: close', send: 'GET /d HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
];

describe.skipIf(!hasHaproxy)('option http-pretend-keepalive as in real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await startHeadEcho();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 2));
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!.bytes;
    expect(seen(0)).not.toContain('connection: close');
    expect(seen(1)).toContain('connection: keep-alive');
    expect(seen(2)).not.toMatch(/GET \/c[^]*connection: close/);
    expect(seen(3)).toMatch(/GET \/d[^]*connection: close/);
  });

  it('is a backend option: a frontend gets HAProxy\'s warning', () => {
    const { haproxy, engine } = checkBoth(`
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    bind 127.0.0.1:8080
    option http-pretend-keepalive
    default_backend b
backend b
    server s 127.0.0.1:8081
`);
    expect(engine.accepted).toBe(haproxy.accepted);
    expect(haproxy.warnings.length).toBeGreaterThan(0);
    for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
  });
});
