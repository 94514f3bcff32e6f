// errorfile and errorloc/errorloc302/errorloc303 against real HAProxy 2.6: which section's page answers (the
// backend's first, then the frontend's, defaults inherited by both), on the engine's own answers (a deny, a 503
// with no server) and on deny_status / default-errorfiles replies — same bytes to the client, same log lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const CONFIG = (dir: string) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
    errorfile 503 ${dir}/503-defaults.http
    errorfile 403 ${dir}/403-defaults.http
frontend fe
    bind 127.0.0.1:{{port0}}
    errorfile 503 ${dir}/503-fe.http
    errorfile 403 ${dir}/403-fe.http
    errorfile 429 ${dir}/429-fe.http
    http-request deny if { path /fdeny }
    http-request deny deny_status 429 if { path /f429 }
    http-request return status 503 default-errorfiles if { path /fdef }
    use_backend be2 if { path_beg /b2 }
    default_backend be
backend be
    errorfile 503 ${dir}/503-be.http
    errorfile 403 ${dir}/403-be.http
    http-request deny if { path /bdeny }
    http-request deny deny_status 429 if { path /b429 }
    server s1 127.0.0.1:1 disabled
backend be2
    errorloc302 503 http://example.invalid/down
    server s1 127.0.0.1:1 disabled
frontend fe3
    bind 127.0.0.1:{{port1}}
    errorloc 503 /sorry
    errorloc303 403 /forbidden
    http-request deny if { path /fdeny }
    default_backend be3
backend be3
    server s1 127.0.0.1:1 disabled
frontend fe4
    bind 127.0.0.1:{{port2}}
    errorfile 503 /etc/haproxy/errors/503.http
    default_backend be3
`;

const CASES: RawCase[] = [
  { name: "a frontend's deny answers with the frontend's errorfile", send: 'GET /fdeny HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "a backend's deny answers with the backend's errorfile", send: 'GET /bdeny HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "a 503 with no server answers with the backend's errorfile", send: 'GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /fdeny HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "deny_status takes the frontend's errorfile of that status", send: 'GET /f429 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "a backend deny_status falls back to the frontend's errorfile", send: 'GET /b429 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return default-errorfiles takes the errorfile too', send: 'GET /fdef HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'errorloc302 answers a 503 with a redirect, and the log keeps 503', send: 'GET /b2 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'errorloc303 answers a deny with a 303', send: 'GET /fdeny HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
  { name: "an errorfile inherited from defaults by the backend wins over the frontend's errorloc", send: 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
  { name: "Debian's 503.http loses its connection header and closes (no content-length)", send: 'GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n', port: 2 },
];

describe.skipIf(!hasHaproxy)('errorfile and errorloc pages answer as in real HAProxy 2.6', () => {
  let dir = '';
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'error-pages-'));
    for (const [code, where] of [[503, 'defaults'], [403, 'defaults'], [503, 'fe'], [403, 'fe'], [429, 'fe'], [503, 'be'], [403, 'be']] as const) {
      writeFileSync(join(dir, `${code}-${where}.http`), `HTTP/1.1 ${code} From ${where}\r\nContent-Type: text/plain\r\nContent-Length: ${where.length}\r\n\r\n${where}`);
    }
    ({ expected, got } = await playThroughBoth(CONFIG(dir), CASES, 3));
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the pages it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('403 From fe');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('403 From be');
    expect(expected.get(CASES[2]!.name)!.bytes).toContain('503 From be');
    expect(expected.get(CASES[6]!.name)!.bytes).toContain('location: http://example.invalid/down');
    expect(expected.get(CASES[6]!.name)!.logs[0]).toContain(' 503 ');
    expect(expected.get(CASES[8]!.name)!.bytes).toContain('503 From defaults');
  });
});
