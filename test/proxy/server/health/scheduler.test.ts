import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { CheckEvent } from '../../../../proxy/events.ts';
import { createHealthScheduler, type HealthHost } from '../../../../proxy/server/health/scheduler.ts';
import type { CheckResult } from '../../../../proxy/server/health/probe.ts';
import { ServerState } from '../../../../proxy/server/server-state.ts';
import { proxySpec, type ProxyInit, type ServerInit } from '../../../helpers/fake-engine.ts';

// A host that applies transitions the way the engine will (op changes) and records everything it is told.
function recordingHost() {
  const lines: string[] = [];
  const transitions: { server: string; to: 'up' | 'down' | 'stopping'; message: string }[] = [];
  const checks: CheckEvent[] = [];
  const host: HealthHost = {
    transition(s, to, message) {
      s.op = to;
      transitions.push({ server: s.name, to, message });
    },
    log: (l) => lines.push(l),
    emitCheck: (e) => checks.push(e),
  };
  return { host, lines, transitions, checks };
}

function backend(init: Omit<ProxyInit, 'kind'> & { kind?: ProxyInit['kind'] }) {
  const spec = proxySpec({ kind: 'backend', ...init }, 3);
  return { spec, servers: spec.servers.map((s) => new ServerState(s, spec.name)) };
}

const refused: CheckResult = { status: 'L4CON', ok: false, desc: 'Connection refused', durationMs: 0 };
const passed: CheckResult = { status: 'L4OK', ok: true, desc: '', durationMs: 0 };
const checked = (name: string, extra: Partial<ServerInit> = {}): ServerInit => ({ name, port: 1, check: true, inter: 200, rise: 2, fall: 2, ...extra });

