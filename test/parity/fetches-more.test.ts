// Fetches added for issue 11 against real HAProxy 2.6: base32/url32 and their +src forms on several request
// shapes, the proxies' configured timeouts, the server weight/queue fetches and the process ones — same bytes
// to the client.
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
    http-request return status 200 content-type text/plain lf-string "h=%[hostname] np=%[nbproc] p=%[proc] st=%[stopping] dl=%[dst_is_local] sl=%[src_is_local]|" if { path /p }
    http-request return status 200 content-type text/plain lf-string "b32=%[base32] b32s=%[base32+src,hex] u32=%[url32] u32s=%[url32+src,hex] fct=%[fe_client_timeout]|" if { path_beg /h } || { path_beg http }
    default_backend be
backend be
    timeout server 3s
    timeout tunnel 1m
    server s1 127.0.0.1:{{port0}} weight 7
    server s2 127.0.0.1:{{port0}} weight 0
    http-request return status 200 content-type text/plain lf-string "bst=%[be_server_timeout] btt=%[be_tunnel_timeout] w=%[srv_weight(s1)] uw=%[srv_uweight(be/s1)] iw=%[srv_iweight(s1)] q=%[srv_queue(s1)] w2=%[srv_weight(s2)]|"
listen li
    bind 127.0.0.1:{{port1}}
    server s3 127.0.0.1:{{port0}}
    http-request return status 200 content-type text/plain lf-string "bst=%[be_server_timeout] btt=%[be_tunnel_timeout] fct=%[fe_client_timeout]|"
`;

const CASES: RawCase[] = [
  { name: 'base32 and url32 hash the Host and the path (url32 with the query)', send: 'GET /h/a/b?x=1 HTTP/1.1\r\nHost: Example.com:80\r\n\r\n' },
  { name: 'base32 takes the Host up to a comma, url32 the whole line', send: 'GET /h/a HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n' },
  { name: 'a request without Host hashes the path alone', send: 'GET /h/x?y HTTP/1.0\r\n\r\n' },
  { name: 'an absolute-form target hashes its path', send: 'GET http://other.example/h/p?q=2 HTTP/1.1\r\nHost: other.example\r\n\r\n' },
  { name: 'bytes above 0x7f in the Host count as signed chars', send: 'GET /h/ HTTP/1.1\r\nHost: caf\u00e9.example\r\n\r\n' },
  { name: 'the client address differs in the +src forms', send: 'GET /h/a HTTP/1.1\r\nHost: x\r\n\r\n', from: '127.0.0.9' },
  { name: 'a backend reads its own timeouts and its servers\' weights', send: 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a listen section reads the defaults it inherited', send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', port: 1 },
  { name: 'the process fetches: host name, one process, not stopping, loopback addresses are local', send: 'GET /p HTTP/1.1\r\nHost: x\r\n\r\n', from: '127.0.0.8' },
];

describe.skipIf(!hasHaproxy)('hash, timeout and server-weight fetches give what real HAProxy 2.6 gives', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(CONFIG, CASES, 2));
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the values it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toMatch(/b32=\d+ b32s=[0-9A-F]{8}7F000001 u32=\d+ /);
    expect(expected.get(CASES[6]!.name)!.bytes).toContain('bst=3000 btt=60000 w=7 uw=7 iw=7 q=0 w2=0|');
    expect(expected.get(CASES[7]!.name)!.bytes).toContain('bst=2000 btt=0 fct=5000|');
    expect(expected.get(CASES[8]!.name)!.bytes).toContain('np=1 p=1 st=0 dl=1 sl=1|');
  });
});
