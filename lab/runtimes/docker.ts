// The docker runtime: the apps' images built from apps/ with dockerode, containers published on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { appById, apps, type AppEntry } from './app-catalog.ts';
import {
  BaseImageMissingError,
  buildAppImage,
  imageExists,
  imageTag,
  LAB_LABEL,
  pruneDanglingLabImages,
  resolveBaseImage,
} from './docker-images.ts';
import { onLabExit } from './exit-hooks.ts';
import { HandleBase } from './handle-base.ts';
import { assertPortFree, PortInUseError, waitForHttp } from './ports.ts';
import type { AppSpec, Runtime, RuntimeHandle } from './runtime.ts';
import { pidAlive } from './state-dir.ts';

const REAPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'docker-reaper.mjs');
const OWNER_LABEL = `${LAB_LABEL}.owner-pid`;

// dockerode and its graph (ssh2, gRPC, protobufjs: ~0.3 s) load when a docker runtime is made, not with every
// module that can name one (`lab --help`, `lab curl` and the builtin runtime never need it).
export function newDockerClient(): Docker {
  const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new DockerClient();
}

// Where dockerode talks to, for messages.
export function daemonAddress(): string {
  return process.env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
}

// No Docker daemon answers; the message says how to start or install one.
export class DaemonUnreachableError extends Error {
  constructor(cause: string) {
    super(
      `the Docker daemon does not answer at ${daemonAddress()} (${cause}).\n` +
        `  Fix: start it (\`sudo systemctl start docker\`, or \`sudo dockerd &\`; .ci/docker-up.sh does both), ` +
        `install it (\`apt-get install docker.io\`), or, on "permission denied", add yourself to the docker group; ` +
        `or use \`--runtime process\` / \`--runtime builtin\`.`,
    );
    this.name = 'DaemonUnreachableError';
  }
}

// Pings the daemon; resolves with its version or throws DaemonUnreachableError.
export async function pingDaemon(docker: Docker, timeoutMs = 3000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const v = await docker.version();
    return v.Version;
  } catch (err) {
    throw new DaemonUnreachableError((err as Error).message.split('\n')[0]!);
  } finally {
    clearTimeout(timer);
  }
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

// Runs a Docker call whose "already so" answers (304 not modified, 404 gone, 409 not running) mean done.
async function idempotent(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (![304, 404, 409].includes(statusCode(err) ?? 0)) throw err;
  }
}

class DockerHandle extends HandleBase implements RuntimeHandle {
  declare readonly runtime: 'docker';
  private exitNote: string | undefined;
  /** Bumped on every boot, so a late notice from the previous run cannot mark this one. */
  private generation = 0;

  constructor(
    private readonly docker: Docker,
    readonly container: Docker.Container,
    entry: AppEntry,
    spec: AppSpec,
    private readonly forget: (h: DockerHandle) => void,
  ) {
    super('docker', entry, spec);
  }

  get id(): string {
    return this.container.id.slice(0, 12);
  }

  // Attaches to the container's output (before starting, so no line is lost) and notes when it exits.
  private async attach(generation: number): Promise<void> {
    const stream = await this.container.attach({ stream: true, stdout: true, stderr: true, logs: false });
    const out = new PassThrough();
    out.on('data', (c: Buffer) => this.state.write(c));
    this.docker.modem.demuxStream(stream, out, out);
    stream.on('end', () => void this.exited(generation));
    stream.on('close', () => void this.exited(generation));
  }

  private async exited(generation: number): Promise<void> {
    if (generation !== this.generation || this.exitNote) return;
    this.state.flush();
    let code = '?';
    try {
      const info = await this.container.inspect();
      if (info.State.Running) return;
      code = String(info.State.ExitCode);
    } catch {
      // Removed already: it is gone either way.
    }
    if (generation !== this.generation) return;
    this.exitNote = `exit code ${code}`;
    if (this.state.stage !== 'stopped') this.state.set('failed');
  }

  // Starts the container and waits until the app answers on 127.0.0.1:hostPort.
  async boot(): Promise<void> {
    this.state.set('starting');
    this.exitNote = undefined;
    await this.attach(++this.generation);
    try {
      await this.container.start();
    } catch (err) {
      this.state.set('failed');
      const msg = (err as Error).message;
      if (/port is already allocated|address already in use/.test(msg)) throw new PortInUseError(this.spec.hostPort);
      throw new Error(`docker could not start ${this.spec.name} (${imageTag(this.entry)}): ${msg}`);
    }
    try {
      await waitForHttp(this.spec.hostPort, {
        timeoutMs: 30_000,
        gone: () =>
          this.exitNote
            ? `container ${this.spec.name} (${imageTag(this.entry)}) exited (${this.exitNote}) before answering on ` +
              `${this.address}; its last output:\n${this.state.tail()}`
            : undefined,
      });
    } catch (err) {
      this.state.set('failed');
      throw err;
    }
    this.state.set('running');
  }

  async stop(): Promise<void> {
    this.state.set('stopped');
    await idempotent(() => this.container.stop({ t: 5 }));
  }
  async kill(): Promise<void> {
    this.state.set('stopped');
    await idempotent(() => this.container.kill());
  }
  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.state.set('stopped');
    await idempotent(() => this.container.remove({ force: true }));
    this.forget(this);
  }
}

