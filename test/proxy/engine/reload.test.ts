// Reloads: a valid config takes over without failing a single request in flight; an invalid one changes nothing.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { startEngine, fillServers } from '../../helpers/engine.ts';

const config = (weights: [number, number, number]) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend servers
backend servers
    balance roundrobin
    server server1 127.0.0.1:{{srv:app1}} weight ${weights[0]}
    server server2 127.0.0.1:{{srv:app2}} weight ${weights[1]}
    server server3 127.0.0.1:{{srv:app3}} weight ${weights[2]}
`;

describe('reloading the engine', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2', 'app3']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('keeps serving hundreds of requests in flight across several reloads without a single failure', async () => {
    const port0 = '{{port}}';
    const proxy = await startEngine(fillServers(config([2, 1, 3]), backends.servers));
    const text = (w: [number, number, number]) =>
      fillServers(config(w), backends.servers).replace(port0, String(proxy.port));
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const client = async (keepAlive: boolean) => {
      const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
      while (!stop) {
        try {
          const a = await ask(proxy.port, '/', { agent });
          if (a.status === 200) {
            ok++;
            seen.add(a.body);
          } else failures.push(`status ${a.status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
      agent?.destroy();
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i % 2 === 0));
    // requests answered before each reload and after the last: each phase must have its own, whatever the machine's
    // speed (a fixed total measured the machine's load, not the reloads)
    const answeredBy: number[] = [];
    try {
      const weights: [number, number, number][] = [[1, 1, 1], [0, 1, 0], [5, 0, 1], [2, 1, 3]];
      for (const w of weights) {
        await new Promise((r) => setTimeout(r, 400));
        answeredBy.push(ok);
        const r = await proxy.engine.reload({ text: text(w), name: 'haproxy.cfg' });
        expect(r.ok).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 400));
      answeredBy.push(ok);
    } finally {
      stop = true;
      await Promise.all(clients);
      await proxy.stop();
    }
    expect(failures).toEqual([]);
    const perPhase = answeredBy.map((n, i) => n - (answeredBy[i - 1] ?? 0));
    expect(perPhase).toHaveLength(5);
    for (const n of perPhase) expect(n).toBeGreaterThan(0);
    expect(seen).toEqual(new Set(['app1', 'app2', 'app3']));
  });

  it('refuses an invalid config with its errors and keeps the running one', async () => {
    const proxy = await startEngine(fillServers(config([0, 1, 0]), backends.servers));
    try {
      const broken = fillServers(config([1, 1, 1]), backends.servers)
        .replace('{{port}}', String(proxy.port))
        .replace('balance roundrobin', 'balance roundrobin\n    server server4 127.0.0.1:1 weigth 3');
      const r = await proxy.engine.reload({ text: broken, name: 'edited.cfg' });
      expect(r.ok).toBe(false);
      const alert = r.diagnostics.find((d) => d.severity === 'alert');
      expect(alert?.loc).toMatchObject({ file: 'edited.cfg', line: 12 });
      expect(alert?.message).toContain("'weigth'");
      // still the old config: only server2 has weight
      for (let i = 0; i < 4; i++) expect((await ask(proxy.port, '/')).body).toBe('app2');
    } finally {
      await proxy.stop();
    }
  });
});
