// deny, tarpit and return replies (http-request and http-response) against real HAProxy 2.6: status alone (an
// empty answer), deny_status (the error page), content-type with string / lf-string / file / lf-file, several
// hdr, default-errorfiles and errorfile — same bytes to the client, same log lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type RawAnswer } from '../helpers/raw-http.ts';

const RAW: Record<string, RawAnswer> = {
  '/ok': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: nginx\r\n\r\nhi',
  '/404': 'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope',
  '/500': 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom',
};

const CONFIG = (dir: string, serverPort: number) => `
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
    http-request deny status 503 if { path /d503 }
    http-request deny deny_status 503 if { path /ds503 }
    http-request deny status 404 content-type text/plain string nope hdr X-A a hdr X-B "%[path]" if { path /dbody }
    http-request deny status 403 default-errorfiles if { path /d403 }
    http-request return status 201 content-type text/plain lf-string "p=%[path] m=%[method]" hdr X-One 1 hdr X-Two "v %[method]" if { path /lf }
    http-request return status 200 content-type text/plain file ${dir}/body.txt if { path /file }
    http-request return status 200 content-type "text/plain; charset=utf-8" lf-file ${dir}/lf.txt if { path /lffile }
    http-request return status 503 default-errorfiles if { path /def }
    http-request return errorfile ${dir}/teapot.http if { path /ef }
    http-request return status 404 errorfile ${dir}/found.http if { path /ef302 }
    http-request return status 404 if { path /empty }
    http-request return if { path /bare }
    http-request return status 200 content-type text/plain string "caf\u00e9 \u20ac" if { path /utf }
    default_backend be
backend be
    http-response return status 200 content-type text/plain lf-string "was %[status]" hdr X-From be if { status 404 }
    http-response deny status 503 content-type text/plain string "no 500s" if { status 500 }
    server s1 127.0.0.1:${serverPort}
`;

const CASES: RawCase[] = [
  { name: "deny status 503 without a body is an empty 503", send: 'GET /d503 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'deny deny_status 503 sends the 503 error page', send: 'GET /ds503 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'deny with a string payload and two hdr headers', send: 'GET /dbody HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'deny status 403 default-errorfiles sends the 403 page', send: 'GET /d403 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return with an lf-string payload and log-format hdr values', send: 'GET /lf HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return with a file payload', send: 'GET /file HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return with an lf-file payload', send: 'GET /lffile?q=1 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return default-errorfiles sends the error page of its status', send: 'GET /def HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return errorfile sends the file (lower-case names) and closes when it has no content-length', send: 'GET /ef HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "return errorfile sends the file's status while the log shows the rule's", send: 'GET /ef302 HTTP/1.1\r\nHost: x\r\n\r\nGET /bare HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'return status 404 alone is an empty 404', send: 'GET /empty HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a bare return is an empty 200, keeping the connection', send: 'GET /bare HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a payload with UTF-8 characters counts bytes', send: 'GET /utf HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "http-response return replaces the server's 404", send: 'GET /404 HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'http-response deny with a payload replaces a 500', send: 'GET /500 HTTP/1.1\r\nHost: x\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('deny, tarpit and return replies are what real HAProxy 2.6 sends', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let dir = '';
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http-reply-'));
    writeFileSync(join(dir, 'body.txt'), 'hello file\n');
    writeFileSync(join(dir, 'lf.txt'), 'path=%[path] query=%[query]\n');
    writeFileSync(join(dir, 'teapot.http'), 'HTTP/1.0 418 I am a Teapot\r\nX-Foo:  Bar\r\n\r\ntea');
    writeFileSync(join(dir, 'found.http'), 'HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n');
    raw = await startRawServer(RAW);
    ({ expected, got } = await playThroughBoth(CONFIG(dir, raw.port), CASES));
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the replies it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n$/);
    expect(expected.get(CASES[2]!.name)!.bytes).toContain('x-b: /dbody\r\n');
    expect(expected.get(CASES[4]!.name)!.bytes).toContain('p=/lf m=GET');
    expect(expected.get(CASES[6]!.name)!.bytes).toContain('query=q=1');
    expect(expected.get(CASES[8]!.name)!.bytes).toContain('418 I am a Teapot');
    expect(expected.get("http-response return replaces the server's 404")!.bytes).toMatch(/x-from: be\r\ncontent-length: 4\r\n[\s\S]*\r\n\r\nwas HTTP/);
  });
});
