// option logasap against real HAProxy 2.6: the line is written when the response head arrives (HTTP) or when the
// server connection is up (TCP), with '+' before the total time and the bytes known at that moment.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, settle, startRawServer, TRAFFIC_LINE } from '../helpers/raw-http.ts';

// A response whose second half comes 400 ms after its head.
const slowBody = (sock: net.Socket): void => {
  sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
  setTimeout(() => sock.write('world'), 400);
};

/** A log line without what varies between runs: port, date, and the timings' digits (a '+' and a -1 stay). */
const normalize = (line: string) =>
  line
    .replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]')
    .replace(/ ((?:\+?-?\d+\/){2,4}\+?-?\d+) /, (_m, timings: string) =>
      ` ${timings.split('/').map((t) => (t === '-1' ? t : t.replace(/\d+/, 'N'))).join('/')} `)
    .replace(/(T[ta]=\+?)\d+/g, '$1N');

const CONFIG = (serverPort: number) => `
global
    log stdout format raw local0
defaults
    log global
    option logasap
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    mode http
    option httplog
    bind 127.0.0.1:{{port0}}
    default_backend be
frontend custom
    mode http
    log-format "custom %ST Tt=%Tt Ta=%Ta B=%B %b/%s %tsc"
    bind 127.0.0.1:{{port1}}
    default_backend be
frontend tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:{{port2}}
    default_backend tcpbe
backend be
    mode http
    server s1 127.0.0.1:${serverPort}
backend tcpbe
    mode tcp
    server s1 127.0.0.1:${serverPort}
`;

const REQUEST = 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n';

describe.skipIf(!hasHaproxy)('option logasap writes its line early, like real HAProxy 2.6', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  const lines = new Map<'haproxy' | 'engine', { logs: string[]; loggedBeforeBodyEnded: boolean[] }>();

  beforeAll(async () => {
    raw = await startRawServer({ '/ok11': slowBody });
    for (const [who, start] of [['haproxy', startHaproxy], ['engine', startEngine]] as const) {
      const proxy = await start(CONFIG(raw.port), { ports: 3 });
      try {
        const logs: string[] = [];
        const loggedBeforeBodyEnded: boolean[] = [];
        for (const port of proxy.ports) {
          const before = proxy.logs.length;
          const done = exchange(port, REQUEST, 700);
          // 200 ms in: the head has come, the body's end has not
          await new Promise((r) => setTimeout(r, 200));
          loggedBeforeBodyEnded.push(proxy.logs.slice(before).some((l) => TRAFFIC_LINE.test(l) || l.startsWith('custom ')));
          await done;
          await settle();
          logs.push(...proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l) || l.startsWith('custom ')).map(normalize));
        }
        lines.set(who, { logs, loggedBeforeBodyEnded });
      } finally {
        await proxy.stop();
      }
    }
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
  });

  it('writes the same lines: one per exchange, with the + marks', () => {
    const real = lines.get('haproxy')!;
    expect(real.logs).toHaveLength(3);
    expect(real.logs[0]).toMatch(/\/\+N 200 \+55 - - ---- 1\/1\/1\/1\/0 /);
    expect(real.logs[1]).toBe('custom 200 Tt=+N Ta=+N B=+55 be/s1 ----');
    expect(real.logs[2]).toMatch(/\/\+N \+0 -- 1\/1\/1\/1\/0 /);
    expect(lines.get('engine')!.logs).toEqual(real.logs);
  });

  it('writes them before the exchange ends', () => {
    expect(lines.get('haproxy')!.loggedBeforeBodyEnded).toEqual([true, true, true]);
    expect(lines.get('engine')!.loggedBeforeBodyEnded).toEqual([true, true, true]);
  });
});
