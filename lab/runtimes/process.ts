// The process runtime: the documents' .py files run by a local python3 with Flask, bound to 127.0.0.1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { appById, appDir, type AppEntry } from './app-catalog.ts';
import { HandleBase } from './handle-base.ts';
import { assertPortFree, waitForHttp } from './ports.ts';
import { checkPythonFlask, pythonCommand } from './python-check.ts';
import type { AppSpec, Runtime, RuntimeHandle } from './runtime.ts';

const LAUNCHER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python-launcher.py');

// python -u launcher app.py with HOST/PORT set; not detached, so the child dies with the lab.
function spawnPython(python: string, entry: AppEntry, port: number) {
  return execa(python, ['-u', LAUNCHER, entry.file], {
    cwd: appDir(entry),
    env: { HOST: '127.0.0.1', PORT: String(port), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    reject: false,
    buffer: false,
    cleanup: true,
    detached: false,
    stdin: 'ignore',
    forceKillAfterDelay: 3000,
  });
}

type Child = ReturnType<typeof spawnPython>;

class ProcessHandle extends HandleBase implements RuntimeHandle {
  declare readonly runtime: 'process';
  private child: Child | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private exitNote: string | undefined;

  constructor(
    entry: AppEntry,
    spec: AppSpec,
    private readonly python: string,
    private readonly forget: (h: ProcessHandle) => void,
  ) {
    super('process', entry, spec);
  }

  get id(): string {
    return `process:${this.child?.pid ?? '-'}:${this.spec.name}`;
  }

  // Spawns python on the app file and waits until it answers on 127.0.0.1:hostPort.
  async spawn(): Promise<void> {
    this.state.set('starting');
    this.exitNote = undefined;
    const child = spawnPython(this.python, this.entry, this.spec.hostPort);
    this.child = child;
    child.stdout?.on('data', (c: Buffer) => this.state.write(c));
    child.stderr?.on('data', (c: Buffer) => this.state.write(c));
    this.exited = child.then((r) => {
      this.state.flush();
      this.exitNote = r.signal ? `signal ${r.signal}` : `exit code ${r.exitCode}`;
      if (this.child === child) {
        this.child = undefined;
        // An exit nobody asked for while running or starting is a failure.
        if (this.state.stage !== 'stopped') this.state.set('failed');
      }
    });
    try {
      await waitForHttp(this.spec.hostPort, {
        timeoutMs: 20_000,
        gone: () =>
          this.exitNote
            ? `${this.entry.document}/${this.entry.file} (${this.spec.name}) exited (${this.exitNote}) before answering on ` +
              `${this.address}; its last output:\n${this.state.tail()}`
            : undefined,
      });
    } catch (err) {
      await this.end('SIGKILL');
      this.state.set('failed');
      throw err;
    }
    this.state.set('running');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child) {
      this.state.set('stopped');
      child.kill(signal);
      await this.exited;
    }
    this.state.set('stopped');
  }

  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }
  async restart(): Promise<void> {
    await this.end('SIGTERM');
    await this.spawn();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end('SIGKILL');
    this.forget(this);
  }
}

// Local python3 + Flask. execa kills the children when the lab exits; the launcher ends them if the lab crashes.
export class ProcessRuntime implements Runtime {
  readonly name = 'process' as const;
  private readonly handles = new Set<ProcessHandle>();

  constructor(private readonly python = pythonCommand()) {}

  available() {
    return checkPythonFlask(this.python);
  }

  async start(spec: AppSpec): Promise<RuntimeHandle> {
    const entry = appById(spec.app);
    await assertPortFree(spec.hostPort);
    const handle = new ProcessHandle(entry, spec, this.python, (h) => this.handles.delete(h));
    this.handles.add(handle);
    try {
      await handle.spawn();
    } catch (err) {
      this.handles.delete(handle);
      throw err;
    }
    return handle;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h[Symbol.asyncDispose]()));
  }
}
