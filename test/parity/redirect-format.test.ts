// "http-request redirect" with a log-format target against real HAProxy 2.6 (location, prefix and scheme compiled by
// parse_logformat_string with LOG_OPT_HTTP: samples %-encoded for control bytes, other bytes as they are),
// ignore-empty, set-cookie / clear-cookie, and the standalone "redirect" keyword that keeps its text literal. Same
// bytes to the client, same log lines; config errors word for word with haproxy -c.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
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
    http-request redirect location /x?src=%[src]&p=%[path] if { path /src }
    http-request redirect location %[hdr(host)]/foo code 301 if { path /host }
    http-request redirect location %[req.hdr(x-to)] ignore-empty if { path /maybe }
    http-request redirect location %[req.hdr(x-to),url_dec] if { path /decoded }
    http-request redirect location %[req.hdr(x-none)] if { path /empty }
    http-request redirect prefix https://%[req.hdr(host)] drop-query if { path_beg /pre }
    http-request redirect prefix / append-slash if { path_beg /self }
    http-request redirect scheme %[req.hdr(x-scheme)] append-slash if { path_beg /sch }
    http-request redirect location /c set-cookie SEEN=1 if { path /setc }
    http-request redirect location /c clear-cookie SEEN= code 303 if { path /clearc }
    http-request return status 200 content-type text/plain string fallthrough if { path /maybe }
    redirect location /lit?%[src] if { path /standalone }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'a location with samples is built from the request', send: 'GET /src HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a location may start with a sample', send: 'GET /host HTTP/1.1\r\nHost: example.org\r\n\r\n' },
  { name: 'ignore-empty: a location that prints something redirects', send: 'GET /maybe HTTP/1.1\r\nHost: h\r\nX-To: /target\r\n\r\n' },
  { name: 'ignore-empty: an empty location skips the rule and the next rules run', send: 'GET /maybe HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'control bytes of a sample are %-encoded, other bytes go as they are', send: 'GET /decoded HTTP/1.1\r\nHost: h\r\nX-To: /a%0d%0ab "q" caf\u00e9%7f\r\n\r\n' },
  { name: 'without ignore-empty an empty location is sent empty', send: 'GET /empty HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a prefix format goes before the path, drop-query cuts the query', send: 'GET /pre/a?b=1 HTTP/1.1\r\nHost: h.example\r\n\r\n' },
  { name: 'prefix / redirects to the path itself, append-slash after the query', send: 'GET /self?x=1 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a scheme format with the host and path, append-slash', send: 'GET /sch/p HTTP/1.1\r\nHost: h\r\nX-Scheme: https\r\n\r\n' },
  { name: 'set-cookie adds a Set-Cookie with path=/', send: 'GET /setc HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'clear-cookie adds Max-Age=0', send: 'GET /clearc HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'the standalone redirect keeps its text as written', send: 'GET /standalone HTTP/1.1\r\nHost: h\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('http-request redirect with log-format targets matches real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 1));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the comparison saw expanded, encoded and skipped targets', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('location: /x?src=127.0.0.1&p=/src\r\n');
    expect(expected.get(CASES[3]!.name)!.bytes).toContain('fallthrough');
    expect(expected.get(CASES[4]!.name)!.bytes).toContain('location: /a%0D%0Ab "q" caf\u00c3\u00a9%7F\r\n');
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
const cfg = (lines: string[]) => `${HEAD}${lines.map((l) => `    ${l}\n`).join('')}    default_backend be\nbackend be\n    server s 127.0.0.1:9\n`;

const CHECKS: Record<string, string> = {
  'an unknown fetch in a redirect location': cfg(['http-request redirect location /%[nosuch]']),
  'a response fetch in a redirect location': cfg(['http-request redirect location /%[res.hdr(x)]']),
  'an unclosed sample in a redirect prefix': cfg(['http-request redirect prefix /%[path']),
  'a bad variable in a redirect scheme': cfg(['http-request redirect scheme %zz']),
  'set-cookie without a value': cfg(['http-request redirect location /x set-cookie']),
  'valid: the standalone redirect takes %[ as text': cfg(['redirect location /%[nosuch']),
  'valid: ignore-empty and clear-cookie': cfg(['http-request redirect location %[req.hdr(x)] ignore-empty clear-cookie A=']),
};

describe.skipIf(!hasHaproxy)('redirect targets: haproxy -c verdicts', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      expect(engine.warnings).toEqual(haproxy.warnings);
    });
  }
});
