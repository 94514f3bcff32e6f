// Every log-format variable of HAProxy 2.6 (doc/configuration.txt 8.2.4) against the real binary: values, +Q and
// +X, %o, spaces merged, and an unknown or malformed variable refused with haproxy -c's words. What differs
// between two runs by nature (ports, times, the pid) is left out of the format or masked.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { startRawServer, type TestServer } from '../helpers/raw-http.ts';

// every format starts as httplog lines do, so the helpers' log filter and normaliser (port, date) apply
const VARS =
  '%ci:%cp [%tr] %ci|%fi|%{+X}ci:%{+X}fi|%f|%ft|%b|%s|%si|%{+X}si|%ST|%B|%U|%ts|%tsc|%ac|%fc|%bc|%sc|%rc|%sq|%bq|' +
  '%HM|%HP|%HPO|%HQ|%HU|%HV|%{+Q}HM|%{+Q}HP|%{+Q}HQ|%{+Q}HV|%{+Q}HU|%{+Q}r|%r|' +
  '%{+Q}ci|%{+Q}ST|%{+Q}b|%{+Q}s|%{+Q}ft|%CC|%CS|%{+Q}CC|%Th|%rt|%{+X}rt|%lc|%ID|%{+Q}ID|%H|%sslc|%sslv|%{+Q}sslv|' +
  '%{+Q,+X}o %ci %ST %b %{-Q}b %{-X}ci';

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
    log-format "${VARS}"
    http-request deny if { path /deny }
    use_backend none if { path /none }
    default_backend be
frontend spaces
    bind 127.0.0.1:{{port1}}
    log-format "%ci:%cp [%tr]   %ci   %hr  %hs x  %[str()]  %{+Q}[str()] %[var(txn.nothing)] y%%z   "
    default_backend be
frontend times
    bind 127.0.0.1:{{port2}}
    log-format "%ci:%cp [%tr] %T|%Tl|%trg|%trl|%t|%tr|%Ts|%ms|%{+X}ms|%{+X}Ts|%TR/%Tw/%Tc/%Tr/%Ta/%Tt/%Tu/%Td/%Tq|%pid|%{+X}pid"
    default_backend be
backend be
    server s1 127.0.0.1:${port}
backend none
    server s1 127.0.0.1:${port} disabled
`;

const CASES: RawCase[] = [
  { name: 'a request forwarded to a server', send: 'GET /a/b?x=1&y="2" HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'an absolute-form request without a query', send: 'POST http://h.example/p HTTP/1.1\r\nHost: h.example\r\nContent-Length: 0\r\n\r\n' },
  { name: 'a denied request', send: 'GET /deny HTTP/1.0\r\n\r\n' },
  { name: 'a request no server could take', send: 'GET /none HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'spaces merge around what prints nothing', port: 1, send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n' },
  { name: 'dates and times', port: 2, send: 'GET / HTTP/1.1\r\nHost: h\r\n\r\n' },
];

// The dates, timings and pid of the "times" frontend are checked for their shape, and masked for the comparison.
const TIMES = /^127\.0\.0\.1:PORT \[DATE\] (\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000)\|(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\|(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000)\|(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\|(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3})\|(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3})\|(\d+)\|(\d{3})\|([0-9A-F]{2,3})\|([0-9A-F]{8})\|((?:\d+\/){8}\d+)\|(\d+)\|([0-9A-F]{4,})$/;
function maskTimes(line: string): string {
  const m = TIMES.exec(line);
  return m ? 'DATES|TIMES|PID' : line;
}

describe.skipIf(!hasHaproxy)('log-format variables match real HAProxy 2.6', () => {
  let srv: TestServer;
  const expected = new Map<string, Seen>();
  const got = new Map<string, Seen>();
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
    const both = await playThroughBoth(CONFIG(srv.port), CASES, 3);
    for (const [from, to] of [[both.expected, expected], [both.got, got]] as const) {
      for (const [k, v] of from) {
        to.set(k, { bytes: v.bytes, logs: v.logs.map(maskTimes) });
      }
    }
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the dates, timings and pid had their shape on both sides', () => {
    expect(expected.get('dates and times')!.logs).toEqual(['DATES|TIMES|PID']);
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
  'an unknown variable': `${HEAD}    log-format "%ci %Tsx"\n`,
  'an unknown variable with options': `${HEAD}    log-format "%ci %{+Q}foo"\n`,
  'a % before a space': `${HEAD}    log-format "%ci % x"\n`,
  'a % before a digit': `${HEAD}    log-format "%ci %1"\n`,
  'a % at the end': `${HEAD}    log-format "%ci %"\n`,
  'an unclosed option': `${HEAD}    log-format "%ci %{+Q"\n`,
  'options without a variable': `${HEAD}    log-format "%ci %{+Q} x"\n`,
  'an unclosed sample': `${HEAD}    log-format "%ci %[src"\n`,
  'a mode http variable in mode tcp': `defaults\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:9\n    log-format "%ci %r %HM"\n`,
  'valid: mode tcp variables in mode tcp': `defaults\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:9\n    log-format "%ci %hr %ts %ID %rt %lc %bi %sslv %B %U %Tt %Tw %Tc"\n`,
  'valid: every variable': `${HEAD}    log-format "${VARS} %T %Tl %trg %trl %t %tr %Ts %ms %TR %Tw %Tc %Tr %Ta %Tt %Tu %Td %Tq %Ti %pid %bi %bp %si %sp %hr %hrl %hs %hsl"\n`,
};

describe.skipIf(!hasHaproxy)('log-format errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      for (const a of haproxy.alerts) expect(engine.alerts).toContain(a);
    });
  }
});

// %Ti counts how long the connection sat idle before the request; %Tt counts it, %Ta does not.
const IDLE_CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    log-format "%ci:%cp [%tr] Ti=%Ti Tt=%Tt Ta=%Ta Tq=%Tq TR=%TR"
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

function idleThenAsk(port: number, idleMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      setTimeout(() => sock.write('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'), idleMs);
    });
    sock.on('data', () => {});
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
}

describe.skipIf(!hasHaproxy)('idle time before a request', () => {
  it('is %Ti on both proxies, inside %Tt and %Tq, outside %Ta', async () => {
    const srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
    try {
      for (const start of [startHaproxy, startEngine]) {
        const p = await start(IDLE_CONFIG(srv.port));
        try {
          await idleThenAsk(p.port, 300);
          await new Promise((r) => setTimeout(r, 150));
          const line = p.logs.find((l) => l.includes(' Ti='))!;
          const [ti, tt, ta, tq, tR] = [...line.matchAll(/=(-?\d+)/g)].map((m) => Number(m[1]));
          expect(ti).toBeGreaterThanOrEqual(280);
          expect(tt).toBeGreaterThanOrEqual(ti! + ta!);
          expect(ta).toBeLessThan(280);
          expect(tq).toBe(ti! + tR!);
        } finally {
          await p.stop();
        }
      }
    } finally {
      await srv.close();
    }
  });
});
