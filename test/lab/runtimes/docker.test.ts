// The docker runtime against the real daemon: EP 9's images built from apps/, containers on 127.0.0.1 only,
// HAProxy balancing over them, fault injection, logs, and nothing left behind.
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { packContext } from '../../../lab/docker/build-context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apps, appsOfDocument, appsRoot } from '../../../lab/runtimes/app-catalog.ts';
import { startApps, type AppGroup } from '../../../lab/runtimes/app-group.ts';
import { BaseImageMissingError, resolveBaseImage } from '../../../lab/runtimes/docker-images.ts';
import { DockerRuntime, pingDaemon } from '../../../lab/runtimes/docker.ts';
import { freePort, PortInUseError } from '../../../lab/runtimes/ports.ts';
import { createEngine } from '../../../proxy/index.ts';
import { hasHaproxy, startHaproxy } from '../../helpers/haproxy.ts';
import { request } from './http-answer.ts';
import { startFixture } from './spawn-fixture.ts';

const docker = new Docker();
const daemon = await pingDaemon(docker, 3000).then(
  (v) => ({ ok: true as const, v }),
  (e: Error) => ({ ok: false as const, why: e.message }),
);
const buildLines: string[] = [];
const runtime = new DockerRuntime({ docker, onBuildLine: (l) => buildLines.push(l) });
const usable = daemon.ok ? await runtime.available() : { ok: false as const, why: daemon.why, fix: '' };
if (!usable.ok) console.warn(`[docker runtime] SKIPPED: ${usable.why} ${usable.fix}`);

