// tcp-request content capture, capture cookie and last_rule_file/last_rule_line against real HAProxy 2.6: what the
// client gets (capture.req.hdr(N), last_rule_* echoed in headers and bodies) and the log lines (%hr, %CC/%CS in
// option httplog and clf, %[last_rule_line] in log-format), byte for byte; config errors word for word.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const SERVER_ANSWER = 'HTTP/1.1 200 OK\r\nSet-Cookie: other=1\r\nSet-Cookie: SESS = abc123456789; path=/\r\nContent-Length: 2\r\n\r\nok';
const TCP_ANSWER = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntcp';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port0}}
    capture request header Host len 6
    tcp-request content capture req.hdr(x-a) len 4
    tcp-request content capture path len 20
    tcp-request content set-var(txn.t) str(t)
    capture cookie SESS len 10
    http-request deny if { path /deny }
    http-response set-header X-C "%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]"
    default_backend be
frontend clf
    bind 127.0.0.1:{{port1}}
    option httplog clf
    capture cookie SES len 30
    default_backend be
frontend lr
    bind 127.0.0.1:{{port2}}
    log-format "%ci:%cp [%tr] lr=%[last_rule_line] f=%[last_rule_file,regsub(^.*/,)] %{+Q}CC %{+Q}CS"
    tcp-request content accept if { path /tcp-accept }
    http-request set-var(txn.p) path
    http-request return status 200 content-type text/plain lf-string "ret saw %[last_rule_line]" if { path /return }
    http-request deny deny_status 403 content-type text/plain lf-string "deny saw %[last_rule_line]" if { path /deny }
    http-request allow if { path /allow }
    http-request redirect location /elsewhere if { path /redirect }
    http-response set-header X-LR "%[last_rule_line]"
    http-response return status 201 content-type text/plain lf-string "res-ret saw %[last_rule_line]" if { var(txn.p) -m str /res-return }
    http-after-response set-header X-ALR "%[last_rule_line]"
    http-after-response allow if { var(txn.p) -m str /after-allow }
    http-after-response set-header X-Never 1
    default_backend belr
backend belr
    http-request allow if { path /be-allow }
    server s1 127.0.0.1:${port}
backend be
    server s1 127.0.0.1:${port}
listen tcpcap
    bind 127.0.0.1:{{port3}}
    mode tcp
    log-format "%ci:%cp [%t] %hr lr=%[last_rule_line]"
    tcp-request inspect-delay 2s
    tcp-request content capture req.payload(0,3) len 8
    tcp-request content accept if { req.len ge 5 }
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  {
    name: 'tcp-request content capture fills slots after the header captures, read back by capture.req.hdr(N) and %hr',
    send: 'GET /some/long/path/to/cut HTTP/1.1\r\nHost: example.com\r\nX-A: abcdefgh\r\nCookie: a=1; SESS=0123456789abcdef\r\n\r\n',
  },
  { name: 'each request of a keep-alive connection captures anew', send: 'GET /1 HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'capture cookie takes the first cookie whose name=value starts with the name, blanks around = dropped', send: 'GET / HTTP/1.1\r\nHost: h\r\nCookie: $Version=1; x=2, SESSION = v1\r\nCookie: SESS=second\r\n\r\n' },
  { name: 'a denied request still logs its cookie', send: 'GET /deny HTTP/1.1\r\nHost: h\r\nCookie: SESS=denied\r\n\r\n' },
  { name: 'option httplog clf quotes the captured cookies', port: 1, send: 'GET / HTTP/1.1\r\nHost: h\r\nCookie: SES=clf\r\n\r\n' },
  { name: 'without a final rule last_rule_line gives no sample anywhere', port: 2, send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a tcp-request content accept is the last rule', port: 2, send: 'GET /tcp-accept HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-request return builds its body before it becomes the last rule', port: 2, send: 'GET /return HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-request deny is the last rule before its body is built', port: 2, send: 'GET /deny HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-request allow in the frontend is the last rule for the response rules', port: 2, send: 'GET /allow HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a backend allow is the last rule', port: 2, send: 'GET /be-allow HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-request redirect is the last rule in the log', port: 2, send: 'GET /redirect HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-response return builds its body before it becomes the last rule', port: 2, send: 'GET /res-return HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'http-after-response allow is the last rule in the log', port: 2, send: 'GET /after-allow HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'mode tcp: the capture waits with the content rules and shows in %hr', port: 3, send: 'GET /tcp HTTP/1.1\r\nHost: h\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('tcp-request content capture, capture cookie and last_rule_* match real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': SERVER_ANSWER, '/tcp': TCP_ANSWER });
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 4));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the comparison saw the captures and rule lines, not empty ones', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('x-c: exampl|abcd|/some/long/path/to/c');
    expect(expected.get(CASES[0]!.name)!.logs[0]).toContain(' SESS=01234 SESS=abc12 ');
    expect(expected.get(CASES[8]!.name)!.bytes).toContain('deny saw 32');
    expect(expected.get(CASES[13]!.name)!.logs[0]).toContain('lr=38 f=haproxy.cfg');
  });
});

const HEAD = `defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:9
`;
const cfg = (lines: string[], be: string[] = []) =>
  `${HEAD}${lines.map((l) => `    ${l}\n`).join('')}    default_backend be\nbackend be\n${be.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:9\n`;

const CHECKS: Record<string, string> = {
  'tcp-request content capture without len': cfg(['tcp-request content capture path']),
  'tcp-request content capture len 0': cfg(['tcp-request content capture path len 0']),
  'tcp-request content capture len without a value': cfg(['tcp-request content capture path len']),
  'tcp-request connection capture': cfg(['tcp-request connection capture src len 4']),
  'tcp-request session capture': cfg(['tcp-request session capture src len 4']),
  'tcp-request content capture in a backend': cfg([], ['tcp-request content capture src len 4']),
  'tcp-request content capture of a response fetch': cfg(['tcp-request content capture res.hdr(x) len 4']),
  'tcp-request content capture of an unknown fetch': cfg(['tcp-request content capture nosuch len 4']),
  'tcp-request content capture with a word after the length': cfg(['tcp-request content capture path len 4 foo']),
  'tcp-request content capture of contents without inspect-delay warns': cfg(['tcp-request content capture req.hdr(host) len 4']),
  'valid: tcp-request content capture of src without inspect-delay': cfg(['tcp-request content capture src len 4 if { src 127.0.0.1 }']),
  'capture cookie without len value': cfg(['capture cookie SESS len']),
  'capture cookie longer than the pool is cut with a warning': cfg(['capture cookie SESS len 100']),
  'capture cookie in a backend warns': cfg([], ['capture cookie SESS len 10']),
  'capture cookie with a word too many': cfg(['capture cookie SESS len 10 x']),
  'valid: last_rule_file and last_rule_line in rules and logs': cfg(['log-format "%[last_rule_file] %[last_rule_line]"', 'http-request set-header X %[last_rule_line]', 'tcp-request content set-var(txn.l) last_rule_line']),
};

describe.skipIf(!hasHaproxy)('tcp-request content capture and capture cookie: haproxy -c verdicts', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      expect(engine.warnings).toEqual(haproxy.warnings);
    });
  }
});
