// set-var, set-var-fmt and unset-var in tcp-request connection, session and content rules, and tcp-request
// session accept/reject, in mode tcp and mode http, against real HAProxy 2.6: the variables each stage leaves,
// as a log line (mode tcp) or an answer (mode http) shows them. In mode tcp HAProxy runs the content rules
// again from the first one at each wake-up until they decide (how many wake-ups varies from run to run, 2 or 3
// for the same client here), so no case counts evaluations there; mode http runs them once per request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const GET = 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n';

const tcpConfig = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode tcp
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port0}}
    # logged once the server is connected: by then every tcp-request stage has run
    option logasap
    log-format "%ci:%cp [-] c=%[var(sess.c)] s=%[var(sess.s)] f=%[var(txn.f)] gone=%[var(txn.gone)] after=%[var(txn.after)]"
    tcp-request connection set-var(sess.c) src
    tcp-request session set-var(sess.s) str(sess)
    tcp-request session reject if { src 127.66.0.0/16 }
    tcp-request inspect-delay 300ms
    tcp-request content set-var-fmt(txn.f) "%[var(sess.c)]/%[var(sess.s)]"
    tcp-request content set-var(txn.gone) str(x)
    tcp-request content unset-var(txn.gone)
    tcp-request content accept if { req.len ge 4 }
    tcp-request content set-var(txn.after) req.len
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const TCP_CASES: RawCase[] = [
  { name: 'mode tcp: each stage leaves its variables; accept ends the content rules', send: GET, from: '127.0.0.7' },
  { name: 'mode tcp: an evaluation that waits for data starts again at the first rule when it is final', send: 'ab', quietMs: 1200 },
  { name: 'mode tcp: tcp-request session reject closes the connection', send: GET, from: '127.66.0.3' },
];

const httpConfig = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port0}}
    tcp-request connection set-var(sess.c) src
    tcp-request session set-var-fmt(sess.s) "s-%[src]"
    tcp-request session reject if { src 127.66.0.0/16 }
    tcp-request content set-var(txn.t) req.len
    tcp-request content set-var(req.r) str(r)
    tcp-request content set-var(txn.n) var(txn.n,0),add(1)
    tcp-request content unset-var(sess.s) if { src 127.0.0.9 }
    http-request return status 200 content-type text/plain lf-string "c=%[var(sess.c)] s=%[var(sess.s)] t=%[var(txn.t)] r=%[var(req.r)] n=%[var(txn.n)]|"
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const HTTP_CASES: RawCase[] = [
  { name: 'mode http: connection, session and content variables reach http-request rules', send: GET },
  { name: 'mode http: every request of a connection runs the content rules again (txn counts from zero)', send: GET + GET },
  { name: 'mode http: unset-var in a content rule drops a session variable', send: GET, from: '127.0.0.9' },
  { name: 'mode http: tcp-request session reject closes before any HTTP', send: GET, from: '127.66.0.4' },
];

describe.skipIf(!hasHaproxy)('variables in tcp-request rules act as in HAProxy 2.6', () => {
  let srv: TestServer;
  let tcp: { expected: Map<string, Seen>; got: Map<string, Seen> };
  let http: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    tcp = await playThroughBoth(tcpConfig(srv.port), TCP_CASES);
    http = await playThroughBoth(httpConfig(srv.port), HTTP_CASES);
  }, 90_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(TCP_CASES, () => tcp);
  eachCaseAsHaproxy(HTTP_CASES, () => http);

  it('sees the values it was written for (the cases are not vacuous)', () => {
    expect(tcp.expected.get(TCP_CASES[0]!.name)!.logs.join('\n')).toContain('c=127.0.0.7 s=sess f=127.0.0.7/sess gone=- after=-');
    expect(tcp.expected.get(TCP_CASES[1]!.name)!.logs.join('\n')).toContain('gone=- after=2');
    // req.len in mode http is the request's HTX size (42 for this 31-byte request), not the bytes received
    expect(http.expected.get(HTTP_CASES[0]!.name)!.bytes).toContain('c=127.0.0.1 s=s-127.0.0.1 t=42 ');
    expect(http.expected.get(HTTP_CASES[0]!.name)!.bytes).toContain(' r=r n=1|');
  });
});
