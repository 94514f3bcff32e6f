// timeout client-fin and server-fin in mode tcp, against real HAProxy 2.6: once the proxy has shut its side toward
// the client (the server said goodbye) the client has client-fin to finish; once it has shut its side toward the
// server (the client said goodbye) the server has server-fin. Same log lines, same times.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { serveOnLoopback, settle, TRAFFIC_LINE, type TestServer } from '../helpers/raw-http.ts';

/** A server that writes `greeting` and half-closes at once (or never, when null), and ignores what it reads. */
function startServer(greeting: string | null): Promise<TestServer> {
  return serveOnLoopback((s) => {
    s.on('data', () => {});
    if (greeting !== null) s.end(greeting);
  }, { allowHalfOpen: true });
}

/** Connects with half-open allowed, says "hi", half-closes after endAfterMs (if given); resolves when logged. */
async function converse(port: number, logs: string[], endAfterMs?: number): Promise<{ line: string; tt: number }> {
  const before = logs.length;
  const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
    sock.write('hi');
    if (endAfterMs !== undefined) setTimeout(() => sock.end(), endAfterMs);
  });
  sock.on('error', () => {});
  sock.on('data', () => {});
  const deadline = Date.now() + 6000;
  while (Date.now() < deadline && !logs.slice(before).some((l) => TRAFFIC_LINE.test(l))) await new Promise((r) => setTimeout(r, 25));
  sock.destroy();
  const line = logs.slice(before).find((l) => TRAFFIC_LINE.test(l)) ?? '';
  const timings = / (-?\d+)\/(-?\d+)\/(-?\d+) /.exec(line);
  return {
    line: line.replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]').replace(/ -?\d+\/-?\d+\/-?\d+ /, ' T/T/T '),
    tt: timings ? Number(timings[3]) : -1,
  };
}

const CONFIG = (closing: number, silent: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode tcp
    option tcplog
    timeout connect 1s
    timeout client 3s
    timeout server 3s
    timeout client-fin 400ms
    timeout server-fin 700ms
frontend server_says_bye
    bind 127.0.0.1:{{port0}}
    default_backend closing
frontend client_says_bye
    bind 127.0.0.1:{{port1}}
    default_backend silent
backend closing
    server s1 127.0.0.1:${closing}
backend silent
    server s1 127.0.0.1:${silent}
`;

describe.skipIf(!hasHaproxy)('half-closed tcp connections time out like real HAProxy 2.6', () => {
  let closing: Awaited<ReturnType<typeof startServer>>;
  let silent: Awaited<ReturnType<typeof startServer>>;
  const seen = new Map<string, { line: string; tt: number }[]>();

  beforeAll(async () => {
    closing = await startServer('bye\n');
    silent = await startServer(null);
    for (const [who, start] of [['haproxy', startHaproxy], ['engine', startEngine]] as const) {
      const proxy = await start(CONFIG(closing.port, silent.port), { ports: 2 });
      try {
        const a = await converse(proxy.ports[0]!, proxy.logs);
        await settle();
        const b = await converse(proxy.ports[1]!, proxy.logs, 100);
        seen.set(who, [a, b]);
      } finally {
        await proxy.stop();
      }
    }
  }, 60_000);

  afterAll(async () => {
    await closing?.close();
    await silent?.close();
  });

  it('gives the client client-fin after the server closed its side', () => {
    const [real, ours] = [seen.get('haproxy')![0]!, seen.get('engine')![0]!];
    expect(real.line).toMatch(/ T\/T\/T 4 cD /);
    expect(real.tt).toBeLessThan(1000);
    expect(ours.line).toBe(real.line);
    expect(Math.abs(ours.tt - real.tt)).toBeLessThan(250);
  });

  it('gives the server server-fin after the client closed its side', () => {
    const [real, ours] = [seen.get('haproxy')![1]!, seen.get('engine')![1]!];
    expect(real.line).toMatch(/ T\/T\/T 0 sD /);
    expect(real.tt).toBeLessThan(1500);
    expect(ours.line).toBe(real.line);
    expect(Math.abs(ours.tt - real.tt)).toBeLessThan(250);
  });
});
