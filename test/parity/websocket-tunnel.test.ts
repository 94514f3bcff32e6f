// A WebSocket upgrade through mode http, against real HAProxy 2.6: the 101 goes back, then bytes flow both ways
// untouched until one side closes or `timeout tunnel` passes; a handshake without its key is refused. And mode tcp,
// where a connected session is a tunnel too.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { normalize, normalizeLog, serveOnLoopback, settle, TRAFFIC_LINE, type TestServer } from '../helpers/raw-http.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradeRequest = (key: string | null) =>
  `GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${key ? `Sec-WebSocket-Key: ${key}\r\n` : ''}Sec-WebSocket-Version: 13\r\n\r\n`;

/** Answers an upgrade with 101, then echoes every chunk as "echo:<chunk>", and closes after "bye". */
function startEchoServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let upgraded = false;
    let head = '';
    sock.on('data', (d) => {
      if (upgraded) {
        sock.write(`echo:${d.toString('latin1')}`);
        if (d.toString('latin1').includes('bye')) sock.end();
        return;
      }
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      upgraded = true;
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
    });
  });
}

interface Conversation {
  readonly name: string;
  readonly key: string | null;
  /** Messages sent 100 ms apart after the request. */
  readonly messages: readonly string[];
  /** Half-close the client this many ms after the request. */
  readonly endAfterMs?: number;
}

const CASES: Conversation[] = [
  { name: 'an idle tunnel closes after timeout tunnel, not timeout client', key: KEY, messages: ['a', 'bb', 'ccc'] },
  { name: 'a client half-close goes through and ends the tunnel', key: KEY, messages: ['hello'], endAfterMs: 300 },
  { name: 'the server ending the tunnel', key: KEY, messages: ['one', 'bye'] },
  { name: 'a handshake without Sec-WebSocket-Key is refused (400)', key: null, messages: [] },
];

/** Plays one conversation; resolves with everything received and how long until the proxy closed. */
function converse(port: number, c: Conversation): Promise<{ bytes: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(upgradeRequest(c.key)));
    let out = '';
    const timers = c.messages.map((m, i) => setTimeout(() => sock.write(m), 100 * (i + 1)));
    if (c.endAfterMs) timers.push(setTimeout(() => sock.end(), c.endAfterMs));
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => {
      timers.forEach(clearTimeout);
      resolve({ bytes: normalize(out), closedAfterMs: Date.now() - t0 });
    });
  });
}

// The same proxy in either mode: client and server timeouts of 300 ms, a tunnel timeout of 900 ms.
const CONFIG = (mode: 'http' | 'tcp', serverPort: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode ${mode}
    option ${mode}log
    timeout connect 1s
    timeout client 300ms
    timeout server 300ms
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    timeout tunnel 900ms
    server s1 127.0.0.1:${serverPort}
`;

describe.skipIf(!hasHaproxy)('WebSocket upgrades tunnel like real HAProxy 2.6', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  type Seen = { bytes: string; closedAfterMs: number; logs: string[] };
  const expected = new Map<string, Seen>();
  const got = new Map<string, Seen>();

  async function play(proxy: { port: number; logs: string[] }, into: Map<string, Seen>): Promise<void> {
    for (const c of CASES) {
      const before = proxy.logs.length;
      const r = await converse(proxy.port, c);
      await settle();
      into.set(c.name, { ...r, logs: proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog) });
    }
  }

  beforeAll(async () => {
    echo = await startEchoServer();
    const real = await startHaproxy(CONFIG('http', echo.port));
    try {
      await play(real, expected);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(CONFIG('http', echo.port));
    try {
      await play(ours, got);
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await echo?.close();
  });

  for (const c of CASES) {
    it(c.name, () => {
      const e = expected.get(c.name)!;
      const g = got.get(c.name)!;
      expect(g.bytes).toBe(e.bytes);
      expect(g.logs).toEqual(e.logs);
      // when the proxy closes: within 250 ms of HAProxy (the timeouts are 300 ms and 900 ms apart)
      expect(Math.abs(g.closedAfterMs - e.closedAfterMs)).toBeLessThan(250);
    });
  }

  it('sees what it was written for (the cases are not vacuous)', () => {
    const idle = expected.get(CASES[0]!.name)!;
    expect(idle.bytes).toMatch(/^HTTP\/1\.1 101 [\s\S]*echo:aecho:bbecho:ccc$/);
    expect(idle.closedAfterMs).toBeGreaterThan(900);
    expect(idle.logs[0]).toContain(' cD-- ');
    expect(expected.get(CASES[3]!.name)!.bytes).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe.skipIf(!hasHaproxy)('mode tcp keeps a quiet connection for timeout tunnel, like real HAProxy 2.6', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo?.close();
  });

  // Client sends a request head at once, then two chunks and goes quiet; the server answers each.
  const conversation: Conversation = { name: 'tcp', key: KEY, messages: ['ping', 'pong'] };

  it('closes at the tunnel timeout with the same log line', async () => {
    const runs: { closedAfterMs: number; bytes: string; logs: string[] }[] = [];
    for (const start of [startHaproxy, startEngine] as const) {
      const proxy = await start(CONFIG('tcp', echo.port));
      try {
        const before = proxy.logs.length;
        const r = await converse(proxy.port, conversation);
        await settle();
        runs.push({ ...r, logs: proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog) });
      } finally {
        await proxy.stop();
      }
    }
    const [real, ours] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(real.closedAfterMs).toBeGreaterThan(900);
    expect(real.bytes).toContain('echo:pingecho:pong');
    expect(ours.bytes).toBe(real.bytes);
    expect(ours.logs).toEqual(real.logs);
    expect(Math.abs(ours.closedAfterMs - real.closedAfterMs)).toBeLessThan(250);
  }, 30_000);
});
