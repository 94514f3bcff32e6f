// Mode tcp (the documents' EP 2) and connection retries/redispatch: the same traffic through real HAProxy 2.6
// and our engine gives the same answers, in the same order, with the same log lines.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

const TRAFFIC_LINE = /^\d+\.\d+\.\d+\.\d+:\d+ \[/;
const normalizeLog = (line: string) =>
  line
    .replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) /, (_m, ...g: string[]) =>
      ' ' + g.slice(0, 5).map((x) => (x === '-1' ? '-1' : 'T')).join('/') + ' ')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+) (\d+) /, (_m, ...g: string[]) =>
      ' ' + g.slice(0, 3).map((x) => (x === '-1' ? '-1' : 'T')).join('/') + ` ${g[3]} `);

const settle = (ms = 80) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most 2 s) until `logs` holds `count` traffic lines, then a little more for any late one: a loaded
 * machine can log a connection's line after its client saw the close. */
async function settleLogs(logs: readonly string[], count: number): Promise<void> {
  const until = Date.now() + 2000;
  while (logs.filter((l) => TRAFFIC_LINE.test(l)).length < count && Date.now() < until) await settle(20);
  await settle();
}

/** Opens a TCP connection from `localAddress`, writes an HTTP request, returns what came back ('' if closed). */
function rawGet(port: number, localAddress = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => resolve(out.split('\r\n\r\n')[1] ?? (out === '' ? '<closed>' : out)));
    sock.on('error', () => {});
    sock.on('connect', () => sock.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
  });
}

interface Case {
  readonly name: string;
  readonly config: string;
  run(port: number): Promise<string[]>;
}

const GLOBAL = `
global
    log stdout format raw local0
defaults
    log global
    timeout connect 300ms
    timeout client 5s
    timeout server 5s
`;

const cases = (dead: number): Case[] => [
  {
    name: "EP 2's TCP proxy balances each connection round robin and logs tcplog lines",
    config: `${GLOBAL}
    mode tcp
    option tcplog
frontend tcp_front
    bind 127.0.0.1:{{port}}
    default_backend flask_backend
backend flask_backend
    balance roundrobin
    server flask1 127.0.0.1:{{srv:app1}} check
    server flask2 127.0.0.1:{{srv:app2}} check weight 2
`,
    run: async (port) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) out.push(await rawGet(port));
      return out;
    },
  },
  {
    name: 'tcp-request connection reject closes connections from a blocked range',
    config: `${GLOBAL}
    mode tcp
    option tcplog
frontend tcp_front
    bind 127.0.0.1:{{port}}
    tcp-request connection reject if { src 127.66.0.0/16 }
    default_backend be
backend be
    server s1 127.0.0.1:{{srv:app1}}
`,
    run: async (port) => [await rawGet(port, '127.66.0.9'), await rawGet(port, '127.0.0.5')],
  },
  {
    name: 'use_backend on src in mode tcp',
    config: `${GLOBAL}
    mode tcp
    option tcplog
frontend tcp_front
    bind 127.0.0.1:{{port}}
    use_backend internal if { src 127.10.0.0/16 }
    default_backend public
backend internal
    server i1 127.0.0.1:{{srv:app3}}
backend public
    server p1 127.0.0.1:{{srv:app1}}
`,
    run: async (port) => [await rawGet(port, '127.10.1.1'), await rawGet(port, '127.0.0.1'), await rawGet(port, '127.10.200.3')],
  },
  {
    name: 'a refused connection is retried, then redispatched to another server on the last retry',
    config: `${GLOBAL}
    mode http
    option httplog
    retries 2
    option redispatch
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    balance roundrobin
    server dead 127.0.0.1:${dead}
    server alive 127.0.0.1:{{srv:app2}}
`,
    run: async (port) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = await ask(port, '/');
        out.push(`${a.status} ${a.body.trim().slice(0, 40)}`);
      }
      return out;
    },
  },
  {
    name: 'without redispatch, a refused server gets a 503 after its retries',
    config: `${GLOBAL}
    mode http
    option httplog
    retries 1
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server dead 127.0.0.1:${dead}
`,
    run: async (port) => {
      const a = await ask(port, '/');
      return [`${a.status} ${a.body.trim().slice(0, 40)}`];
    },
  },
];

describe.skipIf(!hasHaproxy)('mode tcp and retries behave like real HAProxy 2.6', () => {
  let backends: NamedBackends;
  let dead: number;

  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2', 'app3']);
    dead = await freePort(); // nothing listens there: connections are refused
  });
  afterAll(async () => {
    await backends?.close();
  });

  it.each(cases(0).map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = cases(dead)[i]!;
    const cfg = fillServers(c.config, backends.servers);
    const real = await startHaproxy(cfg);
    let expected: string[];
    let expectedLogs: string[];
    try {
      expected = await c.run(real.port);
      await settleLogs(real.logs, expected.length);
      expectedLogs = real.logs.filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { healthChecks: false });
    try {
      const actual = await c.run(ours.port);
      await settleLogs(ours.logs, actual.length);
      expect({ name: c.name, answers: actual }).toEqual({ name: c.name, answers: expected });
      expect(ours.logs.filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog)).toEqual(expectedLogs);
    } finally {
      await ours.stop();
    }
  });
});

/** Sends `parts` with pauses between them and returns the answer's body, or '<closed>' when closed unanswered. */
function sendInParts(port: number, parts: readonly string[], gapMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => resolve(out === '' ? '<closed>' : (out.split('\r\n\r\n')[1] ?? out)));
    sock.on('error', () => {});
    sock.on('connect', async () => {
      for (const [i, p] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!sock.destroyed) sock.write(p);
      }
    });
  });
}

describe.skipIf(!hasHaproxy)('tcp-request content rules with inspect-delay, like HAProxy 2.6', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  const CONFIG = `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend tcp_front
    bind 127.0.0.1:{{port}}
    tcp-request inspect-delay 2s
    tcp-request content reject if { req.payload(0,4) -m str EVIL }
    tcp-request content accept if { req.len ge 16 }
    use_backend http_be if HTTP
    default_backend other_be
backend http_be
    server h1 127.0.0.1:{{srv:app1}}
backend other_be
    server o1 127.0.0.1:{{srv:app2}}
`;
  const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const cases: [string, string[]][] = [
    ['an HTTP request in one piece goes to the HTTP backend', [GET]],
    ['bytes starting with EVIL are rejected', ['EVIL and more bytes than sixteen']],
    ['a request sent in pieces is held until it can be judged, then routed', ['GE', 'T / HTTP', GET.slice(8)]],
    ['a non-HTTP greeting goes to the default backend', ['HELLO THERE, THIS IS NOT HTTP\r\n\r\n']],
  ];

  it.each(cases)('%s', async (_name, parts) => {
    const cfg = fillServers(CONFIG, backends.servers);
    const real = await startHaproxy(cfg);
    let expected: string;
    try {
      expected = await sendInParts(real.port, parts, 150);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { healthChecks: false });
    try {
      expect(await sendInParts(ours.port, parts, 150)).toBe(expected);
    } finally {
      await ours.stop();
    }
  });
});
