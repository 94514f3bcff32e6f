// The standalone "redirect" keyword against real HAProxy 2.6: location/prefix/scheme with code, drop-query and
// append-slash, run after the http-request rules (even after an allow) and before use_backend, in frontends and
// backends — same bytes to the client, same log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type RawAnswer } from '../helpers/raw-http.ts';

const RAW: Record<string, RawAnswer> = {
  '/': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
};

const CONFIG = (serverPort: number) => `
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
    http-request set-header X-Seen yes
    http-request deny if { path /denied }
    http-request allow if { path /allowed }
    redirect location /moved code 301 if { path /old }
    redirect location /elsewhere if { path /allowed }
    redirect prefix /v2 drop-query if { path_beg /api }
    redirect prefix /static append-slash if { path_beg /img }
    redirect scheme https code 308 if { hdr(x-proto) plain }
    redirect location /never if { path /denied }
    redirect location /temp code 307 if { path /t307 }
    redirect location /hdr if { hdr(x-seen) yes } { path /seen }
    use_backend be if { path_beg /be }
    default_backend be
backend be
    redirect location /from-backend code 303 if { path /be/go }
    server s1 127.0.0.1:${serverPort}
`;

const CASES: RawCase[] = [
  { name: 'a location redirect with code 301', send: 'GET /old HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'an http-request allow does not skip the redirect rules', send: 'GET /allowed HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'an http-request deny comes before the redirect rules', send: 'GET /denied HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a prefix redirect dropping the query', send: 'GET /api/users?id=3 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a prefix redirect with append-slash keeps the query', send: 'GET /img/logo?v=1 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a scheme redirect with code 308', send: 'GET /page?a=b HTTP/1.1\r\nHost: example.test\r\nX-Proto: plain\r\n\r\n' },
  { name: 'redirect conditions see headers the http-request rules set', send: 'GET /seen HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "a backend's redirect runs once the backend is chosen", send: 'GET /be/go HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a 307 redirect', send: 'GET /t307 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'no redirect matches: the server answers', send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('the redirect keyword does what real HAProxy 2.6 does', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    raw = await startRawServer(RAW);
    ({ expected, got } = await playThroughBoth(CONFIG(raw.port), CASES));
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the redirects it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toMatch(/^HTTP\/1\.1 301 /);
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('location: /elsewhere');
    expect(expected.get(CASES[2]!.name)!.bytes).toMatch(/^HTTP\/1\.1 403 /);
    expect(expected.get(CASES[6]!.name)!.bytes).toContain('location: /hdr');
    expect(expected.get(CASES[7]!.name)!.bytes).toMatch(/^HTTP\/1\.1 303 /);
  });
});
