// http-response allow against real HAProxy 2.6: it ends the http-response rules of its own proxy (the backend's),
// the frontend's still run after it, and it is the stream's last rule; an unconditional one makes the rules after
// it NOOP, which haproxy -c warns about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { checkBoth } from '../helpers/config-check.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

const config = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    log-format "%ci:%cp [%tr] %ST lr=%[last_rule_line]"
    http-request set-var(txn.p) path
    http-response set-header x-fe ran
    default_backend be
backend be
    http-response set-header x-before 1
    http-response allow if { var(txn.p) -m str /allow }
    http-response deny if { var(txn.p) -m str /allow }
    http-response set-header x-after 1
    http-response deny if { var(txn.p) -m str /deny }
    server s1 127.0.0.1:${srv}
`;

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

const CASES: RawCase[] = [
  { name: "allow skips the rest of the backend's http-response rules, not the frontend's", send: get('/allow') },
  { name: 'without allow every rule runs', send: get('/other') },
  { name: 'a deny after no allow still denies', send: get('/deny') },
];

describe.skipIf(!hasHaproxy)('http-response allow acts as in HAProxy 2.6', () => {
  let srv: TestServer;
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    seen = await playThroughBoth(config(srv.port), CASES);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });
  eachCaseAsHaproxy(CASES, () => seen);

  it('sees what it was written for (the cases are not vacuous)', () => {
    const allow = seen.expected.get(CASES[0]!.name)!;
    expect(allow.bytes).toContain('x-before: 1\r\nx-fe: ran\r\n');
    expect(allow.bytes).not.toContain('x-after');
    expect(allow.logs.join('\n')).toMatch(/ 200 lr=18$/);
    expect(seen.expected.get(CASES[1]!.name)!.bytes).toContain('x-after: 1\r\n');
  });

  it('warns, as haproxy -c does, about the rules after an unconditional allow', () => {
    const { haproxy, engine } = checkBoth(`
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
listen li
    bind 127.0.0.1:8081
    http-response allow
    http-response set-header x 1
    server s1 127.0.0.1:8080
`);
    expect(haproxy.warnings.length).toBe(1);
    expect(engine).toEqual(haproxy);
  });
});
