// Exit hooks must run on a signal and still let the process die, also next to execa's signal-exit listeners.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lab/runtimes/ports.ts';
import { checkPythonFlask } from '../../../lab/runtimes/python-check.ts';
import { pidAlive } from '../../../lab/runtimes/state-dir.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-hooks-'));
const flask = await checkPythonFlask();
if (!flask.ok) console.warn(`[exit hooks] SKIPPED: ${flask.why}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!flask.ok)('onLabExit', () => {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`runs the hooks on ${sig} and the lab still dies of it, its python app with it`, async () => {
      const marker = path.join(dir, `${sig}.ran`);
      const child = spawn(
        process.execPath,
        [path.join(root, 'bin/run-ts.js'), path.join(here, 'fixtures/exit-hooks-with-execa.ts'), marker, String(await freePort())],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
      const end = Date.now() + 20_000;
      while (!/READY process:(\d+)/.test(out)) {
        if (Date.now() > end) throw new Error(`fixture never got ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const python = Number(/READY process:(\d+)/.exec(out)![1]);
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      expect(await exit).toBe(sig);
      clearTimeout(timer);
      expect(existsSync(marker)).toBe(true);
      const deadline = Date.now() + 3000;
      while (pidAlive(python) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(pidAlive(python)).toBe(false);
    });
  }
});
