// tcp-response inspect-delay and tcp-response content rules in mode tcp, against real HAProxy 2.6: what the
// client receives, and the log line (termination state, bytes read from the server, the variables and the last
// rule the response rules left). The server answers by what the client sent: an echo, a response in three reads,
// a short answer that never completes; the backend's own tcp-request content rules run as the stream enters it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type net from 'node:net';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// what the test server does with a connection, by the first bytes the client sends
function serve(sock: net.Socket): void {
  sock.once('data', (d) => {
    const text = d.toString('latin1');
    const later = (ms: number, f: () => void) => setTimeout(() => !sock.destroyed && f(), ms);
    if (text.startsWith('slow')) {
      sock.write('AB');
      later(150, () => sock.write('CDEFG'));
      later(300, () => sock.write('XYZ'));
      later(700, () => sock.end());
    } else if (text.startsWith('short')) {
      sock.write('AB');
      later(1300, () => sock.end());
    } else if (text.startsWith('quit')) {
      sock.end('AB');
    } else {
      sock.write(d);
      later(700, () => sock.end());
    }
  });
}

const config = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode tcp
    option tcplog
    timeout connect 1s
    timeout client 3s
    timeout server 3s
listen lt
    bind 127.0.0.1:{{port0}}
    log-format "%ci:%cp [%t] %ts b=%B r=%[var(txn.r)] p=%[var(txn.p)] n=%[var(txn.n)] lr=%[last_rule_line]"
    tcp-response inspect-delay 1s
    tcp-response content set-var(txn.r) res.len
    tcp-response content set-var(txn.p) res.payload(0,2)
    tcp-response content reject if { res.payload(0,3) -m str HEL }
    tcp-response content close if { res.payload(0,3) -m str BYE }
    tcp-response content set-var(txn.n) str(late) if { res.len ge 5 }
    tcp-response content accept if { res.len ge 5 }
    server s1 127.0.0.1:${srv}
frontend fe
    bind 127.0.0.1:{{port1}}
    log-format "%ci:%cp [%t] %ts %b b=%B f=%[var(txn.f)] be=%[var(txn.be)] r=%[var(txn.r)] lr=%[last_rule_line]"
    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.f) req.len
    tcp-request content accept if { req.len ge 3 }
    default_backend be
backend be
    # runs when the stream enters the backend: by then the frontend's rules have accepted
    tcp-request inspect-delay 1s
    tcp-request content set-var(txn.be) req.len
    tcp-request content reject if { req.payload(0,4) -m str deny }
    tcp-request content accept if { req.len ge 6 }
    # no inspect delay: the rules run once, as the server connects, with nothing received yet
    tcp-response content set-var(txn.r) res.len
    tcp-response content reject if { res.len gt 0 }
    server s1 127.0.0.1:${srv}
`;

const CASES: RawCase[] = [
  { name: 'reject drops the response and closes both sides, logged PD with the bytes read', send: 'HELLO' },
  { name: 'close forwards what came and closes the server side', send: 'BYEBYE' },
  { name: 'rules wait while a condition cannot decide and start again from the first rule on each read', send: 'slow', quietMs: 1200 },
  { name: 'the inspect delay ends the wait: the rules decide on what came (no rule matched)', send: 'short', quietMs: 1800 },
  { name: 'a server that closes ends the wait at once', send: 'quit' },
  { name: 'a backend runs its own tcp-request content rules, after the frontend accepted', send: 'hello!', port: 1 },
  { name: "a backend's tcp-request content reject closes the connection", send: 'deny!!', port: 1 },
  { name: "a backend's content rules wait for data with its own inspect delay", send: 'abc', port: 1, quietMs: 1500 },
];

describe.skipIf(!hasHaproxy)('tcp-response content rules in mode tcp act as in HAProxy 2.6', () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await serveOnLoopback(serve);
    seen = await playThroughBoth(config(srv.port), CASES, 2);
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(CASES, () => seen);

  it('sees what it was written for (the cases are not vacuous)', () => {
    const log = (i: number) => seen.expected.get(CASES[i]!.name)!.logs.join('\n');
    expect(log(0)).toContain(' PD b=5 r=5 p=HE n=- lr=');
    expect(seen.expected.get(CASES[1]!.name)!.bytes).toBe('BYEBYE');
    expect(log(2)).toMatch(/b=10 r=7 p=AB n=late lr=\d+/);
    expect(log(3)).toContain('b=2 r=2 p=AB n=- lr=-');
    expect(log(5)).toContain('be b=6 f=6 be=6 r=0 lr=');
    expect(seen.expected.get(CASES[6]!.name)!.bytes).toBe('');
  });
});
