// The same checks run by real haproxy 2.6 and by our scheduler against the same servers: the same log lines.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthScheduler, type HealthScheduler } from '../../../../proxy/server/health/scheduler.ts';
import { ServerState } from '../../../../proxy/server/server-state.ts';
import { freePort, hasHaproxy, startHaproxy, type HaproxyHandle } from '../../../helpers/haproxy.ts';
import { proxySpec } from '../../../helpers/fake-engine.ts';

interface Stoppable {
  port: number;
  stop(): Promise<void>;
}

// A TCP server that answers any request with `reply` (null: accept and stay silent).
async function tcpServer(port: number, reply: string | null): Promise<Stoppable> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', () => {
      if (reply !== null) s.end(reply);
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

const norm = (l: string) => l.replace(/check duration: \d+ms/, 'check duration: Nms');
const stateLines = (lines: readonly string[]) => lines.filter((l) => /^(Backup )?Server |^(backend|proxy) \S+ has no server/.test(l)).map(norm);

async function waitFor(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasHaproxy)('health-check log lines match haproxy 2.6', () => {
  let haproxy: HaproxyHandle;
  let ours: HealthScheduler;
  const ourLines: string[] = [];
  let flap: Stoppable | null = null;
  let flapPort = 0;
  const others: Stoppable[] = [];

  beforeAll(async () => {
    const closedPort = await freePort();
    flapPort = await freePort();
    flap = await tcpServer(flapPort, null);
    others.push(await tcpServer(await freePort(), 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
    others.push(await tcpServer(await freePort(), null));
    const [http503, backupUp] = others as [Stoppable, Stoppable];
    haproxy = await startHaproxy(
      `global
  log stdout format raw local0
defaults
  mode http
  log global
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend f
  bind 127.0.0.1:{{port}}
  default_backend b_refused
backend b_refused
  server r1 127.0.0.1:${closedPort} check inter 100 rise 2 fall 2
backend b_http
  option httpchk GET /health
  server h1 127.0.0.1:${http503.port} check inter 100 rise 2 fall 2
backend b_flap
  server f1 127.0.0.1:${flapPort} check inter 100 rise 2 fall 2
  server f2 127.0.0.1:${backupUp.port} check inter 100 rise 2 fall 2 backup
`,
    );
    const specs = [
      proxySpec({ kind: 'backend', name: 'b_refused', servers: [{ name: 'r1', port: closedPort, check: true, inter: 100, rise: 2, fall: 2 }] }, 3),
      proxySpec({ kind: 'backend', name: 'b_http', httpchk: { method: 'GET', uri: '/health', version: 'HTTP/1.0' }, servers: [{ name: 'h1', port: http503.port, check: true, inter: 100, rise: 2, fall: 2 }] }, 4),
      proxySpec({ kind: 'backend', name: 'b_flap', servers: [
        { name: 'f1', port: flapPort, check: true, inter: 100, rise: 2, fall: 2 },
        { name: 'f2', port: backupUp.port, check: true, inter: 100, rise: 2, fall: 2, backup: true },
      ] }, 5),
    ];
    const backends = specs.map((spec) => ({ spec, servers: spec.servers.map((s) => new ServerState(s, spec.name)) }));
    ours = createHealthScheduler(backends, {
      transition: (s, to) => {
        s.op = to;
      },
      log: (l) => ourLines.push(l),
    });
    ours.start();
  });

  afterAll(async () => {
    ours?.stop();
    await haproxy?.stop();
    await flap?.stop();
    for (const s of others) await s.stop();
  });

  it('logs the same DOWN lines for a refused connect and a wrong HTTP status', async () => {
    const want = ['Server b_refused/r1 is DOWN', 'Server b_http/h1 is DOWN'];
    await waitFor(() => want.every((w) => stateLines(haproxy.logs).some((l) => l.startsWith(w))), 'haproxy DOWN lines');
    await waitFor(() => want.every((w) => stateLines(ourLines).some((l) => l.startsWith(w))), 'our DOWN lines');
    for (const w of want) {
      const theirs = stateLines(haproxy.logs).filter((l) => l.startsWith(w) || l.startsWith(w.replace(/^Server (\S+)\/.*/, 'backend $1')));
      const mine = stateLines(ourLines).filter((l) => l.startsWith(w) || l.startsWith(w.replace(/^Server (\S+)\/.*/, 'backend $1')));
      expect(mine).toEqual(theirs);
    }
    expect(stateLines(ourLines)).toContain('backend b_refused has no server available!');
  });

  it('logs the same DOWN then UP lines when a server stops and comes back', async () => {
    const flapLines = (lines: readonly string[]) => stateLines(lines).filter((l) => l.includes('b_flap/'));
    expect(flapLines(haproxy.logs)).toEqual([]);
    await flap!.stop();
    flap = null;
    await waitFor(() => flapLines(haproxy.logs).length >= 1 && flapLines(ourLines).length >= 1, 'DOWN of b_flap/f1');
    flap = await tcpServer(flapPort, null);
    await waitFor(() => flapLines(haproxy.logs).length >= 2 && flapLines(ourLines).length >= 2, 'UP of b_flap/f1');
    // A check whose connection the kernel completed just before the listener closed is reset rather than refused;
    // which one a proxy sees depends on where its 100 ms tick falls, so the two layer-4 causes are one here.
    const sameCause = (lines: string[]) => lines.map((l) => l.replace('info: "Connection reset by peer"', 'info: "Connection refused"'));
    expect(sameCause(flapLines(ourLines))).toEqual(sameCause(flapLines(haproxy.logs)));
    expect(flapLines(ourLines)[0]).toMatch(/Layer4 connection problem, info: "Connection (refused|reset by peer)"/);
    expect(flapLines(ourLines)[0]).toContain('Running on backup.');
  });
});
