// Variables against real HAProxy 2.6: set-var / set-var-fmt / unset-var in http-request and http-response rules,
// the txn, req, res, sess and proc scopes with their lifetimes, typed values (an int var with add() and an int
// ACL match), the set-var converter, global set-var, and var() in header values, conditions and log-format.
// The server echoes the request head it received as its body, so the client sees what each proxy forwarded.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../proxy/runtime-api/index.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import type { TestServer } from '../helpers/raw-http.ts';

const startEchoServer = () => startHeadEcho(() => 'X-Server: echo\r\n');

const CONFIG = (port: number) => `
global
    log stdout format raw local0
    set-var proc.greeting str(hello)
    set-var-fmt proc.both %[var(proc.greeting)]-world
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    log-format "%ci:%cp [%tr] %ST %[var(txn.host)] %[var(txn.m)] %[var(req.r)] %[var(res.s)] %[var(sess.count)]"
    http-request set-var(txn.host) req.hdr(host),lower
    http-request set-var(txn.n) int(41)
    http-request set-var(txn.m) var(txn.n),add(1)
    http-request set-var(sess.count) var(sess.count,0),add(1)
    http-request set-var(req.r) str(reqval)
    http-request set-var(res.early) str(too-early)
    http-request set-var-fmt(txn.fmt) "%[path]-%[var(txn.n)]"
    http-request set-var(txn.gone) str(x)
    http-request unset-var(txn.gone)
    http-request set-var(txn.missing) req.hdr(x-none)
    http-request deny deny_status 403 if { var(txn.m) -m int 42 } { path /deny42 }
    http-request deny deny_status 404 if { var(txn.m) -m str 41 } { path /deny42 }
    http-request set-header X-Host %[var(txn.host)]
    http-request set-header X-M %[var(txn.m)]
    http-request set-header X-Count %[var(sess.count)]
    http-request set-header X-Req %[var(req.r)]
    http-request set-header X-Early %[var(res.early)]
    http-request set-header X-Fmt %[var(txn.fmt)]
    http-request set-header X-Gone %[var(txn.gone)]
    http-request set-header X-Missing %[var(txn.missing,dflt)]
    http-request set-header X-Proc %[var(proc.both)]
    http-request set-header X-Conv %[req.hdr(x-in),set-var(txn.conv),upper]
    http-request set-header X-Conv2 %[var(txn.conv)]
    http-request set-header X-Bool %[var(txn.b)] if { bool(1),set-var(txn.b) -m found }
    default_backend be
backend be
    http-response set-var(res.s) res.hdr(x-server)
    http-response set-header X-Res %[var(res.s)]
    http-response set-header X-Req-In-Res %[var(req.r)]
    http-response set-header X-Txn-In-Res %[var(txn.host)]
    http-response set-header X-Sess-In-Res %[var(sess.count)]
    http-response set-status 201 if { var(txn.fmt) -m str /created-41 }
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'txn, req, res and proc variables reach the headers they should', send: 'GET /a HTTP/1.1\r\nHost: WWW.Example.ORG\r\nX-In: abc\r\n\r\n' },
  { name: 'an int variable with add() matches an int ACL', send: 'GET /deny42 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a sess variable counts the requests of one connection', send: 'GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'a new connection starts its sess variables again', send: 'GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n' },
  { name: 'set-var-fmt builds a string a response condition reads', send: 'GET /created HTTP/1.1\r\nHost: h\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('variables match real HAProxy 2.6', () => {
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
    const first = expected.get(CASES[0]!.name)!;
    expect(first.bytes).toContain('x-host: www.example.org');
    expect(first.bytes).toContain('x-proc: hello-world');
    expect(first.bytes).toContain('x-res: echo');
    expect(first.logs).toHaveLength(1);
    expect(first.logs[0]).toContain(' www.example.org 42 - echo 1');
    expect(expected.get(CASES[1]!.name)!.bytes).toMatch(/^HTTP\/1\.1 403/);
    expect(expected.get(CASES[2]!.name)!.bytes).toContain('x-count: 2');
    expect(expected.get(CASES[4]!.name)!.bytes).toMatch(/^HTTP\/1\.1 201/);
  });
});

// `get var` on the runtime API: HAProxy's answers for proc variables set by global set-var, for a missing one,
// one of another scope and a missing name.
const CLI_CONFIG = `
global
    stats socket {{sock}} level admin
    set-var proc.n int(5)
    set-var proc.s str(hi)
    set-var proc.b bool(1)
    set-var-fmt proc.f %[var(proc.n)]-x
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:1
`;

function askSocket(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path);
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(`${command}\n`);
  });
}

describe.skipIf(!hasHaproxy)('get var on the runtime API matches real HAProxy 2.6', () => {
  const COMMANDS = ['get var proc.n', 'get var proc.s', 'get var proc.b', 'get var proc.f', 'get var proc.none', 'get var txn.n', 'get var'];
  const theirs = new Map<string, string>();
  const ours = new Map<string, string>();

  beforeAll(async () => {
    const real = await startHaproxy(CLI_CONFIG);
    try {
      for (const c of COMMANDS) theirs.set(c, await askSocket(real.socketPath, c));
    } finally {
      await real.stop();
    }
    const mine = await startEngine(CLI_CONFIG.replace(/^ {4}stats socket.*\n/m, ''));
    try {
      const cli = createCommandProcessor(mine.engine, { level: 'admin' });
      for (const c of COMMANDS) ours.set(c, `${cli.run(c).output}\n`);
    } finally {
      await mine.stop();
    }
  }, 60_000);

  for (const c of COMMANDS) {
    it(`answers "${c}" as haproxy does`, () => {
      expect(ours.get(c)).toBe(theirs.get(c));
    });
  }

  it('is not vacuous: haproxy printed typed values', () => {
    expect(theirs.get('get var proc.n')).toBe('proc.n: type=sint value=<5>\n');
    expect(theirs.get('get var proc.f')).toContain('value=<5-x>');
  });
});
