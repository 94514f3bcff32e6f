// tcp-request connection rules and the PROXY protocol against real HAProxy 2.6: "expect-proxy layer4 if COND"
// reads a header only from the clients its condition names (others are served as they are, or refused when they
// send one anyway); connection rules see the socket's own addresses even on an accept-proxy bind, session rules the
// carried ones. Every address, real or carried, is on 127.0.0.0/8.
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
frontend expect
    bind 127.0.0.1:{{port0}}
    tcp-request connection expect-proxy layer4 if { src 127.0.0.2 }
    http-request return status 200 content-type text/plain lf-string "src=%[src]:%[src_port] dst=%[dst]:%[dst_port]" if { src 127.1.2.3 }
    http-request return status 200 content-type text/plain lf-string "src=%[src] dst=%[dst]"
frontend accept
    bind 127.0.0.1:{{port1}} accept-proxy
    tcp-request connection reject if { src 127.66.0.0/16 }
    tcp-request session reject if { src 127.77.0.0/16 }
    http-request return status 200 content-type text/plain lf-string "src=%[src]"
listen tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:{{port2}}
    tcp-request connection expect-proxy layer4 unless { src 127.0.0.1 }
    server s1 127.0.0.1:${port}
`;

const GET = `GET / HTTP/1.1\r\nHost: x\r\n\r\n`;
const HEADER = 'PROXY TCP4 127.1.2.3 127.4.5.6 5555 8080\r\n';

const CASES: RawCase[] = [
  { name: 'a client the condition names: its header gives the addresses', send: HEADER + GET, from: '127.0.0.2' },
  { name: 'a client the condition names, without a header: refused and logged', send: GET, from: '127.0.0.2' },
  { name: 'another client is served on its own addresses', send: GET, from: '127.0.0.3' },
  { name: 'another client sending a header: it is taken for the request and refused as one', send: HEADER + GET, from: '127.0.0.3' },
  { name: 'accept-proxy: connection rules judge the real source, not the carried one', send: 'PROXY TCP4 127.66.1.1 127.0.0.1 4000 80\r\n' + GET, port: 1 },
  { name: 'accept-proxy: a real source the connection rules reject is closed before its header', send: HEADER + GET, port: 1, from: '127.66.0.5' },
  { name: 'accept-proxy: session rules judge the carried source', send: 'PROXY TCP4 127.77.1.1 127.0.0.1 4000 80\r\n' + GET, port: 1 },
  { name: 'mode tcp: expect-proxy unless the source is the local one', send: HEADER + 'tcp:hello', port: 2, from: '127.0.0.9' },
  { name: 'mode tcp: the local source keeps the header as data', send: HEADER + 'tcp:hello', port: 2 },
];

describe.skipIf(!hasHaproxy)('tcp-request connection expect-proxy and the PROXY header as in real HAProxy 2.6', () => {
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    srv = await firstBytes();
    ({ expected, got } = await playThroughBoth(CONFIG(srv.port), CASES, 3));
  }, 90_000);

  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const seen = (i: number) => expected.get(CASES[i]!.name)!;
    expect(seen(0).bytes).toContain('src=127.1.2.3:5555 dst=127.4.5.6:8080');
    expect(seen(1).logs.join('\n')).toContain('Received something which does not look like a PROXY protocol header');
    expect(seen(2).bytes).toContain('src=127.0.0.3 dst=127.0.0.1');
    expect(seen(3).bytes).toMatch(/^HTTP\/1\.1 400/);
    expect(seen(4).bytes).toContain('src=127.66.1.1');
    expect(seen(5).bytes).toBe('');
    expect(seen(6).bytes).toBe('');
    expect(seen(6).logs).toEqual(['127.77.1.1:PORT [DATE] accept/1: Success']);
    expect(seen(7).bytes).toBe('got=[tcp:hello]');
    expect(seen(8).bytes).toBe(`got=[${HEADER.trim()}]`);
  });
});

const CHECK = (rule: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8080
    ${rule}
    http-request return status 200
`;

const CHECKS: Record<string, string> = {
  'expect-proxy layer4 with a condition loads': CHECK('tcp-request connection expect-proxy layer4 if { src 127.0.0.0/8 }'),
  'expect-proxy takes only layer4': CHECK('tcp-request connection expect-proxy layer7'),
  'expect-proxy without its layer': CHECK('tcp-request connection expect-proxy'),
  'expect-proxy is refused in content rules': CHECK('tcp-request content expect-proxy layer4'),
  'expect-proxy is refused in session rules': CHECK('tcp-request session expect-proxy layer4'),
  'expect-proxy followed by something else than a condition': CHECK('tcp-request connection expect-proxy layer4 now'),
};

describe.skipIf(!hasHaproxy)('expect-proxy config errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
