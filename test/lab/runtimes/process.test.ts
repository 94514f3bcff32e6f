// The process runtime with real python3 + Flask: EP 9's apps on 127.0.0.1, fault injection, and no leftovers.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsOfDocument } from '../../../lab/runtimes/app-catalog.ts';
import { startApps, type AppGroup } from '../../../lab/runtimes/app-group.ts';
import { freePort, PortInUseError } from '../../../lab/runtimes/ports.ts';
import { ProcessRuntime } from '../../../lab/runtimes/process.ts';
import { checkPythonFlask } from '../../../lab/runtimes/python-check.ts';
import { pidAlive } from '../../../lab/runtimes/state-dir.ts';
import { request } from './http-answer.ts';
import { startFixture } from './spawn-fixture.ts';

const flask = await checkPythonFlask();
if (!flask.ok) console.warn(`[process runtime] SKIPPED: ${flask.why}; ${flask.fix}`);

function pidOf(id: string): number {
  return Number(/^process:(\d+):/.exec(id)?.[1]);
}

// Python processes running our launcher, from /proc (the lab's own children and any leftovers).
function launcherPids(): number[] {
  const out: number[] = [];
  for (const pid of readdirNumeric('/proc')) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('python-launcher.py')) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function readdirNumeric(dir: string): number[] {
  return readdirSync(dir).filter((n) => /^\d+$/.test(n)).map(Number);
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe.skipIf(!flask.ok)('process runtime (real Flask)', () => {
  const runtime = new ProcessRuntime();
  let group: AppGroup;
  const ep9 = appsOfDocument('ep9-weighted-rr');

  beforeAll(async () => {
    const specs = await Promise.all(ep9.map(async (a) => ({ app: a.id, name: a.name, hostPort: await freePort(), episode: 'ep9-weighted-rr' })));
    group = await startApps(runtime, specs);
  });
  afterAll(async () => {
    await group?.dispose();
  });

  it("starts EP 9's three apps on 127.0.0.1 and each answers / and /data with its own text", async () => {
    for (const [i, h] of group.handles.entries()) {
      expect(h.address).toBe(`127.0.0.1:${h.hostPort}`);
      expect(h.stage).toBe('running');
      expect((await request(h.hostPort, 'GET', '/')).body).toBe(`Hello from Flask App ${i + 1}!`);
      expect((await request(h.hostPort, 'GET', '/data')).body).toBe(`Data from Flask App ${i + 1}!`);
    }
  });

  it('captures the app output, including Flask access lines', async () => {
    const h = group.handles[1]!;
    await request(h.hostPort, 'GET', '/data');
    await expect.poll(() => h.logs().some((l) => l.includes('"GET /data HTTP/1.1" 200'))).toBe(true);
    expect(h.logs().some((l) => l.includes(`Running on http://127.0.0.1:${h.hostPort}`))).toBe(true);
  });

  it('kill makes an app refuse connections, and restart brings it back on the same port', async () => {
    const h = group.handles[2]!;
    const stages: string[] = [];
    const off = h.onStage((s) => stages.push(s));
    const pid = pidOf(h.id);
    await h.kill();
    expect(h.stage).toBe('stopped');
    expect(pidAlive(pid)).toBe(false);
    await expect(request(h.hostPort, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
    await h.restart();
    expect(h.stage).toBe('running');
    expect((await request(h.hostPort, 'GET', '/')).body).toBe('Hello from Flask App 3!');
    expect(stages).toEqual(['stopped', 'starting', 'running']);
    off();
  });

  it('marks an app that dies on its own as failed', async () => {
    const h = group.handles[0]!;
    process.kill(pidOf(h.id), 'SIGKILL');
    await expect.poll(() => h.stage).toBe('failed');
    await h.restart();
    expect((await request(h.hostPort, 'GET', '/')).status).toBe(200);
  });

  it('says which port is taken and what to do when the port is in use', async () => {
    const taken = group.handles[0]!.hostPort;
    const err = await runtime.start({ app: 'ep9-app1', name: 'dup', hostPort: taken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toContain(`127.0.0.1:${taken} is already in use`);
    expect((err as Error).message).toMatch(/lab down/);
  });

  it('leaves no python process behind after dispose', async () => {
    const port = await freePort();
    const h = await runtime.start({ app: 'ep2-app', name: 'short', hostPort: port });
    const pid = pidOf(h.id);
    expect(pidAlive(pid)).toBe(true);
    await h[Symbol.asyncDispose]();
    expect(pidAlive(pid)).toBe(false);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    server.close();
  });

  it('ends the apps of a lab that was killed with SIGKILL (no exit handler ran)', async () => {
    const port = await freePort();
    const fixture = await startFixture('process', 'ep9-app1', port);
    const pid = pidOf(fixture.id);
    expect((await request(port, 'GET', '/')).body).toBe('Hello from Flask App 1!');
    fixture.child.kill('SIGKILL');
    expect(await waitFor(() => !pidAlive(pid), 5000)).toBe(true);
    expect(launcherPids()).not.toContain(pid);
  });
});
