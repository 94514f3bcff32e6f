// monitor-uri and "monitor fail" against real HAProxy 2.6: the proxy answers its monitor URI itself (200, or 503
// while a "monitor fail" condition holds), before any http-request rule, and never logs those requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    monitor-uri /health
    acl site_dead nbsrv(be) lt 1
    monitor fail if site_dead
    monitor fail if { hdr(x-fail) yes }
    http-request deny
    default_backend be
backend be
    server s1 127.0.0.1:${port}
frontend dead
    bind 127.0.0.1:{{port1}}
    monitor-uri http://x/up
    monitor fail unless { nbsrv(nobody) gt 0 }
    default_backend nobody
backend nobody
    server s1 127.0.0.1:${port} disabled
`;

const CASES: RawCase[] = [
  { name: 'the monitor URI answers 200 before the deny rule, and is not logged', send: 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a query string is not the path: denied and logged', send: 'GET /health?x HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a monitor fail condition answers 503', send: 'GET /health HTTP/1.1\r\nHost: x\r\nX-Fail: yes\r\n\r\n' },
  { name: 'an absolute URI whose path is the monitor URI', send: 'GET http://y/health HTTP/1.1\r\nHost: y\r\n\r\n' },
  { name: 'the connection stays open after a monitor answer', send: 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /other HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a URI not starting with / is compared whole: 503 while the backend has no server', send: 'GET http://x/up HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
];

describe.skipIf(!hasHaproxy)('monitor-uri does what real HAProxy 2.6 does', () => {
  let raw: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    raw = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    ({ expected, got } = await playThroughBoth(CONFIG(raw.port), CASES, 2));
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    expect(seen(0).bytes).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(seen(0).logs).toEqual([]);
    expect(seen(1).bytes).toMatch(/^HTTP\/1\.1 403/);
    expect(seen(2).bytes).toMatch(/^HTTP\/1\.1 503/);
    expect(seen(5).bytes).toMatch(/^HTTP\/1\.1 503/);
  });
});
