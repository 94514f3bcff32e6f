// `docker-compose up --build` of the document's docker-compose.yml from inside the lab, beside the engine. We drive
// Debian's docker-compose CLI rather than re-implement compose on dockerode: the learner types that command, and
// its reading of the file (interpolation, build args, depends_on, the default network) is what we must match.
// The file is first normalised by `docker-compose config`, then rewritten: every port moved to a free 127.0.0.1
// port, container names made unique, labels on containers, builds and the network, and FROM images that cannot be
// pulled here mapped onto the local ones (the lab says which).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { imageExists, LAB_LABEL, resolveBaseImage } from '../runtimes/docker-images.ts';
import { onLabExit } from '../runtimes/exit-hooks.ts';
import { waitForHttp } from '../runtimes/ports.ts';
import type { BesideProxy } from '../episodes/docker-part.ts';
import type { ComposePlan } from '../episodes/schema.ts';
import { containerListeners, OWNER_LABEL } from './learner-container.ts';
import { LOCAL_HAPROXY_IMAGE, LocalImageMissingError, standInFor } from './local-images.ts';
import { removeStaleStacks, STACK_LABEL, type StackTraffic } from './stack.ts';
import { ACCESS_LINE, parseProxyLog, type ProxyLogRecord } from './log-lines.ts';
import { requestIn, type ContainerEventSink } from './container-events.ts';
import { spawnReaper } from './stack-reaper.ts';

/** Marks the images a compose stack built, so a reaper can remove them after a crash. */
export const COMPOSE_IMAGE_LABEL = `${LAB_LABEL}.compose-stack`;

// Whether the docker-compose CLI is installed; null when it is, else what to do.
export function composeMissing(): { why: string; fix: string } | null {
  const r = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0) return null;
  return { why: 'needs docker-compose: the command is not installed', fix: 'install it (Debian: `apt-get install docker-compose`), then `lab doctor` says whether the lab can use it' };
}

interface ComposeService {
  build?: { context?: string; dockerfile?: string; args?: Record<string, string>; labels?: Record<string, string> };
  container_name?: string;
  ports?: (string | { target: number; published?: number | string; host_ip?: string; protocol?: string })[];
  labels?: Record<string, string> | string[];
  dns?: string[];
  dns_opt?: string[];
  [key: string]: unknown;
}

// "127.0.0.1:5001:5001/tcp", "5001:5001", "5001" or the long form → the container port.
function targetPort(p: NonNullable<ComposeService['ports']>[number]): number {
  if (typeof p !== 'string') return Number(p.target);
  const parts = p.replace(/\/\w+$/, '').split(':');
  return Number(parts[parts.length - 1]);
}

