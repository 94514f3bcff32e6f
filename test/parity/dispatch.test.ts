// `dispatch ADDR:PORT` against real HAProxy 2.6: without a balancing algorithm every stream goes to the dispatch
// address (servers or not), logged <NOSRV>, in mode http and tcp; a `balance` line, written or inherited, makes it
// "balance mode", where the address is ignored with a warning. Its server connections are private to their client
// connection whatever http-reuse says (what HAProxy's connection/http_reuse_dispatch.vtc checks with
// http_first_req): each client's requests stay on its own server connection, a new client opens a new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// a mode tcp server that says what it received first, then closes
function firstBytes(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    sock.once('data', (d: Buffer) => sock.end(`got=[${d.toString('latin1').split('\r\n')[0]}]`));
  });
}

const CONFIG = (tcpPort: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 2s
    timeout server 2s
listen sender
    bind 127.0.0.1:{{port0}}
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    dispatch 127.0.0.1:{{port1}}
listen receiver
    bind 127.0.0.1:{{port1}}
    http-request set-var(sess.client_id) req.hdr(client-id)
    http-request return status 200
    http-after-response set-header http_first_request %[http_first_req]
    http-after-response set-header client-id %[var(sess.client_id)]
listen with_servers
    bind 127.0.0.1:{{port2}}
    dispatch 127.0.0.1:{{port1}}
    server dead 127.0.0.1:1
listen balanced
    bind 127.0.0.1:{{port3}}
    balance roundrobin
    dispatch 127.0.0.1:{{port1}}
frontend fe
    bind 127.0.0.1:{{port4}}
    default_backend be_dispatch
backend be_dispatch
    dispatch 127.0.0.1:{{port1}}
listen tcp_dispatch
    bind 127.0.0.1:{{port5}}
    mode tcp
    option tcplog
    dispatch 127.0.0.1:${tcpPort}
`;

const get = (client?: string) => `GET / HTTP/1.1\r\nHost: x\r\n${client ? `client-id: ${client}\r\n` : ''}\r\n`;
// three requests on one client connection, only the first naming its client (http_reuse_dispatch.vtc's shape)
const THREE = (client: string) => get(client) + get() + get();

const CASES: RawCase[] = [
  { name: 'the first client: its three requests share one new server connection', send: THREE('c1') },
  { name: 'a second client does not take the first one\'s idle connection', send: THREE('c2') },
  { name: 'a third client opens its own too', send: THREE('c3') },
  { name: 'servers without a balance line: the dispatch address takes the stream', send: get('s'), port: 2 },
  { name: 'a balance line makes it balance mode: no server, 503', send: get(), port: 3 },
  { name: 'a backend reached by default_backend dispatches too', send: get('b'), port: 4 },
  { name: 'mode tcp dispatches the connection', send: 'hello\r\n', port: 5 },
];

describe.skipIf(!hasHaproxy)('dispatch sends streams to one address as real HAProxy 2.6 does', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await firstBytes();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 6));
  }, 90_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    for (const [i, c] of ['c1', 'c2', 'c3'].entries()) {
      expect(seen(i).bytes.match(/http_first_request: \d/g)).toEqual(['http_first_request: 1', 'http_first_request: 0', 'http_first_request: 0']);
      expect(seen(i).bytes.match(/client-id: \w*/g)).toEqual([`client-id: ${c}`, `client-id: ${c}`, `client-id: ${c}`]);
      expect(seen(i).logs.filter((l) => l.includes(' sender sender/<NOSRV> '))).toHaveLength(3);
    }
    expect(seen(3).bytes).toContain('client-id: s');
    expect(seen(3).logs.join('\n')).toContain('with_servers with_servers/<NOSRV>');
    expect(seen(4).bytes).toMatch(/^HTTP\/1\.1 503/);
    expect(seen(5).logs.join('\n')).toContain(' fe be_dispatch/<NOSRV> ');
    expect(seen(6).bytes).toBe('got=[hello]');
    expect(seen(6).logs.join('\n')).toContain('tcp_dispatch tcp_dispatch/<NOSRV>');
  });
});

const CHECK = (lines: string, defaults = '') => `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
${defaults}
listen a
    bind 127.0.0.1:8080
${lines}
`;

const CHECKS: Record<string, string> = {
  'dispatch with an address and a port loads': CHECK('    dispatch 127.0.0.1:8081'),
  'dispatch without an address': CHECK('    dispatch'),
  'dispatch without a port': CHECK('    dispatch 127.0.0.1'),
  'dispatch to port 0': CHECK('    dispatch 127.0.0.1:0'),
  'dispatch to a port range': CHECK('    dispatch 127.0.0.1:80-90'),
  'dispatch with a word too many': CHECK('    dispatch 127.0.0.1:8081 x'),
  'dispatch in a defaults section': CHECK('', '    dispatch 127.0.0.1:8081'),
  'dispatch with a balance line is ignored with a warning': CHECK('    balance roundrobin\n    dispatch 127.0.0.1:8081'),
  'dispatch under an inherited balance line too': CHECK('    dispatch 127.0.0.1:8081', '    balance leastconn'),
  'dispatch in a frontend is ignored with a warning': `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    bind 127.0.0.1:8080
    dispatch 127.0.0.1:8081
    default_backend b
backend b
    server s 127.0.0.1:8082
`,
  'pool-max-conn takes -1 and more': CHECK('    server s 127.0.0.1:8081 pool-max-conn -1\n    server t 127.0.0.1:8082 pool-max-conn 0'),
  'pool-max-conn below -1': CHECK('    server s 127.0.0.1:8081 pool-max-conn -2'),
  'pool-max-conn without a value': CHECK('    server s 127.0.0.1:8081 pool-max-conn'),
};

describe.skipIf(!hasHaproxy)('dispatch and pool-max-conn config errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
