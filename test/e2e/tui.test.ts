// Drives the real `node bin/lab.js` in a real terminal (tmux, 80x24): open an episode, fire traffic, see the
// distribution, change a weight through $EDITOR and see the new one, stop a backend and see it DOWN, type a
// request at the prompt and see the app's answer and who gave it, quit, and find nothing left running.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `lab-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'lab-e2e-'));

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', 'lab');
const keys = (...k: string[]): void => void tmux('send-keys', '-t', 'lab', ...k);

async function waitForScreen(test: (s: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`expected the screen to show ${what} within ${timeoutMs} ms; it shows:\n${last}`);
}

// The row of a server in the backends table, e.g. "▸● server1 builtin  UP ...".
const row = (s: string, server: string): string => s.split('\n').find((l) => new RegExp(`[●■▲] ${server} `).test(l)) ?? '';

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      sock.destroy();
      done(true);
    });
    sock.on('error', () => done(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  // Only this test's tmux server (its own socket name).
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('the lab in a real terminal (tmux)', () => {
  it('fires traffic, follows a weight edited in $EDITOR, shows a stopped backend DOWN, answers a typed request in the response pane, and quits clean', async () => {
    // The "editor": adds weight 3 to server1's line, as a learner would.
    const editor = join(work, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^\\(\\s*server server1 [^ ]*\\) check$/\\1 weight 3 check/' "$1"\n`);
    chmodSync(editor, 0o755);
    const env = [
      `LAB_CONFIG_DIR=${join(work, 'config')}`,
      `XDG_STATE_HOME=${join(work, 'state')}`,
      `EDITOR=${editor}`,
      'LANG=C.UTF-8',
      'TERM=xterm-256color',
      // CI runners export CI=true, and ink draws no live frame when it sees it: the lab must draw anyway.
      'CI=true',
    ].join(' ');
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'lab', '-x', '80', '-y', '24',
      `cd ${repo} && env ${env} node bin/lab.js open ep9-weighted-rr; echo LAB-EXITED=$?; sleep 120`);
    const shellPid = Number(tmux('display-message', '-p', '-t', 'lab', '#{pane_pid}').trim());

    await waitForScreen((s) => s.includes('step 1/4') && /server3 +builtin +UP/.test(s), 'step 1 with three servers UP', 40_000);
    const labPid = Number(execFileSync('pgrep', ['-P', String(shellPid), '-f', 'bin/lab.js'], { encoding: 'utf8' }).trim().split('\n')[0]);
    expect(alive(labPid)).toBe(true);
    const ports = JSON.parse(readFileSync(join(work, 'state', 'haproxy-lab', 'ports.json'), 'utf8')) as { ports: Record<string, number> };
    expect(Object.keys(ports.ports).sort()).toEqual(['5001', '5002', '5003', '80']);

    // Equal weights: a burst splits in thirds.
    keys('b');
    const thirds = (x: string): boolean => ['server1', 'server2', 'server3'].every((n) => / 33%\/ 33%$/.test(row(x, n)));
    // "sent" can show before the last answers are drawn (events reach the screen in 50 ms batches): wait for all 60
    let s = await waitForScreen((x) => x.includes('burst: 60 requests sent') && thirds(x) && /^60 requests/m.test(x), 'a burst split in thirds');
    expect(s).toMatch(/order( [●■▲]){20}/);
    expect(s).toMatch(/^60 requests · latency/m);

    // Weight 3 on server1 through the editor: 3/5 of the next burst.
    keys('e');
    s = await waitForScreen((x) => x.includes('Config applied live'), 'the edited config applied');
    expect(row(s, 'server1')).toMatch(/UP +\S+ +3 /);
    keys('b');
    s = await waitForScreen(
      (x) => x.includes('burst: 60 requests sent') && / 60%\/ 60%$/.test(row(x, 'server1')) && / 20%\/ 20%$/.test(row(x, 'server2')) && / 20%\/ 20%$/.test(row(x, 'server3')),
      'server1 at 60%, the others at 20%',
    );
    expect(s).toContain('since reload #2');

    // Stop server2's app: the health checks take it DOWN, and traffic avoids it.
    keys('Down');
    await waitForScreen((x) => row(x, 'server2').startsWith('▸'), 'server2 selected');
    keys('s');
    s = await waitForScreen((x) => /DOWN/.test(row(x, 'server2')), 'server2 DOWN', 30_000);
    expect(s).toContain('Stopped app2');
    keys('b');
    s = await waitForScreen(
      (x) => x.includes('burst: 60 requests sent') && / 75%\/ 75%$/.test(row(x, 'server1')) && / 25%\/ 25%$/.test(row(x, 'server3')),
      'server1 at 75% and server3 at 25% without server2',
    );
    expect(row(s, 'server2')).toMatch(/ 0%\/ {2}0%$/);

    // The request prompt: a typed curl line, its answer in the response pane with the app's body and who answered.
    keys(':');
    await waitForScreen((x) => x.includes('request> █'), 'the request prompt open');
    keys('-l', 'curl -X GET http://localhost/data');
    await waitForScreen((x) => x.includes('request> curl -X GET http://localhost/data█'), 'the typed request in the prompt');
    keys('Enter');
    s = await waitForScreen((x) => x.includes('── Response') && /Data from Flask App [13]!/.test(x), 'the response pane with the app\'s body');
    expect(s).toContain('$ curl -X GET http://localhost/data');
    const who = /HTTP\/1\.1 200 OK · (server[13]) answered/.exec(s);
    expect(who, s).not.toBeNull();
    // the body is the one of the server named as answering (app1 behind server1, app3 behind server3)
    expect(s).toContain(`Data from Flask App ${who![1]!.slice(-1)}!`);
    expect(s).toMatch(/content-type: text\/html/i);

    keys('q');
    await waitForScreen((x) => x.includes('LAB-EXITED=0'), 'the lab exiting with status 0');

    // Nothing left: the process, its listeners and the apps' ports, the published port map.
    expect(alive(labPid)).toBe(false);
    for (const port of Object.values(ports.ports)) expect(await canConnect(port)).toBe(false);
    expect(existsSync(join(work, 'state', 'haproxy-lab', 'ports.json'))).toBe(false);
    const children = spawnSync('pgrep', ['-P', String(shellPid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    // Only the shell's `sleep` remains.
    for (const pid of children) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/^sleep/);
  }, 150_000);
});
