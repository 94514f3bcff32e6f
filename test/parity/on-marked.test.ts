// on-marked-down shutdown-sessions and on-marked-up shutdown-backup-sessions against real HAProxy 2.6, in mode tcp:
// a client holds a connection to a server the runtime API then marks DOWN (or puts in maintenance); another holds
// one to the backup while the active server is down, then the active one comes back UP. Which connections the
// proxy closes, what each client received, and the log lines (termination state "D-" / "U-") must be the same.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

// answers each line with its own name and the line
function namedEcho(name: string): Promise<TestServer> {
  return serveOnLoopback((sock) => sock.on('data', (d: Buffer) => sock.write(`${name}:${d.toString()}`)));
}

const CONFIG = (a: TestServer, b: TestServer) => `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    mode tcp
    log global
    log-format "%b/%s %ts"
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend down
    bind 127.0.0.1:{{port0}}
    default_backend down
frontend up
    bind 127.0.0.1:{{port1}}
    default_backend up
frontend plain
    bind 127.0.0.1:{{port2}}
    default_backend plain
backend down
    server s1 127.0.0.1:${a.port} on-marked-down shutdown-sessions
    server s2 127.0.0.1:${b.port}
backend up
    server s1 127.0.0.1:${a.port} on-marked-up shutdown-backup-sessions
    server b1 127.0.0.1:${b.port} backup
backend plain
    server s1 127.0.0.1:${a.port}
    server b1 127.0.0.1:${b.port} backup
`;

interface Client {
  /** What came back so far; "+closed" once the proxy closed the connection. */
  readonly got: () => string;
  send(text: string): void;
  end(): void;
}

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    let got = '';
    const sock = net.connect({ host: '127.0.0.1', port }, () => resolve({ got: () => got, send: (t) => sock.write(t), end: () => sock.destroy() }));
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => (got += '+closed'));
    sock.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drive(sock: string, ports: readonly number[], logs: readonly string[]): Promise<{ clients: string[]; logs: string[] }> {
  const run = (cmd: string) => socat(sock, `${cmd}\n`);
  // down: s1 marked DOWN from the CLI, then a second one put in maintenance
  const d1 = await client(ports[0]!);
  d1.send('x');
  const d2 = await client(ports[0]!);
  d2.send('y');
  await sleep(150);
  await run('set server down/s1 health down');
  await sleep(150);
  await run('set server down/s1 health up');
  const d3 = await client(ports[0]!);
  d3.send('z');
  const d4 = await client(ports[0]!);
  d4.send('w');
  await sleep(150);
  await run('disable server down/s1');
  await sleep(150);
  // up: with s1 down the client reaches the backup; s1 coming back ends it
  await run('set server up/s1 health down');
  const u1 = await client(ports[1]!);
  u1.send('u');
  // plain: the same without the keywords, nothing is closed
  await run('set server plain/s1 health down');
  const p1 = await client(ports[2]!);
  p1.send('p');
  await sleep(150);
  await run('set server up/s1 health up');
  await run('set server plain/s1 health up');
  await sleep(300);
  const all = [d1, d2, d3, d4, u1, p1];
  const clients = all.map((c) => c.got());
  for (const c of all) c.end();
  await sleep(200);
  return { clients, logs: logs.filter((l) => /^\w+\/\w+ \S\S$/.test(l)).sort() };
}

describe.skipIf(!hasHaproxy)('on-marked-down and on-marked-up close sessions as HAProxy 2.6 does', () => {
  let a: TestServer;
  let b: TestServer;
  const got: { haproxy?: { clients: string[]; logs: string[] }; engine?: { clients: string[]; logs: string[] } } = {};

  beforeAll(async () => {
    a = await namedEcho('a');
    b = await namedEcho('b');
    const cfg = CONFIG(a, b);
    const real = await startHaproxy(cfg, { ports: 3 });
    try {
      await sleep(200);
      got.haproxy = await drive(real.socketPath, real.ports, real.logs);
    } finally {
      await real.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'lab-marked-'));
    const sock = join(dir, 'admin.sock');
    const engine = await startEngine(cfg.replace('{{sock}}', sock), { ports: 3, healthChecks: true });
    try {
      await sleep(200);
      got.engine = await drive(sock, engine.ports, engine.logs);
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('closes the same client connections', () => {
    // the real one closes the marked server's sessions and the backup's, and leaves the plain backend's alone
    expect(got.haproxy!.clients[0]).toMatch(/\+closed$/);
    expect(got.haproxy!.clients.slice(2, 4).map((c) => c.replace(/:\w/, '')).sort()).toEqual(['a+closed', 'b']);
    expect(got.haproxy!.clients[4]).toMatch(/^b:u\+closed$/);
    expect(got.haproxy!.clients[5]).toBe('b:p');
    expect(got.engine!.clients).toEqual(got.haproxy!.clients);
  });

  it('logs the closed sessions with the same termination state', () => {
    expect(got.haproxy!.logs.some((l) => l.endsWith(' D-'))).toBe(true);
    expect(got.engine!.logs).toEqual(got.haproxy!.logs);
  });
});