describe('applying check results (the step)', () => {
  it('marks a server DOWN on its first failure after start and logs HAProxy\'s sentence', () => {
    const b = backend({ name: 'servers', servers: [checked('server1'), checked('server2'), checked('server3')] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    expect(b.servers[0]!.health).toBe(2);
    expect(sched.apply(b.servers[0]!, refused)).toBe('down');
    expect(r.lines).toEqual([
      'Server servers/server1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ]);
    expect(r.transitions).toEqual([{ server: 'server1', to: 'down', message: r.lines[0] }]);
    expect(b.servers[0]!.failedChecks).toBe(1);
    expect(b.servers[0]!.downTransitions).toBe(1);
  });

  it('brings a server back UP only after rise successes, with the UP sentence', () => {
    const b = backend({ name: 'servers', servers: [checked('server1'), checked('server2'), checked('server3')] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, refused);
    expect(sched.apply(b.servers[0]!, passed)).toBeNull();
    expect(b.servers[0]!.op).toBe('down');
    expect(sched.apply(b.servers[0]!, passed)).toBe('up');
    expect(r.lines[1]).toBe('Server servers/server1 is UP, reason: Layer4 check passed, check duration: 0ms. 3 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
    expect(b.servers[0]!.health).toBe(3);
  });

  it('needs fall failures once the server has been fully up', () => {
    const b = backend({ name: 'servers', servers: [checked('a', { rise: 2, fall: 3 })] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, passed); // health 2 -> 4 (full)
    expect(sched.apply(b.servers[0]!, refused)).toBeNull();
    expect(sched.apply(b.servers[0]!, refused)).toBeNull();
    expect(sched.apply(b.servers[0]!, refused)).toBe('down');
  });

  it('logs "backend X has no server available!" when the last usable server goes down', () => {
    const b = backend({ name: 'servers', servers: [checked('s1'), checked('s2')] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, refused);
    sched.apply(b.servers[1]!, refused);
    expect(r.lines.slice(1)).toEqual([
      'Server servers/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'backend servers has no server available!',
    ]);
  });

  it('words backups and "Running on backup." as HAProxy does, and says "proxy" for a listen section', () => {
    const b = backend({ kind: 'listen', name: 'tcpb', servers: [checked('t1'), checked('t2', { backup: true })] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, refused);
    sched.apply(b.servers[1]!, refused);
    expect(r.lines).toEqual([
      'Server tcpb/t1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'Backup Server tcpb/t2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'proxy tcpb has no server available!',
    ]);
  });

  it('reports layer-7 results with the code and the reason phrase', () => {
    const b = backend({ name: 'servers', servers: [checked('web1'), checked('web2')] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, { status: 'L7STS', ok: false, code: 503, desc: 'Service Unavailable', durationMs: 3 });
    sched.apply(b.servers[1]!, { status: 'L7TOUT', ok: false, desc: '', durationMs: 301 });
    expect(r.lines[0]).toBe('Server servers/web1 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 3ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.');
    expect(r.lines[1]).toBe('Server servers/web2 is DOWN, reason: Layer7 timeout, check duration: 301ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.');
  });

  it('emits one check event per result, transition or not, with the counter', () => {
    const b = backend({ name: 'servers', servers: [checked('s1', { rise: 2, fall: 3 })] });
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    sched.apply(b.servers[0]!, passed);
    sched.apply(b.servers[0]!, refused);
    expect(r.checks.map((c) => [c.status, c.health, c.ok])).toEqual([
      ['L4OK', 4, true],
      ['L4CON', 3, false],
    ]);
    expect(b.servers[0]!.lastCheck).toMatchObject({ status: 'L4CON', desc: 'Connection refused' });
  });

  it('does not touch a server in maintenance', () => {
    const b = backend({ name: 'servers', servers: [checked('s1')] });
    b.servers[0]!.admin = 'maint';
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    expect(sched.apply(b.servers[0]!, refused)).toBeNull();
    expect(r.transitions).toEqual([]);
  });
});

describe('scheduling', () => {
  it('spreads first checks over the smallest interval: server k of n starts at inter*k/n', () => {
    const b1 = backend({ name: 'a', servers: [checked('s1', { inter: 1000 }), checked('s2', { inter: 1000 }), { name: 'nocheck', port: 1 }] });
    const b2 = backend({ name: 'b', servers: [checked('s3', { inter: 1000 }), checked('s4', { inter: 4000 })] });
    const sched = createHealthScheduler([b1, b2], recordingHost().host);
    expect(sched.firstDelays().map((d) => [d.server.name, d.delayMs])).toEqual([
      ['s1', 0],
      ['s2', 250],
      ['s3', 500],
      ['s4', 3000],
    ]);
  });

  it('runs real checks on timers: DOWN after fall failures, UP after rise successes, against a server that stops and restarts', async () => {
    let srv: Server | null = null;
    const sockets = new Set<Socket>();
    const listen = (port: number) =>
      new Promise<Server>((resolve) => {
        const s = createServer((c) => {
          sockets.add(c);
          c.on('error', () => {});
          c.on('close', () => sockets.delete(c));
        });
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
    const close = (s: Server) =>
      new Promise<void>((resolve) => {
        for (const c of sockets) c.destroy();
        s.close(() => resolve());
      });
    srv = await listen(0);
    const port = (srv.address() as { port: number }).port;
    const b = backend({ name: 'servers', servers: [checked('s1', { port, inter: 40, rise: 2, fall: 3 })] });
    const s1 = b.servers[0]!;
    const r = recordingHost();
    const sched = createHealthScheduler([b], r.host);
    const waitFor = async (pred: () => boolean, ms = 5000) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out; checks: ${r.checks.map((c) => c.status).join(' ')}`);
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    try {
      sched.start();
      await waitFor(() => s1.health === 4);
      await close(srv);
      srv = null;
      const before = r.checks.length;
      await waitFor(() => s1.op === 'down');
      const failures = r.checks.slice(before);
      expect(failures.map((c) => c.status)).toEqual(['L4CON', 'L4CON', 'L4CON']);
      srv = await listen(port);
      const mark = r.checks.length;
      await waitFor(() => s1.op === 'up');
      expect(r.checks.slice(mark).map((c) => c.status)).toEqual(['L4OK', 'L4OK']);
      expect(r.transitions.map((t) => t.to)).toEqual(['down', 'up']);
      expect(r.lines[0]).toMatch(/^Server servers\/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 0 active/);
      expect(r.lines.at(-1)).toMatch(/^Server servers\/s1 is UP, reason: Layer4 check passed, check duration: \d+ms\. 1 active and 0 backup servers online\./);
    } finally {
      sched.stop();
      if (srv) await close(srv);
    }
  });

  it('stops cleanly: no check runs after stop()', async () => {
    const b = backend({ name: 'servers', servers: [checked('s1', { inter: 20 })] });
    let probes = 0;
    const sched = createHealthScheduler([b], recordingHost().host, {
      probe: async () => {
        probes++;
        return passed;
      },
    });
    sched.start();
    await new Promise((res) => setTimeout(res, 90));
    sched.stop();
    const seen = probes;
    expect(seen).toBeGreaterThan(1);
    await new Promise((res) => setTimeout(res, 80));
    expect(probes).toBe(seen);
  });
});

describe('check events', () => {
  it('builds no check event while nobody wants one', () => {
    const b = backend({ name: 'servers', servers: [checked('s1')] });
    const events: CheckEvent[] = [];
    let wanted = false;
    const sched = createHealthScheduler([b], { transition: () => {}, log: () => {}, emitCheck: (e) => events.push(e), wantsCheck: () => wanted });
    sched.apply(b.servers[0]!, passed);
    expect(events).toEqual([]);
    wanted = true;
    sched.apply(b.servers[0]!, passed);
    expect(events.map((e) => e.status)).toEqual(['L4OK']);
  });
});
