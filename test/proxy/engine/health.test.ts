// Health checks inside the engine: a server that stops answering is marked DOWN after `fall` failed checks and
// gets no more traffic; when it comes back it is UP again after `rise` good checks and traffic returns.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, type EventOf } from '../../../proxy/index.ts';
import { ask } from '../../helpers/named-backends.ts';
import { startEngine, type EngineHandle } from '../../helpers/engine.ts';

/** A server that answers its name and can be stopped and started again on the same port. */
class Restartable {
  private server: http.Server | null = null;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(readonly name: string) {}

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => res.end(this.name));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function waitFor<K extends 'server-state'>(bus: EventBus, kind: K, pred: (e: EventOf<K>) => boolean, ms = 5000): Promise<EventOf<K>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${kind} event matched within ${ms} ms`));
    }, ms);
    const off = bus.on(kind, (e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

async function whoAnswers(port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = await ask(port, '/');
    out.push(a.status === 200 ? a.body : String(a.status));
  }
  return out;
}

describe('health checks in the engine', () => {
  const servers = ['server1', 'server2', 'server3'].map((n) => new Restartable(n));
  let proxy: EngineHandle | null = null;

  afterEach(async () => {
    await proxy?.stop();
    proxy = null;
    for (const s of servers) await s.stop();
  });

  it('takes a stopped server out after fall checks and brings it back after rise checks', async () => {
    for (const s of servers) await s.start();
    const bus = new EventBus();
    const states: string[] = [];
    bus.on('server-state', (e) => states.push(`${e.server}:${e.to}`));
    proxy = await startEngine(`
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend servers
backend servers
    balance roundrobin
    default-server inter 100 rise 2 fall 2
    server server1 127.0.0.1:${servers[0]!.port} check
    server server2 127.0.0.1:${servers[1]!.port} check
    server server3 127.0.0.1:${servers[2]!.port} check
`, { events: bus });
    expect(new Set(await whoAnswers(proxy.port, 6))).toEqual(new Set(['server1', 'server2', 'server3']));

    const down = waitFor(bus, 'server-state', (e) => e.server === 'server2' && e.to === 'down');
    await servers[1]!.stop();
    const event = await down;
    expect(event.message).toMatch(/^Server servers\/server2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 2 active and 0 backup servers left\./);
    expect(proxy.logs.filter((l) => l.startsWith('Server servers/server2 is DOWN'))).toHaveLength(1);
    expect(await whoAnswers(proxy.port, 6)).not.toContain('server2');

    const up = waitFor(bus, 'server-state', (e) => e.server === 'server2' && e.to === 'up');
    await servers[1]!.start();
    expect((await up).message).toMatch(/^Server servers\/server2 is UP, reason: Layer4 check passed/);
    expect(await whoAnswers(proxy.port, 6)).toContain('server2');
    expect(states).toEqual(['server2:down', 'server2:up']);
  });

  it('answers 503 and logs that the backend has no server left when every server is down', async () => {
    await servers[0]!.start();
    const bus = new EventBus();
    proxy = await startEngine(`
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend servers
backend servers
    server server1 127.0.0.1:${servers[0]!.port} check inter 100 rise 1 fall 1
`, { events: bus });
    expect(await whoAnswers(proxy.port, 1)).toEqual(['server1']);
    const down = waitFor(bus, 'server-state', (e) => e.to === 'down');
    await servers[0]!.stop();
    await down;
    expect(await whoAnswers(proxy.port, 2)).toEqual(['503', '503']);
    expect(proxy.logs).toContain('backend servers has no server available!');
  });
});
