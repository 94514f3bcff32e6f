// Closing the terminal (SIGHUP) must leave nothing of the lab behind: the lab process, the apps it started (the
// process runtime's python children), their ports, the published port map, and its temp folders.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const hasFlask = spawnSync('python3', ['-c', 'import flask']).status === 0;
const socket = `lab-e2e-hup-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'lab-e2e-hup-'));

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const canConnect = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      done(true);
    });
    s.on('error', () => done(false));
  });
const descendants = (pid: number): number[] => {
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
};

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(v)}`);
    await new Promise((r) => setTimeout(r, 150));
    v = await f();
  }
  return v;
}

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasTmux || !hasFlask)('closing the terminal (SIGHUP)', () => {
  it('stops the lab, its python apps and listeners, and leaves no temp folder or port map', async () => {
    const tmp = join(work, 'tmp');
    spawnSync('mkdir', ['-p', tmp]);
    const env = [`LAB_CONFIG_DIR=${join(work, 'config')}`, `XDG_STATE_HOME=${join(work, 'state')}`, `TMPDIR=${tmp}`, 'LANG=C.UTF-8', 'TERM=xterm-256color', 'CI=true'].join(' ');
    // exec: the pane's process is the lab itself, so closing the pane hangs up on it directly.
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'lab', '-x', '80', '-y', '24', `cd ${repo} && exec env ${env} node bin/lab.js open ep9-weighted-rr --runtime process`);
    const labPid = Number(tmux('display-message', '-p', '-t', 'lab', '#{pane_pid}').trim());
    await until(() => tmux('capture-pane', '-p', '-t', 'lab'), (s) => /server3 +process +UP/.test(s), 'three process apps UP', 60_000);
    const apps = descendants(labPid);
    expect(apps.length).toBeGreaterThanOrEqual(3);
    const ports = (JSON.parse(readFileSync(join(work, 'state', 'haproxy-lab', 'ports.json'), 'utf8')) as { ports: Record<string, number> }).ports;

    // Closing the window hangs up the terminal: the kernel sends SIGHUP.
    tmux('kill-session', '-t', 'lab');
    await until(() => alive(labPid), (a) => !a, 'the lab process to end', 15_000);
    await until(() => apps.filter(alive), (l) => l.length === 0, 'every app process to end', 15_000);
    for (const port of Object.values(ports)) expect(await canConnect(port)).toBe(false);
    expect(existsSync(join(work, 'state', 'haproxy-lab', 'ports.json'))).toBe(false);
    // tsx (which runs the TypeScript) keeps its compile cache in TMPDIR/tsx-UID across runs, by design; it is
    // not the lab's. Nothing else may remain.
    expect(readdirSync(tmp).filter((n) => !/^tsx-\d+$/.test(n))).toEqual([]);
  }, 120_000);
});
