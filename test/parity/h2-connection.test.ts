// HTTP/2 streams against real HAProxy 2.6: the streams of one client connection belong to one session, so its
// tcp-request connection rules run once, sc0_conn_cnt / sc0_sess_cnt count the connection once while
// sc0_http_req_cnt counts every stream, and under http-reuse safe only the connection's first stream is a "first
// request" (the later ones take the idle server connection it left). curl sends several streams on one TLS
// connection (ALPN h2; curl 7.88 breaks off a reused clear-text prior-knowledge connection after its first stream).
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const run = promisify(execFile);

const CONFIG = (port: number, crt: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-keep-alive 5s
frontend counters
    bind 127.0.0.1:{{port0}} ssl crt ${crt} alpn h2,http/1.1
    tcp-request connection track-sc0 src table t
    tcp-request connection sc-inc-gpc0(0)
    http-request return status 200 content-type text/plain lf-string "rules=%[sc0_get_gpc0] conn_cnt=%[sc0_conn_cnt] sess_cnt=%[sc0_sess_cnt] http_req_cnt=%[sc0_http_req_cnt];"
backend t
    stick-table type ip size 10 store gpc0,conn_cnt,sess_cnt,http_req_cnt
listen reuse
    bind 127.0.0.1:{{port1}} ssl crt ${crt} alpn h2,http/1.1
    http-reuse safe
    server s1 127.0.0.1:${port}
`;

// A keep-alive server that counts the connections it accepts.
async function counting(): Promise<{ server: TestServer; count: () => number; reset: () => void }> {
  let n = 0;
  const server = await serveOnLoopback((sock: net.Socket) => {
    n++;
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok;');
      }
    });
  });
  return { server, count: () => n, reset: () => (n = 0) };
}

// One curl, one HTTP/2 connection (prior knowledge), `streams` requests on it in turn.
async function h2(certs: TestCerts, port: number, streams: number): Promise<string> {
  const urls = Array.from({ length: streams }, (_, i) => `https://h2.example:${port}/r${i}`);
  const tlsArgs = ['--http2', '--cacert', certs.caFile, '--resolve', `h2.example:${port}:127.0.0.1`];
  const { stdout } = await run('curl', ['-s', '--max-time', '5', ...tlsArgs, ...urls]);
  return stdout;
}

interface Seen {
  readonly counters: string[];
  readonly serverConns: number;
}

async function play(certs: TestCerts, ports: readonly number[], srv: { count: () => number; reset: () => void }): Promise<Seen> {
  // two connections of three streams each, from the same source
  const counters = [await h2(certs, ports[0]!, 3), await h2(certs, ports[0]!, 3)];
  srv.reset();
  await h2(certs, ports[1]!, 3);
  return { counters, serverConns: srv.count() };
}

describe.skipIf(!hasHaproxy || !hasOpenssl)('the streams of one HTTP/2 connection share its session, as in real HAProxy 2.6', () => {
  let srv: Awaited<ReturnType<typeof counting>>;
  let certs: TestCerts;
  let expected: Seen;
  let got: Seen;

  beforeAll(async () => {
    srv = await counting();
    certs = makeCerts({ 'h2.example': {} });
    const cfg = CONFIG(srv.server.port, certs.pem['h2.example']!);
    const real = await startHaproxy(cfg, { ports: 2 });
    try {
      expected = await play(certs, real.ports, srv);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { ports: 2 });
    try {
      got = await play(certs, ours.ports, srv);
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await srv?.server.close();
    certs?.cleanup();
  });

  it('runs tcp-request connection rules and counts the session once per connection, requests per stream', () => {
    expect(expected.counters).toEqual([
      'rules=1 conn_cnt=1 sess_cnt=1 http_req_cnt=1;rules=1 conn_cnt=1 sess_cnt=1 http_req_cnt=2;rules=1 conn_cnt=1 sess_cnt=1 http_req_cnt=3;',
      'rules=2 conn_cnt=2 sess_cnt=2 http_req_cnt=4;rules=2 conn_cnt=2 sess_cnt=2 http_req_cnt=5;rules=2 conn_cnt=2 sess_cnt=2 http_req_cnt=6;',
    ]);
    expect(got.counters).toEqual(expected.counters);
  });

  it('lets the later streams of a connection reuse the server connection its first stream opened (http-reuse safe)', () => {
    expect(expected.serverConns).toBe(1);
    expect(got.serverConns).toBe(expected.serverConns);
  });
});
