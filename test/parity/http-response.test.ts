// http-response rules against real HAProxy 2.6: header rules from the backend first and the frontend last,
// conditions on the response (status, res.hdr, shdr_*, res.ver, res.cook), %[...] samples in header values,
// and deny replacing the server's answer — same bytes to the client, same log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type RawAnswer } from '../helpers/raw-http.ts';

const RAW: Record<string, RawAnswer> = {
  '/ok11':
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: Nginx/1.22\r\nX-Multi: a, b\r\nX-Multi: c\r\n' +
    'Set-Cookie: sid=abc; Path=/\r\nSet-Cookie: theme=dark; sid=no\r\n\r\nhi',
  '/ok10': 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nServer: Werkzeug/2.2.2\r\n\r\nhello',
  '/chunked': 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nSet-Cookie: sid=xyz\r\n\r\n4\r\nWiki\r\n0\r\n\r\n',
  '/404': 'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nServer: nginx\r\n\r\nnope',
  '/500': 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom',
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
    http-response set-header X-Order fe
    http-response set-header X-Status %[status]
    http-response set-header X-Server "<%[res.hdr(server),lower]>"
    http-response set-header X-Multi-Last %[res.hdr(x-multi)]
    http-response set-header X-Sid %[res.cook(sid)]
    http-response add-header X-Method %[method] if { method POST }
    http-response del-header Server if { shdr_beg(server) -i nginx }
    http-response add-header X-Old yes if { res.ver 1.0 }
    http-response add-header X-Cookies %[res.cook_cnt] if { res.cook_cnt gt 1 }
    http-response add-header X-Multi-Count %[res.hdr_cnt(x-multi)] if { res.hdr(x-multi) -m str b }
    http-response add-header X-Never yes if { path_beg / }
    http-response set-header X-Served-By %[srv_name]
    http-response set-header X-Ids %[fe_id]/%[be_id]/%[srv_id]/%[fe_name]/%[be_name]
    http-response add-header X-Be-Match yes if { be_name be } { srv_name s1 } { fe_name fe }
    http-response deny deny_status 403 if { status 404 }
    default_backend be
backend be
    http-request return status 200 content-type text/plain string "backend rules see be_name" if { be_name be } { path /who }
    http-response set-header X-Order be
    http-response set-header X-Backend be
    http-response deny if { status 500 }
    server s1 127.0.0.1:${serverPort}
listen li
    bind 127.0.0.1:{{port1}}
    http-response add-header X-Listen once
    server s1 127.0.0.1:${serverPort}
`;

const CASES: RawCase[] = [
  { name: 'a 200 from a server with several headers and cookies', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a POST: method still answers in a response rule', send: 'POST /ok11 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' },
  { name: 'an HTTP/1.0 response', send: 'GET /ok10 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a chunked 201', send: 'GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a 404 denied with 403, and the connection serving the next request', send: 'GET /404 HTTP/1.1\r\nHost: x\r\n\r\n' + 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a 500 denied by the backend (502)', send: 'GET /500 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: "a backend's http-request rule sees its backend", send: 'GET /who HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a listen section runs its rules once', send: 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
];

describe.skipIf(!hasHaproxy)('http-response rules do what real HAProxy 2.6 does', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    raw = await startRawServer(RAW, (path) => path.startsWith('/ok10'));
    ({ expected, got } = await playThroughBoth(CONFIG(raw.port), CASES, 2));
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the responses it was written for (the cases are not vacuous)', () => {
    const first = expected.get(CASES[0]!.name)!.bytes;
    expect(first).toContain('x-order: fe\r\n');
    expect(first).toContain('x-server: <nginx/1.22>\r\n');
    expect(first).toContain('x-multi-last: c\r\n');
    expect(first).not.toContain('x-never');
    expect(first).toContain('x-served-by: s1\r\n');
    expect(first).toContain('x-be-match: yes\r\n');
    expect(expected.get("a backend's http-request rule sees its backend")!.bytes).toContain('backend rules see be_name');
    expect(expected.get(CASES[4]!.name)!.bytes).toMatch(/^HTTP\/1\.1 403 Forbidden[\s\S]*HTTP\/1\.1 200 OK/);
  });
});
