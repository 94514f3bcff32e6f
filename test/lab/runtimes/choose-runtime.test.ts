// Runtime choice: builtin by default, an explicit one or an error saying why and what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseRuntime,
  describeChoice,
  parseRuntimeName,
  RuntimeUnavailableError,
} from '../../../lab/runtimes/choose-runtime.ts';
import { DockerRuntime } from '../../../lab/runtimes/docker.ts';
import { ProcessRuntime } from '../../../lab/runtimes/process.ts';

const hasPython = spawnSync('python3', ['-c', 'import venv']).status === 0;
const saved = { DOCKER_HOST: process.env['DOCKER_HOST'], LAB_PYTHON: process.env['LAB_PYTHON'] };

function restore(name: keyof typeof saved): void {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
}

afterEach(() => {
  restore('DOCKER_HOST');
  restore('LAB_PYTHON');
});

describe('chooseRuntime', () => {
  it('uses builtin when no runtime is asked for, and says how to choose docker or process', async () => {
    const choice = await chooseRuntime();
    expect(choice.runtime.name).toBe('builtin');
    expect(choice.passedOver).toEqual([]);
    const text = describeChoice(choice);
    expect(text).toMatch(/^runtime: builtin \(.*the default, --runtime docker\|process runs the documents' apps/);
  });

  it('refuses an explicit runtime that cannot run here, naming the fix', async () => {
    process.env['LAB_PYTHON'] = '/nonexistent/python3';
    const err = await chooseRuntime('process').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeUnavailableError);
    expect((err as Error).message).toMatch(/process runtime cannot run here[\s\S]*Fix: install Python 3 and Flask/);
  });

  it('takes an explicit builtin even when better runtimes exist', async () => {
    expect((await chooseRuntime('builtin')).runtime.name).toBe('builtin');
  });

  it('parses --runtime and rejects other names with the choices', () => {
    expect(parseRuntimeName('docker')).toBe('docker');
    expect(() => parseRuntimeName('podman')).toThrow("--runtime: expected one of docker, process, builtin, got 'podman'");
  });
});

describe('availability messages', () => {
  it('tells how to start or install Docker when the daemon does not answer', async () => {
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
    const a = await new DockerRuntime().available();
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.why).toMatch(/Docker daemon does not answer at unix:\/\/\/nonexistent\/docker.sock/);
      expect(a.fix).toMatch(/dockerd[\s\S]*apt-get install docker.io[\s\S]*--runtime process/);
    }
  });

  it.skipIf(!hasPython)('tells how to install Flask when python cannot import it (a fresh venv has no Flask)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-venv-'));
    try {
      execFileSync('python3', ['-m', 'venv', '--without-pip', dir]);
      const python = path.join(dir, 'bin', 'python3');
      const a = await new ProcessRuntime(python).available();
      expect(a).toMatchObject({ ok: false, why: expect.stringMatching(/cannot import flask \(ModuleNotFoundError: No module named 'flask'\)/) });
      if (!a.ok) expect(a.fix).toMatch(/apt-get install python3-flask, or pip install Flask/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
