// tcp-request connection and content rules in mode http and mode tcp, against real HAProxy 2.6: every action the
// engine supports (accept, reject), with anonymous and named ACLs, if/unless, first-match order, and the bytes and
// log lines a client's connection produces. A mode http frontend once ignored these rules altogether.
import { afterAll, beforeAll, describe } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const GET = 'GET /ok11 HTTP/1.1\r\nHost: x\r\n\r\n';

const config = (mode: 'http' | 'tcp', srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode ${mode}
    option ${mode}log
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port0}}
    bind 127.0.0.1:{{port1}}
    bind 127.0.0.1:{{port2}}
    acl trusted src 127.9.0.0/16
    tcp-request connection accept if trusted
    tcp-request connection reject if { src 127.66.0.0/16 }
    tcp-request connection reject if { src 127.9.9.9 }
    tcp-request connection reject if { dst_port {{port1}} }
    tcp-request connection reject unless { src 127.0.0.0/8 }
    default_backend be
frontend fe2
    bind 127.0.0.1:{{port3}}
    tcp-request connection reject if TRUE
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const cases = (mode: string): RawCase[] => [
  { name: `${mode}: a source no rule names is served`, send: GET, from: '127.0.0.5' },
  { name: `${mode}: an anonymous { src NET } ACL rejects the connection before any byte is read`, send: GET, from: '127.66.1.2' },
  { name: `${mode}: an accept rule ends the evaluation, so a later reject of the same source does not apply`, send: GET, from: '127.9.9.9' },
  { name: `${mode}: a dst_port condition rejects on the port it names only`, send: GET, port: 1 },
  { name: `${mode}: another port of the same frontend is not rejected`, send: GET, port: 2 },
  { name: `${mode}: reject if TRUE closes every connection`, send: GET, port: 3 },
  { name: `${mode}: a client rejected before it sends anything gets nothing either`, send: '', from: '127.66.0.1' },
];

for (const mode of ['http', 'tcp'] as const) {
  describe.skipIf(!hasHaproxy)(`tcp-request connection rules in mode ${mode} act as in HAProxy 2.6`, () => {
    let srv: TestServer;
    let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
    beforeAll(async () => {
      srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
      seen = await playThroughBoth(config(mode, srv.port), cases(mode), 4);
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });
    eachCaseAsHaproxy(cases(mode), () => seen);
  });
}

const contentConfig = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port0}}
    bind 127.0.0.1:{{port1}}
    tcp-request content accept if { src 127.9.0.0/16 }
    tcp-request content reject if { req.len gt 0 } { dst_port {{port0}} }
    tcp-request content reject if { src 127.66.0.0/16 }
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const contentCases: RawCase[] = [
  { name: 'http: a content reject closes without an answer and logs a bad request', send: GET },
  { name: 'http: a content accept ends the evaluation before a matching reject', send: GET, from: '127.9.1.1' },
  { name: 'http: content rules that do not match let the request through', send: GET, port: 1 },
  { name: 'http: an anonymous { src } content reject applies on any port', send: GET, port: 1, from: '127.66.3.3' },
  { name: 'http: content rules run again for each request of a keep-alive connection', send: GET + GET, port: 1 },
];

describe.skipIf(!hasHaproxy)('tcp-request content rules in mode http act as in HAProxy 2.6', () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    seen = await playThroughBoth(contentConfig(srv.port), contentCases, 2);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(contentCases, () => seen);
});
