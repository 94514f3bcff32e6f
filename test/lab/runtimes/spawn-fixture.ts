// Runs test/lab/runtimes/fixtures/start-and-wait.ts in a separate lab process, to kill it -9 like a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

export interface Fixture {
  readonly child: ChildProcess;
  /** What the fixture printed after READY: the handle id. */
  readonly id: string;
}

// Starts the fixture and resolves once it printed READY (rejects with its output when it exits first).
export function startFixture(runtime: string, app: string, port: number): Promise<Fixture> {
  const child = spawn(process.execPath, [path.join(root, 'bin/run-ts.js'), path.join(here, 'fixtures/start-and-wait.ts'), runtime, app, String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve({ child, id: m[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before READY:\n${out}`)));
  });
}
