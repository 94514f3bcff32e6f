// Header values are log-format strings in HAProxy 2.6 (parse_logformat_string with LOG_OPT_HTTP): the same
// %variables as log lines, +Q/+X and %o, samples, and spaces kept as written. The echo server answers with the
// request head it received, so the client sees each header value as each proxy built it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { checkBoth } from '../helpers/config-check.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

function startEchoServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\n\r\n${head}`);
      }
    });
  });
}

const CONFIG = (port: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    unique-id-format 'u\\"v %ci'
    unique-id-header X-Uid
    http-request set-header X-Bs 'a\\"b\\\\c'
    http-request set-header X-Addr %ci:%fi
    http-request set-header X-Names "%f %ft %b"
    http-request set-header X-Quoted "%{+Q}ci %{+Q}[src] %{+Q}[str()] e=%[str()] n=%[req.hdr(none)]"
    http-request set-header X-Hex %{+X}ci
    http-request set-header X-Opts "%{+Q}o %ci %HM"
    http-request set-header X-Spaces "a  b   %[path]  c"
    http-request set-header X-Request "%HM %HU %HP %HQ %HV|%{+Q}r"
    http-request set-header X-Id %ID
    http-request set-header X-Pct 100%%
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'a plain GET', send: 'GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n', from: '127.0.0.9' },
  { name: 'a POST with an encoded character', send: 'POST /p%20q HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n', from: '127.0.0.10' },
];

describe.skipIf(!hasHaproxy)('header values built from log-format variables match real HAProxy 2.6', () => {
  let echo: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    echo = await startEchoServer();
    ({ expected, got } = await playThroughBoth(CONFIG(echo.port), CASES.map((c) => ({ ...c, quietMs: 300 }))));
  }, 60_000);

  afterAll(async () => {
    await echo?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees what it was written for (the cases are not vacuous)', () => {
    const seen = expected.get(CASES[0]!.name)!.bytes;
    expect(seen).toContain('x-quoted: "127.0.0.9" 127.0.0.9  e= n=');
    expect(seen).toContain('x-opts:  "127.0.0.9" "GET"');
    expect(seen).toContain('x-request: GET /a/b?x=1 /a/b ?x=1 HTTP/1.1|"GET /a/b?x=1 HTTP/1.1"');
    expect(seen).toContain('x-uid: u\\"v 127.0.0.9');
    expect(seen).toContain('x-id: \r\n');
  });
});

// What each place accepts, as `haproxy -c` says it: the same parser, so the same verdict and message everywhere.
const VERDICT_LINES = [
  'http-request set-header X "%FMT"',
  'http-request return status 200 content-type text/plain lf-string "%FMT"',
  'http-request set-var-fmt(txn.x) "%FMT"',
  'http-response add-header X "%FMT"',
];
const VERDICT_FORMATS = ['%ci:%cp', '%{+Q}o%ci', '%zz', '%ID', '%Tw', '50%', '% x', '%{', '%[src', '%[nosuch]', '%{+X}ci', '%%', '%{+Q}[src] %HM'];

describe.skipIf(!hasHaproxy)('which format strings `haproxy -c` accepts in rules, and its messages', () => {
  for (const line of VERDICT_LINES) {
    for (const fmt of VERDICT_FORMATS) {
      it(`${line.split(' "')[0]} with ${fmt}`, () => {
        const cfg = `defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nfrontend f\n  bind 127.0.0.1:18001\n  ${line.replace('%FMT', fmt)}\n  default_backend b\nbackend b\n  server s 127.0.0.1:18002\n`;
        const { haproxy, engine } = checkBoth(cfg);
        expect(engine.alerts).toEqual(haproxy.alerts);
        expect(engine.accepted).toBe(haproxy.accepted);
      });
    }
  }
});
