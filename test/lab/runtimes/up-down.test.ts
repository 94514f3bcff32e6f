// `lab up` in one process, `lab down` from another: the apps answer, then stop, and the state dir is clean.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPortFree, freePort } from '../../../lab/runtimes/ports.ts';
import { checkPythonFlask } from '../../../lab/runtimes/python-check.ts';
import { request } from './http-answer.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const stateHome = mkdtempSync(path.join(os.tmpdir(), 'lab-state-'));
const env = { ...process.env, XDG_STATE_HOME: stateHome };
const children = new Set<ChildProcess>();
const flask = await checkPythonFlask();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(stateHome, { recursive: true, force: true });
});

function lab(args: string[], extraEnv: Record<string, string> = {}): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, 'bin/run-ts.js'), path.join(here, 'fixtures/lab-cli.ts'), ...args], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => out, exit };
}

// Three consecutive free ports (EP 9 has three apps).
async function freeRun(n: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    if (base + n > 65535) continue;
    const ok = await Promise.all(Array.from({ length: n }, (_, k) => assertPortFree(base + k).then(() => true, () => false)));
    if (ok.every(Boolean)) return base;
  }
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting; output so far:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runtimes = ['builtin', ...(flask.ok ? ['process'] : [])];
if (!flask.ok) console.warn(`[lab up/down] process runtime SKIPPED: ${flask.why}`);

describe('lab up and lab down', () => {
  for (const runtime of runtimes) {
    it(`starts EP 9 on ${runtime}, prints where each app listens, and stops when \`lab down\` runs in another shell`, async () => {
      const base = await freeRun(3);
      const up = lab(['up', 'ep9-weighted-rr', '--runtime', runtime, '--port-base', String(base), '--quiet']);
      await until(() => up.output().includes('Running until Ctrl-C or `lab down`.'), 30_000, up.output);
      const out = up.output();
      expect(out).toMatch(new RegExp(`^runtime: ${runtime} \\(`, 'm'));
      for (let k = 0; k < 3; k++) expect(out).toContain(`app${k + 1} → http://127.0.0.1:${base + k}/`);
      expect((await request(base + 2, 'GET', '/data')).body).toBe('Data from Flask App 3!');
      expect(readdirSync(path.join(stateHome, 'haproxy-lab', 'up'))).toEqual([`${up.child.pid}.json`]);
      // The ports moved off the document's 5001-5003, so `lab curl http://localhost:5001/` is told where they went.
      const map = JSON.parse(readFileSync(path.join(stateHome, 'haproxy-lab', 'ports.json'), 'utf8')) as { pid: number; ports: Record<string, number> };
      expect(map).toMatchObject({ pid: up.child.pid, ports: { '5001': base, '5002': base + 1, '5003': base + 2 } });

      const down = lab(['down']);
      expect(await down.exit).toBe(0);
      expect(down.output()).toContain(`stopped ep9-weighted-rr on ${runtime} (lab up pid ${up.child.pid})`);
      expect(await up.exit).toBe(0);
      for (let k = 0; k < 3; k++) await assertPortFree(base + k);
      expect(existsSync(path.join(stateHome, 'haproxy-lab', 'up', `${up.child.pid}.json`))).toBe(false);
      expect(existsSync(path.join(stateHome, 'haproxy-lab', 'ports.json'))).toBe(false);
    });
  }

  it('says so when nothing is up', async () => {
    const down = lab(['down', 'ep9-weighted-rr']);
    expect(await down.exit).toBe(0);
    expect(down.output()).toContain('nothing of ep9-weighted-rr is up');
  });

  it('rejects an unknown episode and lists the known ones', async () => {
    const up = lab(['up', 'ep99-nothing', '--runtime', 'builtin']);
    expect(await up.exit).toBe(1);
    expect(up.output()).toMatch(/lab up: no episode or document 'ep99-nothing': expected one of .*ep9-weighted-rr/);
  });

  it('lab doctor marks a missing runtime and says what to install', async () => {
    const doctor = lab(['doctor'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock', LAB_PYTHON: '/nonexistent/python3' });
    expect(await doctor.exit).toBe(0);
    const out = doctor.output();
    expect(out).toMatch(/✗ docker +the Docker daemon does not answer at unix:\/\/\/nonexistent\/docker.sock/);
    expect(out).toMatch(/fix: start it/);
    expect(out).toMatch(/✗ process +\/nonexistent\/python3 was not found on PATH/);
    expect(out).toMatch(/✓ builtin/);
    expect(out).toContain('--runtime works here with: builtin');
    expect(out).toContain('use builtin unless --runtime names another');
  });
});