async function labContainers(filter: Record<string, string> = {}): Promise<Docker.ContainerInfo[]> {
  const label = ['haproxy-lab=1', ...Object.entries(filter).map(([k, v]) => `${k}=${v}`)];
  return docker.listContainers({ all: true, filters: { label } });
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

describe.skipIf(!usable.ok)('docker runtime (real daemon)', () => {
  const ep9 = appsOfDocument('ep9-weighted-rr');
  const progress: string[] = [];
  let group: AppGroup;

  beforeAll(async () => {
    const specs = await Promise.all(ep9.map(async (a) => ({ app: a.id, name: a.name, hostPort: await freePort(), episode: 'ep9-weighted-rr' })));
    group = await startApps(runtime, specs, (l) => progress.push(l));
  });
  afterAll(async () => {
    await group?.dispose();
    await runtime.dispose();
  });

  it('builds each app image from apps/ep9-weighted-rr: one progress line per image, every build step to the live view', () => {
    for (const a of ep9) {
      const lines = progress.filter((l) => l.includes(`haproxy-lab/${a.id}:latest`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^built haproxy-lab/${a.id}:latest from apps/ep9-weighted-rr/${a.dockerfile} \\(BASE_IMAGE=\\S+\\): \\d+ steps \\(\\d+ cached\\) in \\d+\\.\\d s$`));
      expect(buildLines).toContain(`Successfully tagged haproxy-lab/${a.id}:latest`);
    }
    expect(progress.some((l) => /Step \d+\/\d+/.test(l))).toBe(false);
    expect(buildLines.some((l) => /Step \d+\/\d+ : FROM \$\{BASE_IMAGE\}/.test(l))).toBe(true);
  });

  it('publishes each container on 127.0.0.1 only, labelled with the lab, the episode and this process', async () => {
    for (const h of group.handles) {
      const info = await docker.getContainer(h.id).inspect();
      expect(info.Config.Labels).toMatchObject({
        'haproxy-lab': '1',
        'haproxy-lab.episode': 'ep9-weighted-rr',
        'haproxy-lab.owner-pid': String(process.pid),
      });
      const bindings = Object.values(info.NetworkSettings.Ports).flat();
      expect(bindings).toEqual([{ HostIp: '127.0.0.1', HostPort: String(h.hostPort) }]);
    }
  });

  it("answers EP 9's routes from the containers through 127.0.0.1:hostPort", async () => {
    for (const [i, h] of group.handles.entries()) {
      const home = await request(h.hostPort, 'GET', '/');
      expect([home.status, home.body, home.headers['content-type']]).toEqual([200, `Hello from Flask App ${i + 1}!`, 'text/html; charset=utf-8']);
      expect((await request(h.hostPort, 'GET', '/data')).body).toBe(`Data from Flask App ${i + 1}!`);
    }
  });

  it('streams container output, including the access line of each request', async () => {
    const h = group.handles[0]!;
    const seen: string[] = [];
    const off = h.onLog((l) => seen.push(l));
    await request(h.hostPort, 'GET', '/data?from=test');
    await expect.poll(() => seen.some((l) => l.includes('"GET /data?from=test HTTP/1.1" 200'))).toBe(true);
    off();
  });

  describe.skipIf(!hasHaproxy)('behind real haproxy (weighted round robin 2:1:3 as in the document)', () => {
    it('spreads 12 requests 4/2/6, and after a kill and restart of app3 it answers again', async () => {
      const [a1, a2, a3] = group.handles.map((h) => h.hostPort);
      const lb = await startHaproxy(
        `defaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
          `frontend http_front\n  bind 127.0.0.1:{{port}}\n  default_backend servers\n` +
          `backend servers\n  balance roundrobin\n` +
          `  server server1 127.0.0.1:${a1} weight 2\n  server server2 127.0.0.1:${a2} weight 1\n  server server3 127.0.0.1:${a3} weight 3\n`,
      );
      try {
        const count = async (n: number) => {
          const tally: Record<string, number> = {};
          for (let i = 0; i < n; i++) {
            const body = (await request(lb.port, 'GET', '/')).body;
            tally[body] = (tally[body] ?? 0) + 1;
          }
          return tally;
        };
        expect(await count(12)).toEqual({ 'Hello from Flask App 1!': 4, 'Hello from Flask App 2!': 2, 'Hello from Flask App 3!': 6 });
        const app3 = group.handles[2]!;
        await app3.kill();
        expect(app3.stage).toBe('stopped');
        await expect(request(app3.hostPort, 'GET', '/')).rejects.toThrow();
        await app3.restart();
        expect(app3.stage).toBe('running');
        expect((await request(app3.hostPort, 'GET', '/')).body).toBe('Hello from Flask App 3!');
        expect(Object.keys(await count(6))).toContain('Hello from Flask App 3!');
      } finally {
        await lb.stop();
      }
    });
  });

  it("lets the lab's engine run the document's haproxy.cfg over the containers: 12 requests split 4/2/6", async () => {
    const byHost = new Map(group.handles.map((h) => [h.name, h.hostPort]));
    const front = await freePort();
    const engine = createEngine({
      source: { files: [`${appsRoot}/ep9-weighted-rr/haproxy.cfg`] },
      mapBind: () => ({ host: '127.0.0.1', port: front }),
      mapServer: (server) => ({ host: '127.0.0.1', port: byHost.get(server.host)! }),
      logSink: () => {},
      healthChecks: false,
    });
    await engine.start();
    try {
      const tally: Record<string, number> = {};
      for (let i = 0; i < 12; i++) {
        const body = (await request(front, 'GET', '/data')).body;
        tally[body] = (tally[body] ?? 0) + 1;
      }
      expect(tally).toEqual({ 'Data from Flask App 1!': 4, 'Data from Flask App 2!': 2, 'Data from Flask App 3!': 6 });
    } finally {
      await engine.stop();
    }
  });

  it('marks an app whose container is killed from outside (docker kill) as failed, and restart revives it', async () => {
    const h = group.handles[0]!;
    await docker.getContainer(h.id).kill();
    await expect.poll(() => h.stage, { timeout: 5000 }).toBe('failed');
    await h.restart();
    expect((await request(h.hostPort, 'GET', '/')).body).toBe('Hello from Flask App 1!');
  });

  it('stop, then restart, keeps the same container and port', async () => {
    const h = group.handles[1]!;
    const id = h.id;
    await h.stop();
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(false);
    await h.restart();
    expect(h.id).toBe(id);
    expect((await request(h.hostPort, 'GET', '/')).body).toBe('Hello from Flask App 2!');
  });

  it("builds and runs the other documents' apps (EP 4, EP 2, EP 10), each answering its routes", async () => {
    const others = apps.filter((a) => a.document !== 'ep9-weighted-rr');
    await runtime.prepare(others.map((a) => a.id));
    for (const a of others) {
      const h = await runtime.start({ app: a.id, name: a.name, hostPort: await freePort(), episode: 'apps-test' });
      try {
        for (const r of a.routes) {
          const answer = await request(h.hostPort, r.methods[0]!, r.path, r.methods[0] === 'POST' ? 'x=1' : undefined);
          expect([answer.status, answer.body], `${a.id} ${r.methods[0]} ${r.path}`).toEqual([200, r.body]);
        }
      } finally {
        await h[Symbol.asyncDispose]();
      }
    }
  }, 240_000);

  it('says which port is taken and what to do, and leaves no container behind', async () => {
    const taken = group.handles[0]!.hostPort;
    const before = (await labContainers()).length;
    const err = await runtime.start({ app: 'ep9-app1', name: 'dup', hostPort: taken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toMatch(/already in use[\s\S]*lab down/);
    expect((await labContainers()).length).toBe(before);
  });

  it('explains a missing base image when offline instead of failing inside docker build', async () => {
    const saved = process.env['LAB_BASE_IMAGE'];
    process.env['LAB_BASE_IMAGE'] = 'haproxy-lab/no-such-base:none';
    try {
      const err = await resolveBaseImage(docker).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BaseImageMissingError);
      expect((err as Error).message).toMatch(/haproxy-lab\/no-such-base:none is not on this machine[\s\S]*docker-up\.sh/);
    } finally {
      if (saved === undefined) delete process.env['LAB_BASE_IMAGE'];
      else process.env['LAB_BASE_IMAGE'] = saved;
    }
  });

  it('removes the containers of a lab killed with SIGKILL on the next cleanupStale()', async () => {
    const port = await freePort();
    const fixture = await startFixture('docker', 'ep9-app2', port);
    const owner = String(fixture.child.pid);
    expect((await request(port, 'GET', '/')).body).toBe('Hello from Flask App 2!');
    fixture.child.kill('SIGKILL');
    await new Promise((r) => fixture.child.once('exit', r));
    expect(await labContainers({ 'haproxy-lab.owner-pid': owner })).toHaveLength(1);
    expect(await runtime.cleanupStale()).toBeGreaterThanOrEqual(1);
    expect(await labContainers({ 'haproxy-lab.owner-pid': owner })).toHaveLength(0);
    // The containers of this (living) process are not touched.
    expect(await labContainers({ 'haproxy-lab.owner-pid': String(process.pid) })).toHaveLength(3);
  });

  it('removes the containers of a lab ended by SIGTERM, through its exit handler', async () => {
    const port = await freePort();
    const fixture = await startFixture('docker', 'ep2-app', port);
    const owner = String(fixture.child.pid);
    expect((await request(port, 'GET', '/')).body).toBe('Hello from Flask over TCP!');
    fixture.child.kill('SIGTERM');
    expect(await waitFor(async () => (await labContainers({ 'haproxy-lab.owner-pid': owner })).length === 0, 15_000)).toBe(true);
  });

  it('leaves no container and no dangling image of its own builds after dispose', async () => {
    await group.dispose();
    await runtime.dispose();
    expect(await labContainers({ 'haproxy-lab.owner-pid': String(process.pid) })).toHaveLength(0);
    // Counted for this process only: another lab's build on the same daemon has dangling layers of its own.
    const dangling = await docker.listImages({ filters: { dangling: ['true'], label: ['haproxy-lab=1', `haproxy-lab.builder-pid=${process.pid}`] } });
    expect(dangling).toHaveLength(0);
  });

  it("prunes only its own dangling images: another living lab's are left alone", async () => {
    const other = spawn('sleep', ['30']);
    try {
      const tag = `haproxy-lab/prune-test-${process.pid}:latest`;
      const build = async (pid: number): Promise<void> => {
        const tar = packContext(
          { dir: '/', dockerignore: false, ignored: [], files: 1, bytes: 0, entries: [{ path: 'Dockerfile', kind: 'file', size: 0, mode: 0o644 }] },
          new Map([['Dockerfile', `FROM haproxy-lab/python-flask:bookworm\nLABEL n=${pid}-${Date.now()}\n`]]),
        );
        const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
          t: tag, labels: { 'haproxy-lab': '1', 'haproxy-lab.builder-pid': String(pid) }, rm: true, forcerm: true,
        });
        await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())));
      };
      await build(other.pid!);
      await build(other.pid!); // the first is now dangling, built by a living lab
      const theirs = { filters: { dangling: ['true'], label: [`haproxy-lab.builder-pid=${other.pid}`] } };
      expect(await docker.listImages(theirs)).toHaveLength(1);
      await runtime.cleanupStale();
      expect(await docker.listImages(theirs)).toHaveLength(1);
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
      await runtime.cleanupStale();
      expect(await docker.listImages(theirs)).toHaveLength(0);
      await docker.getImage(tag).remove().catch(() => {});
    } finally {
      other.kill('SIGKILL');
    }
  }, 60_000);
});
