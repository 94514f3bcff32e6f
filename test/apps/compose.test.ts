// docker-compose.yml: EP 9's setup validated by docker-compose itself and, with local base images, brought up
// and asked through HAProxy on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lab/runtimes/ports.ts';
import { request } from '../lab/runtimes/http-answer.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOCAL_BASE = 'haproxy-lab/python-flask:bookworm';
const LOCAL_HAPROXY = 'haproxy-lab/haproxy:bookworm';

const hasCompose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).status === 0;
const hasDaemon = spawnSync('docker', ['info'], { encoding: 'utf8' }).status === 0;
const hasImage = (name: string) => hasDaemon && spawnSync('docker', ['image', 'inspect', name]).status === 0;
const canUp = hasCompose && hasImage(LOCAL_BASE) && hasImage(LOCAL_HAPROXY);
if (!hasCompose) console.warn('[compose] SKIPPED: docker-compose is not installed (apt-get install docker-compose)');
else if (!canUp) {
  console.warn(
    `[compose] up SKIPPED: needs a Docker daemon and the local images ${LOCAL_BASE} and ${LOCAL_HAPROXY} ` +
      '(no registry is reachable for python:3.9-slim / haproxy:latest); run .ci/docker-up.sh to make them',
  );
}

const project = `labtest${process.pid}`;

function compose(args: string[], env: Record<string, string>) {
  return spawnSync('docker-compose', ['-p', project, '-f', path.join(root, 'docker-compose.yml'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

interface ComposeService {
  build: { context: string; dockerfile: string; args: Record<string, string> };
  container_name: string;
  ports: Array<string | { host_ip?: string; published?: number | string; target?: number }>;
  depends_on?: string[] | Record<string, unknown>;
}

// "127.0.0.1:5001:5001/tcp" or the long form, as host_ip:published:target.
function portText(p: ComposeService['ports'][number]): string {
  return typeof p === 'string' ? p.replace(/\/tcp$/, '') : `${p.host_ip}:${p.published}:${p.target}`;
}

describe.skipIf(!hasCompose)('docker-compose.yml', () => {
  it("is valid for docker-compose and describes the document's three apps and HAProxy, published on 127.0.0.1 only", () => {
    const r = compose(['config'], {});
    expect(r.status, r.stderr).toBe(0);
    const services = (parse(r.stdout) as { services: Record<string, ComposeService> }).services;
    expect(Object.keys(services).sort()).toEqual(['app1', 'app2', 'app3', 'haproxy']);
    for (const n of [1, 2, 3]) {
      const s = services[`app${n}`]!;
      expect(s.build.context).toBe(path.join(root, 'apps/ep9-weighted-rr'));
      expect(s.build.dockerfile).toBe(`Dockerfile.app${n}`);
      expect(s.build.args).toEqual({ BASE_IMAGE: 'python:3.9-slim' });
      expect(s.container_name).toBe(`flask_app${n}`);
      expect(s.ports.map(portText)).toEqual([`127.0.0.1:500${n}:500${n}`]);
    }
    const lb = services['haproxy']!;
    expect(lb.build.dockerfile).toBe('Dockerfile.haproxy');
    expect(lb.build.args).toEqual({ HAPROXY_IMAGE: 'haproxy:latest' });
    expect(lb.ports.map(portText)).toEqual(['127.0.0.1:80:80']);
    const deps = Array.isArray(lb.depends_on) ? lb.depends_on : Object.keys(lb.depends_on ?? {});
    expect(deps.sort()).toEqual(['app1', 'app2', 'app3']);
  });

  it('takes the base images, ports and container names from the environment', () => {
    const r = compose(['config'], { BASE_IMAGE: LOCAL_BASE, HAPROXY_IMAGE: LOCAL_HAPROXY, APP2_PORT: '15002', HAPROXY_PORT: '18080', CONTAINER_PREFIX: 'x-' });
    expect(r.status, r.stderr).toBe(0);
    const services = (parse(r.stdout) as { services: Record<string, ComposeService> }).services;
    expect(services['app2']!.build.args).toEqual({ BASE_IMAGE: LOCAL_BASE });
    expect(services['app2']!.ports.map(portText)).toEqual(['127.0.0.1:15002:5002']);
    expect(services['app2']!.container_name).toBe('x-flask_app2');
    expect(services['haproxy']!.build.args).toEqual({ HAPROXY_IMAGE: LOCAL_HAPROXY });
    expect(services['haproxy']!.ports.map(portText)).toEqual(['127.0.0.1:18080:80']);
  });
});

describe.skipIf(!canUp)('docker-compose up --build with local base images', () => {
  const env: Record<string, string> = { BASE_IMAGE: LOCAL_BASE, HAPROXY_IMAGE: LOCAL_HAPROXY, CONTAINER_PREFIX: `${project}-` };

  afterAll(() => {
    const r = compose(['down', '--rmi', 'local', '-v', '--remove-orphans'], env);
    if (r.status !== 0) console.warn(`[compose] down failed: ${r.stderr}`);
  });

  it('answers through HAProxy on 127.0.0.1 with the weights 2:1:3 (4/2/6 of 12 requests), then goes away completely', async () => {
    for (const k of ['APP1_PORT', 'APP2_PORT', 'APP3_PORT', 'HAPROXY_PORT']) env[k] = String(await freePort());
    const up = compose(['up', '--build', '-d'], env);
    expect(up.status, up.stdout + up.stderr).toBe(0);
    const port = Number(env['HAPROXY_PORT']);
    // HAProxy may start before the apps listen; its health checks then hold them DOWN until they pass `rise` checks.
    // Wait until every app has answered through HAProxy, i.e. all three servers are UP.
    const seen = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (seen.size < 3) {
      const answer = await request(port, 'GET', '/').catch(() => undefined);
      if (answer?.status === 200) seen.add(answer.body);
      if (Date.now() > deadline) {
        throw new Error(`only ${[...seen].join(', ') || 'nobody'} answered through 127.0.0.1:${port}:\n${compose(['logs'], env).stdout}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const tally: Record<string, number> = {};
    for (let i = 0; i < 12; i++) {
      const body = (await request(port, 'GET', i % 2 ? '/data' : '/')).body.replace(/^(Hello|Data) from /, '');
      tally[body] = (tally[body] ?? 0) + 1;
    }
    expect(tally).toEqual({ 'Flask App 1!': 4, 'Flask App 2!': 2, 'Flask App 3!': 6 });

    const down = compose(['down', '--rmi', 'local', '-v', '--remove-orphans'], env);
    expect(down.status, down.stderr).toBe(0);
    const left = spawnSync('docker', ['ps', '-a', '--filter', `name=${project}-`, '--format', '{{.Names}}'], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
    const images = spawnSync('docker', ['images', '--filter', `reference=${project}_*`, '--format', '{{.Repository}}'], { encoding: 'utf8' });
    expect(images.stdout.trim()).toBe('');
  }, 300_000);
});
