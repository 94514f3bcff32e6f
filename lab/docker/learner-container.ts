// `docker run -p 127.0.0.1:HOSTPORT:PORT IMAGE` for the learner's image: labelled, published on loopback only,
// watched until its app listens (or the container exits), and asked from inside what it listens on.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { LAB_LABEL } from '../runtimes/docker-images.ts';
import { onLabExit } from '../runtimes/exit-hooks.ts';
import { pidAlive } from '../runtimes/state-dir.ts';
import { requestIn, type ContainerEventSink } from './container-events.ts';

export const OWNER_LABEL = `${LAB_LABEL}.owner-pid`;
const LEARNER_LABEL = `${LAB_LABEL}.learner`;
const REAPER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'runtimes', 'docker-reaper.mjs');

// Removes the learner containers of labs that are gone (killed, crashed); returns how many.
export async function removeStaleLearnerContainers(docker: Docker): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LEARNER_LABEL}=1`] } });
  let removed = 0;
  for (const c of list) {
    const owner = Number(c.Labels[OWNER_LABEL]);
    if (owner && (owner === process.pid || pidAlive(owner))) continue;
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    removed++;
  }
  return removed;
}

/** A listening TCP socket inside the container. */
export interface Listener {
  readonly address: string;
  readonly port: number;
}

export interface LearnerContainer {
  readonly id: string;
  readonly name: string;
  /** 0 when the port is not published. */
  readonly hostPort: number;
  readonly port: number;
  /** Its output so far. */
  logs(): string;
  /** Listening sockets inside it, from /proc/net/tcp{,6}; null when it is not running. */
  listeners(): Promise<Listener[] | null>;
  /** "running", or "exited (code 2)". */
  state(): Promise<string>;
  remove(): Promise<void>;
}

// "0100007F:1388" → 127.0.0.1:5000; IPv6 addresses come as four little-endian 32-bit words.
export function parseProcNetTcp(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== '0A') continue;
    const [hex, portHex] = cols[1]!.split(':');
    const port = parseInt(portHex!, 16);
    let address: string;
    if (!v6) {
      address = [3, 2, 1, 0].map((i) => parseInt(hex!.slice(i * 2, i * 2 + 2), 16)).join('.');
    } else {
      const bytes: number[] = [];
      for (let w = 0; w < 4; w++) for (const i of [3, 2, 1, 0]) bytes.push(parseInt(hex!.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16));
      const groups: string[] = [];
      for (let g = 0; g < 8; g++) groups.push(((bytes[g * 2]! << 8) | bytes[g * 2 + 1]!).toString(16));
      address = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
    }
    out.push({ address, port });
  }
  return out;
}

export function listensEverywhere(l: Listener): boolean {
  return l.address === '0.0.0.0' || l.address === '::';
}

export interface RunOptions {
  readonly image: string;
  readonly port: number;
  /** Where the port is published on 127.0.0.1; none when the container is reached only on its network. */
  readonly hostPort?: number;
  /** A network to join, under a name its other containers resolve (docker run --network NET --name ALIAS). */
  readonly network?: { readonly name: string; readonly alias: string };
  readonly labels: Readonly<Record<string, string>>;
  /** How long to wait for a listener on the port (or for the container to exit). */
  readonly waitMs?: number;
  readonly onLog?: (line: string) => void;
  /** Typed events of this container (started, requests in its output, removed) under `display`. */
  readonly onEvent?: ContainerEventSink;
  /** The name the learner knows it by (its network alias, else the image). */
  readonly display?: string;
  readonly role?: 'app' | 'proxy';
}

async function exec(container: Docker.Container, docker: Docker, cmd: string[]): Promise<string> {
  const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, out, new PassThrough());
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
  });
  return Buffer.concat(chunks).toString('utf8');
}

// What listens inside a running container, read from its /proc/net/tcp{,6} (no packet sent); null when it cannot be read.
export async function containerListeners(docker: Docker, container: Docker.Container): Promise<Listener[] | null> {
  const text = await exec(container, docker, ['cat', '/proc/net/tcp', '/proc/net/tcp6']).catch(() => null);
  if (text === null) return null;
  const [v4, v6] = text.split(/(?=^\s*sl\s)/m);
  return [...parseProcNetTcp(v4 ?? '', false), ...parseProcNetTcp(v6 ?? '', true)];
}

// Starts the container and waits until something in it listens on the port, or it exits, or waitMs passes.
export async function runLearnerContainer(docker: Docker, opts: RunOptions): Promise<LearnerContainer> {
  const port = `${opts.port}/tcp`;
  const name = `haproxy-lab-${opts.image.replace(/[^a-zA-Z0-9_.-]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const container = await docker.createContainer({
    name,
    Image: opts.image,
    Labels: { [LAB_LABEL]: '1', [LEARNER_LABEL]: '1', [OWNER_LABEL]: String(process.pid), ...opts.labels },
    Env: ['PYTHONUNBUFFERED=1'],
    ExposedPorts: { [port]: {} },
    HostConfig: {
      ...(opts.hostPort ? { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(opts.hostPort) }] } } : {}),
      // On a user-defined network Docker's resolver forwards names it does not know to these servers: 127.0.0.1
      // inside the container, where none listens, so a wrong server name fails here instead of asking the outside
      // resolver; one try of one second each (A and AAAA) keeps HAProxy's "could not resolve" to ~2 s, not 20.
      ...(opts.network ? { NetworkMode: opts.network.name, Dns: ['127.0.0.1'], DnsOptions: ['timeout:1', 'attempts:1'] } : {}),
    },
    ...(opts.network ? { NetworkingConfig: { EndpointsConfig: { [opts.network.name]: { Aliases: [opts.network.alias] } } } } : {}),
  });
  // At exit (quit, Ctrl-C, a closed terminal) the API cannot be awaited: a detached reaper removes it.
  const unhook = onLabExit(() => {
    spawn(process.execPath, [REAPER, container.id], { detached: true, stdio: 'ignore' }).unref();
  });
  let output = '';
  const display = opts.display ?? opts.network?.alias ?? opts.image.replace(/^.*\//, '');
  const role = opts.role ?? 'app';
  const attached = await container.attach({ stream: true, stdout: true, stderr: true, logs: true });
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => {
    output += c.toString('utf8');
    for (const l of c.toString('utf8').split('\n')) {
      if (!l.trim()) continue;
      opts.onLog?.(l.trimEnd());
      const e = opts.onEvent ? requestIn(display, role, l) : null;
      if (e) opts.onEvent!(e);
    }
  });
  docker.modem.demuxStream(attached, sink, sink);
  const handle: LearnerContainer = {
    id: container.id.slice(0, 12), name, hostPort: opts.hostPort ?? 0, port: opts.port,
    logs: () => output,
    async state() {
      try {
        const s = (await container.inspect()).State;
        return s.Running ? 'running' : `exited (code ${s.ExitCode})`;
      } catch {
        return 'removed';
      }
    },
    async listeners() {
      if ((await handle.state()) !== 'running') return null;
      return containerListeners(docker, container);
    },
    async remove() {
      unhook();
      await container.remove({ force: true }).catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404 && e.statusCode !== 409) throw e;
      });
      opts.onEvent?.({ kind: 'container-removed', name: display });
    },
  };
  try {
    await container.start();
  } catch (e) {
    await handle.remove();
    throw e;
  }
  const end = Date.now() + (opts.waitMs ?? 20_000);
  while (Date.now() < end) {
    const ls = await handle.listeners();
    if (ls === null || ls.some((l) => l.port === opts.port)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  opts.onEvent?.({ kind: 'container-started', name: display, image: opts.image, port: opts.port, hostPort: opts.hostPort ?? 0, state: await handle.state(), role });
  return handle;
}