function run(args: readonly string[], cwd: string, onLine: (line: string) => void, timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker-compose', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const take = (c: Buffer): void => {
      out += c.toString('utf8');
      for (const l of c.toString('utf8').split(/\r?\n/)) if (l.trim()) onLine(l.trimEnd());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

export interface ComposeOptions {
  readonly docker: Docker;
  readonly plan: ComposePlan;
  readonly freePort: () => Promise<number>;
  readonly labels: Readonly<Record<string, string>>;
  readonly progress: (line: string) => void;
  readonly onLog?: (line: string) => void;
  /** Typed events of each service's container (the TUI's containers table). */
  readonly onEvent?: ContainerEventSink;
}

// Follows a container's output from now on (not what it wrote before: the lab's own readiness probes stay out of
// the request counts), into lines.
async function follow(docker: Docker, id: string, onLine: (l: string) => void): Promise<{ lines: string[]; stop(): void }> {
  const c = docker.getContainer(id);
  const stream = (await c.logs({ follow: true, stdout: true, stderr: true, tail: 0 })) as NodeJS.ReadableStream & { destroy?(): void };
  const lines: string[] = [];
  const sink = new PassThrough();
  let rest = '';
  sink.on('data', (b: Buffer) => {
    const parts = (rest + b.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) {
      lines.push(l.trimEnd());
      onLine(l.trimEnd());
    }
  });
  docker.modem.demuxStream(stream, sink, sink);
  return { lines, stop: () => stream.destroy?.() };
}

// Brings the stack up and waits until HAProxy listens with every app answering; the returned handle sends nothing
// itself: the step's experiments are sent to its hostPort.
export async function upCompose(opts: ComposeOptions): Promise<BesideProxy & { dispose(): Promise<void> }> {
  const { docker, plan, progress } = opts;
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  // A crashed lab's stack goes first: its ports and names would only be in the way.
  const stale = await removeStaleStacks(docker);
  if (stale > 0) progress(`removed ${stale} container(s)/network(s)/image(s) left by a lab that did not exit cleanly`);
  const project = `haproxylab${id.replace(/-/g, '')}`;
  const cwd = dirname(plan.file);
  const config = spawnSync('docker-compose', ['-f', plan.file, 'config'], { cwd, encoding: 'utf8', timeout: 30_000 });
  if (config.status !== 0) throw new Error(`docker-compose -f ${plan.file} config failed: ${config.stderr.trim()}`);
  const doc = parse(config.stdout) as { services: Record<string, ComposeService>; networks?: Record<string, unknown>; version?: string };
  if (!doc.services?.[plan.proxy]) throw new Error(`${plan.file}: no service '${plan.proxy}' (services: ${Object.keys(doc.services ?? {}).join(', ')})`);

  const notes: string[] = [];
  const labels = { [LAB_LABEL]: '1', [STACK_LABEL]: id, [OWNER_LABEL]: String(process.pid), ...opts.labels };
  const mapped = new Map<string, string>();
  const mapImage = async (image: string): Promise<string> => {
    if (mapped.has(image)) return mapped.get(image)!;
    let to = image;
    if (!(await imageExists(docker, image))) {
      const local = standInFor(image);
      if (local === LOCAL_HAPROXY_IMAGE) {
        if (!(await imageExists(docker, local))) throw new LocalImageMissingError(image, local);
        to = local;
      } else if (local) {
        // The apps' Dockerfiles skip pip when Flask is there: the Flask base itself stands in for python:3.9-slim.
        to = await resolveBaseImage(docker, progress);
      }
    }
    mapped.set(image, to);
    if (to !== image) notes.push(`FROM ${image} → ${to} (${image} is not on this machine and cannot be pulled here)`);
    return to;
  };
  const hostPorts = new Map<string, number>();
  const targets = new Map<string, number>();
  for (const [name, svc] of Object.entries(doc.services)) {
    if (svc.container_name) svc.container_name = `${project}-${svc.container_name}`;
    svc.labels = { ...(Array.isArray(svc.labels) ? Object.fromEntries(svc.labels.map((l) => l.split('='))) : svc.labels ?? {}), ...labels };
    // Docker's resolver forwards unknown names to these: none listens on the container's own loopback.
    svc.dns = ['127.0.0.1'];
    svc.dns_opt = ['timeout:1', 'attempts:1'];
    if (svc.build) {
      for (const [k, v] of Object.entries(svc.build.args ?? {})) if (/^[\w./-]+:[\w.-]+$/.test(String(v))) svc.build.args![k] = await mapImage(String(v));
      svc.build.labels = { ...(svc.build.labels ?? {}), [COMPOSE_IMAGE_LABEL]: id, [OWNER_LABEL]: String(process.pid), ...opts.labels };
    }
    const ports: NonNullable<ComposeService['ports']> = [];
    for (const p of svc.ports ?? []) {
      const target = targetPort(p);
      if (!targets.has(name) || (name === plan.proxy && target === plan.port)) targets.set(name, target);
      const published = await opts.freePort();
      if (target === plan.port && name === plan.proxy) hostPorts.set(name, published);
      else if (!hostPorts.has(name)) hostPorts.set(name, published);
      ports.push(`127.0.0.1:${published}:${target}/tcp`);
      notes.push(`${name}: port ${target} published on 127.0.0.1:${published}`);
    }
    svc.ports = ports;
  }
  doc.version = '3.8';
  doc.networks = { default: { labels } };
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-lab-compose-'));
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, stringify(doc));
  const args = ['-p', project, '-f', file];
  const unhook = onLabExit(() => spawnReaper(id));
  const followers = new Map<string, { stop(): void }>();
  const services: { service: string; id: string; image: string }[] = [];
  const down = async (): Promise<void> => {
    for (const f of followers.values()) f.stop();
    const r = await run([...args, 'down', '--rmi', 'local', '-v', '--remove-orphans'], cwd, () => {}, 120_000).catch((e: Error) => ({ code: 1, out: e.message }));
    if (r.code !== 0) progress(`docker-compose down failed: ${r.out.trim().split('\n').at(-1)}`);
    rmSync(dir, { recursive: true, force: true });
    unhook();
    for (const s of services) opts.onEvent?.({ kind: 'container-removed', name: s.service });
  };
  try {
    for (const n of notes) progress(n);
    progress(`docker-compose -p ${project} up --build -d (the document's docker-compose.yml, ports moved)`);
    const up = await run([...args, 'up', '--build', '-d'], cwd, (l) => opts.onLog?.(`compose: ${l}`), 300_000);
    if (up.code !== 0) throw new Error(`docker-compose up --build failed: ${up.out.trim().split('\n').slice(-3).join(' | ')}`);
    // The apps answer on their own published ports first (asked directly, so HAProxy's rotation is untouched) ...
    for (const [name, port] of hostPorts) if (name !== plan.proxy) await waitForHttp(port, { timeoutMs: 60_000 });
    const containers = await docker.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${id}`] } });
    for (const c of containers) services.push({ service: c.Labels['com.docker.compose.service']!, id: c.Id, image: c.Image });
    const proxyId = services.find((x) => x.service === plan.proxy)?.id;
    if (!proxyId) throw new Error(`docker-compose started no container for ${plan.proxy}`);
    const logs = new Map<string, string[]>();
    const track = async (service: string, cid: string): Promise<void> => {
      followers.get(service)?.stop();
      const role = service === plan.proxy ? 'proxy' : 'app';
      const f = await follow(docker, cid, (l) => {
        opts.onLog?.(`${service}: ${l}`);
        const e = opts.onEvent ? requestIn(service, role, l) : null;
        if (e) opts.onEvent!(e);
      });
      followers.set(service, f);
      logs.set(service, f.lines);
    };
    // HAProxy starts again with every server up, so its round robin begins at the top, as the engine's does after a
    // reload; the same before each later run of a held stack.
    const restartProxy = async (): Promise<void> => {
      followers.get(plan.proxy)?.stop();
      await docker.getContainer(proxyId).restart({ t: 2 });
      const end = Date.now() + 20_000;
      for (;;) {
        const ls = await containerListeners(docker, docker.getContainer(proxyId));
        if (ls?.some((l) => l.port === plan.port)) break;
        if (Date.now() > end) throw new Error(`${plan.proxy} does not listen on ${plan.port} inside its container after 20 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await track(plan.proxy, proxyId);
    };
    for (const s of services) if (s.service !== plan.proxy) await track(s.service, s.id);
    await restartProxy();
    for (const s of services) {
      const state = (await docker.getContainer(s.id).inspect()).State;
      opts.onEvent?.({
        kind: 'container-started', name: s.service, image: s.image, port: targets.get(s.service) ?? 0, hostPort: hostPorts.get(s.service) ?? 0,
        state: state.Running ? 'running' : `exited (code ${state.ExitCode})`, role: s.service === plan.proxy ? 'proxy' : 'app',
      });
    }
    const proxyLines = (): string[] => logs.get(plan.proxy)!;
    const records = (from: number): ProxyLogRecord[] => proxyLines().slice(from).map(parseProxyLog).filter((r): r is ProxyLogRecord => r !== null);
    progress(`HAProxy in Docker (${plan.proxy}) listens on 127.0.0.1:${hostPorts.get(plan.proxy)}`);
    return {
      hostPort: hostPorts.get(plan.proxy)!,
      docPort: plan.port,
      notes,
      mark: () => new Map([...logs].map(([k, v]) => [k, v.length])),
      async traffic(mark, count): Promise<StackTraffic> {
        const from = mark.get(plan.proxy) ?? 0;
        // HAProxy's log lines reach us through the container's log stream; on a busy machine the last one took over
        // 3 s (seen in CI), and a line not yet read names the answer by its body. Waits end as soon as all are here.
        const end = Date.now() + 10_000;
        while (records(from).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
        const received = new Map<string, number>();
        for (const [k, v] of logs) if (k !== plan.proxy) received.set(k, v.slice(mark.get(k) ?? 0).filter((l) => ACCESS_LINE.test(l)).length);
        return { records: records(from), received, logs: proxyLines().slice(from) };
      },
      async reset() {
        progress(`docker restart ${plan.proxy}: HAProxy's round robin starts at the top again, as the engine's does on reload`);
        await restartProxy();
        opts.onEvent?.({ kind: 'container-state', name: plan.proxy, state: 'running (restarted)' });
      },
      dispose: down,
    };
  } catch (e) {
    await down();
    throw e;
  }
}
