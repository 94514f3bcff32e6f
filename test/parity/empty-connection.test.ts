// A client that connects and closes without sending a byte, against real HAProxy 2.6: in mode http it is logged as
// a bad request (400, CR--, <BADREQ>) unless "option dontlognull" or "option http-ignore-probes" spares the line;
// in mode tcp it is an ordinary tcplog line, which dontlognull also drops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend plain
    bind 127.0.0.1:{{port0}}
    http-request return status 200
frontend dontlognull
    bind 127.0.0.1:{{port1}}
    option dontlognull
    http-request return status 200
frontend probes
    bind 127.0.0.1:{{port2}}
    option http-ignore-probes
    http-request return status 200
listen tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:{{port3}}
    server s1 127.0.0.1:${port}
listen tcp_dontlognull
    mode tcp
    option tcplog
    option dontlognull
    bind 127.0.0.1:{{port4}}
    server s1 127.0.0.1:${port}
`;

const CASES: RawCase[] = [
  { name: 'mode http: an empty connection is logged as a bad request', send: '', quietMs: 100 },
  { name: 'mode http: a request after it is logged as usual', send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'mode http: a client that closes after a keep-alive request is not logged again', send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', quietMs: 100 },
  { name: 'mode http: a client that closes in the middle of a head', send: 'GET / HTTP/1.1\r\nHo', quietMs: 100 },
  { name: 'mode http with dontlognull: a client that closes in the middle of a head', send: 'GET / HTTP/1.1\r\nHo', quietMs: 100, port: 1 },
  { name: 'mode http with dontlognull: an empty connection is not logged', send: '', quietMs: 100, port: 1 },
  { name: 'mode http with http-ignore-probes: an empty connection is not logged', send: '', quietMs: 100, port: 2 },
  { name: 'mode tcp: an empty connection is a tcplog line', send: '', quietMs: 100, port: 3 },
  { name: 'mode tcp with dontlognull: an empty connection is not logged', send: '', quietMs: 100, port: 4 },
];

describe.skipIf(!hasHaproxy)('empty connections are logged as real HAProxy 2.6 logs them', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    // a server that never speaks first and closes when its client does
    srv = await serveOnLoopback((sock) => {
      sock.on('end', () => sock.end());
      sock.on('error', () => sock.destroy());
    });
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 5));
  }, 90_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    expect(seen(0).logs).toHaveLength(1);
    expect(seen(0).logs[0]).toContain('<BADREQ>');
    expect(seen(5).logs).toEqual([]);
    expect(seen(6).logs).toEqual([]);
    expect(seen(8).logs).toEqual([]);
  });
});
