// The header block fetches (and http_first_req, fc_http_major) against real HAProxy 2.6: req.hdrs, req.hdrs_bin, req.hdr_names (and res.* in
// http-response rules) list the headers as HTX holds them — names in lower case, values trimmed, Connection
// without close/keep-alive, one Content-Length — and the binary list's lengths as HAProxy's varints. In an
// lf-string the CR LF of req.hdrs print %-encoded, as HAProxy prints control bytes there.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request return status 200 content-type text/plain lf-string "%[req.hdrs]|%[req.hdr_names]|%[req.hdr_names(;x)]|%[req.hdrs_bin,hex]|" if { path /q }
    http-request return status 200 content-type text/plain lf-string "first=%[http_first_req] major=%[fc_http_major]|" if { path /f }
    default_backend be
backend be
    http-response set-header X-Names %[res.hdr_names]
    http-response set-header X-Bin %[res.hdrs_bin,hex]
    http-response set-header X-Hdrs %[res.hdrs,hex]
    server s 127.0.0.1:{{port1}}
frontend app
    bind 127.0.0.1:{{port1}}
    http-request return status 200 content-type text/plain hdr X-One "a b" hdr x-two 2 string ok
`;

const LONG = 'v'.repeat(300);
const CASES: RawCase[] = [
  { name: 'request headers in order, names in lower case, values trimmed', send: 'GET /q HTTP/1.1\r\nHost: x\r\nX-B:  v1 \r\nx-b: v2\r\nAccept: */*\r\n\r\n' },
  { name: 'Connection loses close and keep-alive, only the first Content-Length stays', send: 'POST /q HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade-Insecure\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n' },
  { name: 'a value longer than 240 bytes takes a two-byte length in hdrs_bin', send: `GET /q HTTP/1.1\r\nHost: x\r\nX-Long: ${LONG}\r\nConnection: close\r\n\r\n` },
  { name: 'http_first_req is true on the first request of a connection only; fc_http_major is 1', send: 'GET /f HTTP/1.1\r\nHost: x\r\n\r\nGET /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
  { name: 'http-response rules see the response headers', send: 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('the header block fetches give what real HAProxy 2.6 gives', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(CONFIG, CASES, 2));
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the values it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('host: x%0D%0Ax-b: v1%0D%0Ax-b: v2%0D%0Aaccept: */*%0D%0A%0D%0A|host,x-b,x-b,accept|host;x-b;x-b;accept|');
    expect(expected.get(CASES[4]!.name)!.bytes).toMatch(/x-names: [a-z-]+,/i);
    expect(expected.get(CASES[3]!.name)!.bytes).toMatch(/first=1 major=1\|[^]*first=0 major=1\|/);
  });
});
