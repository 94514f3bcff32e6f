// Captures against real HAProxy 2.6: `capture request|response header`, `declare capture`, the http-request /
// http-response / http-after-response `capture` actions, the capture.* fetches, and how option httplog, clf and
// log-format (%hr %hrl %hs %hsl) print the slots, byte for byte. Config errors word for word with haproxy -c.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const SERVER_ANSWER = 'HTTP/1.1 200 OK\r\nX-Srv: a|b{c}"d#\r\nSet-Cookie: s=1\r\nContent-Length: 2\r\n\r\nok';

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
    capture request header Host len 5
    capture request header User-Agent len 20
    declare capture request len 8
    capture response header X-Srv len 30
    capture response header Content-Length len 4
    declare capture response len 6
    http-request capture path len 4
    http-request capture req.hdr(x-a) id 2
    http-request deny if { path /deny }
    http-response capture res.hdr(set-cookie) id 1
    http-after-response capture str(after-response) id 2
    http-response set-header X-C "%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]|%[capture.req.hdr(3)]|%[capture.res.hdr(0)]|%[capture.res.hdr(1)]|%[capture.req.method]|%[capture.req.uri]|%[capture.req.ver]|%[capture.res.ver]"
    http-after-response set-header X-A "%[capture.res.hdr(2)]|%[capture.req.hdr(0)]"
    use_backend be2 if { path_beg /be2 }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
backend be2
    http-request capture req.hdr(x-b) id 2
    server s1 127.0.0.1:${port}
frontend clf
    bind 127.0.0.1:{{port1}}
    option httplog clf
    capture request header Host len 10
    declare capture request len 3
    capture response header X-Srv len 3
    default_backend be
frontend lf
    bind 127.0.0.1:{{port2}}
    log-format "%ci %hr %hrl %{+Q}hrl %hs %{+Q}hs %hsl %{+Q}r|%[capture.req.hdr(0)]|%[capture.res.hdr(0)]"
    capture request header Host len 10
    declare capture request len 3
    capture response header X-Srv len 3
    default_backend be
frontend nocap
    bind 127.0.0.1:{{port3}}
    log-format "%ci %hr %hs %hrl %hsl |%[capture.req.method]|%[capture.req.uri]|%[capture.req.ver]"
    default_backend be
`;

const UA = 'curl/8 "x|y{z}#" and more';
const CASES: RawCase[] = [
  {
    name: 'header captures are cut to their length, escaped with # in the log, and read back by capture.*',
    send: `GET /abcdef?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ${UA}\r\nX-A: hello-world-long\r\n\r\n`,
  },
  { name: 'the last of a repeated header is captured; an HTTP/1.0 request reads HTTP/1.0', send: 'GET / HTTP/1.0\r\nhost: a\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n\r\n' },
  { name: 'a deny logs the request captures and empty response slots', send: 'GET /deny HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n' },
  { name: 'a backend rule stores into the frontend slot it names', send: 'GET /be2 HTTP/1.1\r\nHost: h\r\nX-A: from-fe\r\nX-B: from-be\r\n\r\n' },
  {
    name: 'each request of a keep-alive connection starts with empty slots',
    send: 'GET /one HTTP/1.1\r\nHost: first\r\nX-A: first\r\n\r\nGET /two HTTP/1.1\r\nUser-Agent: second\r\n\r\n',
  },
  { name: 'option httplog clf lists the slots quoted', port: 1, send: 'GET /c HTTP/1.1\r\nHost: clf-host-long\r\n\r\n' },
  { name: 'log-format prints %hr %hrl %hs %hsl with and without +Q', port: 2, send: 'GET /l?"x" HTTP/1.1\r\nHost: a|b\r\n\r\n' },
  { name: 'without slots %hr and friends print nothing, capture.req.* still answer', port: 3, send: 'GET /n HTTP/1.1\r\nHost: h\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('captures match real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': SERVER_ANSWER });
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 4));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the comparison saw captures in the log, not empty lines', () => {
    const first = expected.get(CASES[0]!.name)!.logs[0]!;
    expect(first).toContain('{examp|curl/8 #22x#7Cy#7Bz#7D#23#22 and|hello-wo|/abc} {a#7Cb#7Bc#7D#22d#23|s=1|after-}');
    expect(expected.get(CASES[4]!.name)!.logs).toHaveLength(2);
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
  'capture request header without len': cfg(['capture request header Host']),
  'capture request header with a word too many': cfg(['capture request header Host len 4 extra']),
  'capture of something else': cfg(['capture foo']),
  'capture in a backend': cfg([], ['capture request header Host len 4']),
  'capture in defaults': `defaults\n    capture request header Host len 4\n${cfg([])}`,
  'declare capture with length 0': cfg(['declare capture request len 0']),
  'declare capture with a bad length': cfg(['declare capture request len x']),
  'declare capture without direction': cfg(['declare capture req len 3']),
  'declare capture without len': cfg(['declare capture request']),
  'declare something else': cfg(['declare foo']),
  'declare in a backend': cfg([], ['declare capture request len 3']),
  'http-request capture without len or id': cfg(['http-request capture path']),
  'http-request capture len 0': cfg(['http-request capture path len 0']),
  'http-request capture of an undeclared id': cfg(['http-request capture path id 3']),
  'http-request capture with another word': cfg(['http-request capture path foo 3']),
  'http-request capture of a response header': cfg(['http-request capture res.hdr(x) len 3']),
  'http-request capture len in a backend': cfg([], ['http-request capture path len 3']),
  'http-request capture id in a backend is checked at run time': cfg([], ['http-request capture path id 7']),
  'http-response capture with len': cfg(['http-response capture res.hdr(x) len 3']),
  'http-response capture of an undeclared id': cfg(['http-response capture res.hdr(x) id 0']),
  'http-response capture of a request header': cfg(['declare capture response len 3', 'http-response capture path id 0']),
  'valid: declared slots used by id before they are declared': cfg(['http-request capture path id 0', 'http-response capture status id 0', 'declare capture request len 3', 'declare capture response len 3']),
  'valid: the capture fetches in rules and log lines': cfg(['capture request header Host len 4', 'http-request set-header X %[capture.req.hdr(0)]%[capture.req.method]%[capture.req.uri]%[capture.req.ver]', 'http-response set-header X %[capture.res.hdr(0)]%[capture.res.ver]']),
  'capture.res.hdr in an http-request rule': cfg(['http-request set-header X %[capture.res.hdr(0)]']),
};

describe.skipIf(!hasHaproxy)('capture config errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      for (const a of haproxy.alerts) expect(engine.alerts).toContain(a);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
