// Sample bytes as they leave the proxy, against real HAProxy 2.6: a request header with spaces, quotes, a tab and
// UTF-8 bytes echoed through %[...] into unique-id-format (%ID, unique-id-header), header values, lf-string bodies
// and log lines, next to non-ASCII text written in the config itself. Bytes compared as bytes (latin1 on the wire).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';
import { lineBytes } from '../../proxy/log/log-sink.ts';

// answers with the x-unique-id and x-echo headers it received, byte for byte, as its body
function startEchoServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const seen = head.split('\r\n').filter((l) => /^x-unique-id:|^x-echo:/i.test(l)).join('\n');
        sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(seen, 'latin1')}\r\n\r\n`), Buffer.from(seen, 'latin1')]));
      }
    });
  });
}

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port0}}
    unique-id-format "%[req.hdr(x-a)] %{+Q}[req.hdr(x-a)] %[req.hdr(x-a),url_dec]"
    unique-id-header X-Unique-ID
    log-format "%ci:%cp [%tr] id=%ID q=%{+Q}[var(txn.a)] raw=%[var(txn.a)] dec=%[var(txn.a),url_dec]"
    http-request set-var(txn.a) req.hdr(x-a)
    http-request set-header X-Echo "<%[req.hdr(x-a)]> caf\u00e9 %[req.hdr(x-a),url_dec]"
    http-response set-header X-Back "[%[var(txn.a)]] na\u00efve"
    http-request return status 200 content-type "text/plain; charset=caf\u00e9" lf-string "body=%[req.hdr(x-a)] \u00e9 %[req.hdr(x-a),url_dec]" hdr X-R "%[req.hdr(x-a)]|\u00fc" if { path /ret }
    http-request return status 200 content-type text/plain string "static \u00e9" if { path /static }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

// a tab, spaces, double quotes, UTF-8 "é", and %-escapes that url_dec turns into a CR LF and a DEL
const X_A = 'sp ace\t"q" caf\u00e9 %0d%0a%7f';
const CASES: RawCase[] = [
  { name: 'a proxied request: the unique id, the header values sent both ways and the log line', send: `GET / HTTP/1.1\r\nHost: h\r\nX-A: ${X_A}\r\n\r\n` },
  { name: 'an http-request return: lf-string body and hdr values', send: `GET /ret HTTP/1.1\r\nHost: h\r\nX-A: ${X_A}\r\n\r\n` },
  { name: 'a plain string body written in UTF-8 in the config', send: 'GET /static HTTP/1.1\r\nHost: h\r\n\r\n' },
];

// The engine hands log lines to the test as byte strings (one char per byte); haproxy's stdout is decoded as UTF-8
// and split at '\n' (a CR LF from url_dec goes into the line raw, as lf_text_len copies it).
const asUtf8 = (line: string) => lineBytes(line).toString('utf8').split('\n')[0]!;

describe.skipIf(!hasHaproxy)('sample bytes leave the engine as they leave real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startEchoServer();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 1));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  for (const c of CASES) {
    it(`${c.name}: same bytes to the client`, () => {
      expect(got.get(c.name)?.bytes).toBe(expected.get(c.name)?.bytes);
    });
    it(`${c.name}: same log line`, () => {
      expect(got.get(c.name)?.logs.map(asUtf8)).toEqual(expected.get(c.name)?.logs);
    });
  }

  it('the comparison saw encoded control bytes and raw UTF-8 bytes', () => {
    const bytes = expected.get(CASES[0]!.name)!.bytes;
    expect(bytes).toContain('%0D%0A%7F');
    expect(bytes).toContain('caf\u00c3\u00a9');
  });
});
