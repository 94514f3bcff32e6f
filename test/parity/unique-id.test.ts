// unique-id-format, unique-id-header, the unique-id fetch and %ID against real HAProxy 2.6, on the deterministic
// format the documentation suggests: the same id reaches the server, the response and the log; %rt counts streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// answers each request with the X-Unique-ID header it received, as its body
function startEchoServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const seen = head.split('\r\n').filter((l) => /^x-unique-id:|^x-forwarded-for:/i.test(l)).join(',');
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${seen.length}\r\n\r\n${seen}`);
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
    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
    unique-id-header X-Unique-ID
    option forwardfor
    log-format "%ci id=%ID q=%{+Q}ID rt=%rt"
    http-request deny if { path /deny }
    http-response set-header X-ID %[unique-id]
    http-after-response set-header X-After %[unique-id]
    default_backend be
frontend plain
    bind 127.0.0.1:{{port1}}
    log-format "%ci id=%ID q=%{+Q}ID f=%[unique-id]"
    default_backend be
frontend early
    bind 127.0.0.1:{{port2}}
    unique-id-format "%ci %[req.hdr(x-a)] %[req.hdr(x-missing)] %{+Q}[req.hdr(x-a)]"
    http-request set-var(txn.id) unique-id
    http-request set-header X-A changed
    http-request return status 200 content-type text/plain lf-string "%[var(txn.id)]|%[unique-id]"
backend be
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'the id goes to the server in unique-id-header, to the response and to the log', send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'each request of a keep-alive connection has its own id and %rt', send: 'GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'an answer of the proxy has an id too', send: 'GET /deny HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'without unique-id-format there is no id', port: 1, send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'the id is made when first asked for, from the request as it was then', port: 2, send: 'GET / HTTP/1.1\r\nHost: h\r\nX-A: first\r\n\r\n' },
];

// The id's parts that differ between the two runs (client and frontend ports, the second, the pid) masked; the
// address, the layout and the stream counter stay.
const ID = /\b([0-9A-F]{8}):[0-9A-F]{4}_([0-9A-F]{8}):[0-9A-F]{4}_([0-9A-F]{8})_([0-9A-F]{4}):[0-9A-F]{4,}\b/g;
function maskIds(s: string, ts: string[]): string {
  return s.replace(ID, (_m, ci: string, fi: string, t: string, rt: string) => {
    ts.push(t);
    return `${ci}:CP_${fi}:FP_TS_${rt}:PID`;
  });
}

describe.skipIf(!hasHaproxy)('unique ids match real HAProxy 2.6', () => {
  let srv: TestServer;
  const expected = new Map<string, Seen>();
  const got = new Map<string, Seen>();
  const stamps: string[] = [];
  beforeAll(async () => {
    srv = await startEchoServer();
    const both = await playThroughBoth(CONFIG(srv.port), CASES, 3);
    for (const [from, to] of [[both.expected, expected], [both.got, got]] as const) {
      for (const [k, v] of from) to.set(k, { bytes: maskIds(v.bytes, stamps), logs: v.logs.map((l) => maskIds(l, stamps)) });
    }
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the masked parts were real ids: %Ts is the current second in hex', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(stamps.length).toBeGreaterThan(8);
    for (const t of stamps) expect(Math.abs(Number.parseInt(t, 16) - now)).toBeLessThan(120);
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('x-unique-id: 7F000001:CP_7F000001:FP_TS_');
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
const CHECKS: Record<string, string> = {
  'unique-id-format without argument': `${HEAD}    unique-id-format\n`,
  'unique-id-format with two arguments': `${HEAD}    unique-id-format a b\n`,
  'unique-id-header without argument': `${HEAD}    unique-id-header\n`,
  'unique-id-format with an unclosed sample': `${HEAD}    unique-id-format %[src\n`,
  'unique-id-format with an unknown variable': `${HEAD}    unique-id-format %ci_%zz\n`,
  'unique-id-format with a response sample': `${HEAD}    unique-id-format %[res.hdr(x)]\n`,
  'valid: unique-id-format in defaults, header in the frontend': `defaults\n    mode http\n    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:9\n    unique-id-header X-Req-ID\n`,
};

describe.skipIf(!hasHaproxy)('unique-id config errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      for (const a of haproxy.alerts) expect(engine.alerts).toContain(a);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