export interface DockerRuntimeOptions {
  readonly docker?: Docker;
  /** Where build progress goes when start() has to build an image itself: one line per image. */
  readonly progress?: (line: string) => void;
  /** Each line of each build as it comes (the TUI shows them live). */
  readonly onBuildLine?: (line: string) => void;
}

// Containers labelled haproxy-lab=1 and with this lab's pid; removed on exit, or by cleanupStale() after a crash.
export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  readonly docker: Docker;
  private readonly progress: (line: string) => void;
  private readonly onBuildLine: (line: string) => void;
  private readonly handles = new Set<DockerHandle>();
  private baseImage: string | undefined;
  private unhook: (() => void) | undefined;

  constructor(opts: DockerRuntimeOptions = {}) {
    this.docker = opts.docker ?? newDockerClient();
    this.progress = opts.progress ?? (() => {});
    this.onBuildLine = opts.onBuildLine ?? (() => {});
  }

  async available(): Promise<{ ok: true; detail: string } | { ok: false; why: string; fix: string }> {
    let version: string;
    try {
      version = await pingDaemon(this.docker);
    } catch (err) {
      const [why, fix] = (err as Error).message.split('\n  Fix: ');
      return { ok: false, why: why!, fix: fix ?? '' };
    }
    try {
      const base = await this.base();
      return { ok: true, detail: `Docker ${version} at ${daemonAddress()}; apps build FROM ${base}` };
    } catch (err) {
      if (!(err instanceof BaseImageMissingError)) throw err;
      // Images built earlier still run, even when nothing is left to rebuild them from.
      const built = await Promise.all(apps.map((a) => imageExists(this.docker, imageTag(a))));
      if (built.every(Boolean)) {
        return { ok: true, detail: `Docker ${version} at ${daemonAddress()}; the apps' images are built (no base image to rebuild them)` };
      }
      const [why, fix] = err.message.split('\n  Fix: ');
      return { ok: false, why: why!, fix: fix ?? '' };
    }
  }

  private async base(progress: (line: string) => void = this.progress): Promise<string> {
    this.baseImage ??= await resolveBaseImage(this.docker, progress);
    return this.baseImage;
  }

  // Builds the images of these apps (cached layers make a rebuild take a second).
  async prepare(appIds: readonly string[], progress: (line: string) => void = this.progress): Promise<void> {
    await pingDaemon(this.docker);
    let base: string;
    try {
      base = await this.base(progress);
    } catch (err) {
      if (!(err instanceof BaseImageMissingError)) throw err;
      for (const id of new Set(appIds)) if (!(await imageExists(this.docker, imageTag(appById(id))))) throw err;
      progress('no base image to rebuild from: using the images built earlier');
      return;
    }
    for (const id of new Set(appIds)) await buildAppImage(this.docker, appById(id), base, progress, this.onBuildLine);
    await pruneDanglingLabImages(this.docker, pidAlive);
  }

  async start(spec: AppSpec): Promise<RuntimeHandle> {
    const entry = appById(spec.app);
    if (!(await imageExists(this.docker, imageTag(entry)))) await this.prepare([spec.app]);
    await assertPortFree(spec.hostPort);
    const port = `${entry.defaultPort}/tcp`;
    const episode = spec.episode ?? entry.document;
    const container = await this.docker.createContainer({
      name: `haproxy-lab-${episode}-${spec.name}-${randomBytes(3).toString('hex')}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
      Image: imageTag(entry),
      Labels: {
        [LAB_LABEL]: '1',
        [`${LAB_LABEL}.episode`]: episode,
        [`${LAB_LABEL}.app`]: entry.id,
        [`${LAB_LABEL}.name`]: spec.name,
        [OWNER_LABEL]: String(process.pid),
      },
      Env: ['PYTHONUNBUFFERED=1'],
      // Python as PID 1 ignores SIGTERM but not SIGINT (KeyboardInterrupt), so stop is immediate.
      StopSignal: 'SIGINT',
      ExposedPorts: { [port]: {} },
      HostConfig: { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(spec.hostPort) }] } },
    });
    const handle = new DockerHandle(this.docker, container, entry, spec, (h) => {
      this.handles.delete(h);
    });
    this.handles.add(handle);
    this.unhook ??= onLabExit(() => this.reapOnExit());
    try {
      await handle.boot();
    } catch (err) {
      await handle[Symbol.asyncDispose]();
      throw err;
    }
    return handle;
  }

  // At exit the API cannot be awaited: a detached reaper removes what is still here.
  private reapOnExit(): void {
    const ids = [...this.handles].map((h) => h.container.id);
    if (ids.length === 0) return;
    spawn(process.execPath, [REAPER, ...ids], { detached: true, stdio: 'ignore' }).unref();
  }

  // Removes the lab's containers whose owning lab process is gone, and the dangling images of its own builds.
  async cleanupStale(): Promise<number> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LAB_LABEL}=1`] } });
    let removed = 0;
    for (const c of list) {
      const owner = Number(c.Labels[OWNER_LABEL]);
      if (owner && owner !== process.pid && pidAlive(owner)) continue;
      if (owner === process.pid && [...this.handles].some((h) => h.container.id === c.Id)) continue;
      await idempotent(() => this.docker.getContainer(c.Id).remove({ force: true }));
      removed++;
    }
    return removed + (await pruneDanglingLabImages(this.docker, pidAlive));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h[Symbol.asyncDispose]()));
    this.unhook?.();
    this.unhook = undefined;
  }
}
