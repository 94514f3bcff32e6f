// Drives the real `node bin/lab.js` in tmux at 80x24 with CI=true and no EDITOR on Docker steps: the learner's own
// Dockerfile opens in the inline editor as a config does, a line typed there is saved into their files, `c` builds
// that very file and judges it (with a Docker engine), and on EP 2's container step `f` goes through its four files.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containersLabelled, dockerUp, removeImagesTagged } from '../helpers/docker.ts';

const repo = resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `lab-e2e-docker-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'lab-e2e-docker-'));
const run = `e2e-${process.pid}`;
const prefix = `haproxy-lab-test-${run}/`;

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', 'lab');
// The screen with what scrolled up above it (the log pane's older lines).
const scrollback = (): string => tmux('capture-pane', '-p', '-S', '-1000', '-t', 'lab');
const keys = (...k: string[]): void => void tmux('send-keys', '-t', 'lab', ...k);
const typeAtOnce = (text: string): void => void tmux('send-keys', '-t', 'lab', '-l', text);

async function waitForScreen(test: (s: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected the screen to show ${what} within ${timeoutMs} ms; it shows:\n${last}`);
}

// The learner's kept file of an episode, wherever the lab keeps its progress under `work`.
function keptFile(episode: string, name: string): string {
  const walk = (dir: string): string | null => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) {
        if (e === episode && p.includes('workspaces')) return join(p, name);
        const found = walk(p);
        if (found) return found;
      }
    }
    return null;
  };
  const f = walk(work);
  if (!f) throw new Error(`no workspaces/${episode} under ${work}`);
  return f;
}

afterAll(async () => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
  await removeImagesTagged(prefix);
});

describe.skipIf(!hasTmux)('a Docker step’s files in a real terminal (tmux, 80x24, CI=true, no EDITOR)', () => {
  const env = [`LAB_CONFIG_DIR=${join(work, 'config')}`, `XDG_STATE_HOME=${join(work, 'state')}`, 'LANG=C.UTF-8', 'TERM=xterm-256color', 'CI=true', `LAB_IMAGE_PREFIX=${prefix}`, `LAB_TEST_RUN=${run}`].join(' ');
  const open = (episode: string, step: number): void => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'lab', '-x', '80', '-y', '24',
      `cd ${repo} && env -u EDITOR -u VISUAL ${env} node bin/lab.js open ${episode} --step ${step}; echo LAB-EXITED=$?; sleep 120`);
  };

  it('edits the Dockerfile inline, saves it into the learner’s files, and c judges the image built from it', async () => {
    open('docker-ep10', 2);
    await waitForScreen((s) => s.includes('step 2/4') && s.includes('Dockerfile'), 'the write-dockerfile step with its Dockerfile', 40_000);
    keys('e');
    await waitForScreen((s) => s.includes('Inline editor') && s.includes('EDITOR is not set'), 'the inline editor, with why');
    // Line 4 is "# Set the working directory in the container": the lost WORKDIR goes below it.
    for (let i = 0; i < 3; i++) keys('Down');
    keys('o');
    typeAtOnce('WORKDIR /app');
    keys('Enter');
    keys('s');
    await waitForScreen((s) => s.includes('Dockerfile saved in your files: c builds and judges it.'), 'the save said');
    const lines = readFileSync(keptFile('docker-ep10', 'Dockerfile'), 'utf8').split('\n');
    expect(lines.slice(3, 5)).toEqual(['# Set the working directory in the container', 'WORKDIR /app']);
    keys('Escape');
    await waitForScreen((s) => !s.includes('Inline editor'), 'the inline editor closed');
    if (!dockerUp) return;
    keys('c');
    // WORKDIR is back, EXPOSE and ENV are not: the image built from this very file says so.
    const s = await waitForScreen((x) => /0\/1 checks pass/.test(x), 'the image check’s verdict', 120_000);
    expect(s).toMatch(/✗ /);
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toEqual([]);
  }, 200_000);

  it('goes through the four files of EP 2’s container step with f', async () => {
    open('ep2-tcp-proxy', 3);
    await waitForScreen((s) => s.includes('step 3/4') && s.includes('app.py'), 'the in-containers step on app.py', 40_000);
    const seen: string[] = [];
    for (const name of ['Dockerfile', 'Dockerfile.haproxy', 'haproxy.cfg', 'app.py']) {
      keys('f');
      await waitForScreen((s) => s.includes(`Editing ${name} (`), `${name} selected`);
      seen.push(name);
    }
    expect(seen).toEqual(['Dockerfile', 'Dockerfile.haproxy', 'haproxy.cfg', 'app.py']);
    keys('f', 'f', 'f');
    await waitForScreen((x) => x.includes('Editing haproxy.cfg (4 of 4'), 'haproxy.cfg selected again');
    // The document's server line is at the end of the file: a page down shows it.
    keys('>', '>');
    await waitForScreen((x) => x.includes('server flask1 127.0.0.1:5000'), "the learner's haproxy.cfg, as the document printed it");
    keys('q');
    await waitForScreen((x) => x.includes('LAB-EXITED=0'), 'the lab quit');
  }, 120_000);

  it.skipIf(!dockerUp)('builds and runs the image from the request prompt, and the containers table follows the container live', async () => {
    // The learner's files as finished (the document's app on 0.0.0.0 with its Dockerfile), so the container answers.
    const ws = join(work, 'config', 'workspaces', 'docker-ep10');
    mkdirSync(ws, { recursive: true });
    for (const f of ['Dockerfile', 'app.py']) copyFileSync(join(repo, 'episodes/docker-ep10/solution', f), join(ws, f));
    open('docker-ep10', 4);
    await waitForScreen((s) => s.includes('step 4/4') && s.includes('(no containers: c runs flask-docker-app'), 'the in-a-container step with its empty containers table', 40_000);
    keys(':');
    typeAtOnce('docker build -t flask-docker-app .');
    keys('Enter');
    await waitForScreen((s) => /built \S*flask-docker-app from your Dockerfile: \d+ steps/.test(s), 'the build’s summary', 150_000);
    // Each build step went to the log pane as it came (the older ones have scrolled up above the screen).
    expect(scrollback()).toMatch(/docker build: Step 1\/\d+ : FROM /);
    keys(':');
    typeAtOnce('docker run -p 5000:5000 flask-docker-app');
    keys('Enter');
    const ran = await waitForScreen((s) => /flask-docker-app +\S+ +running +127\.0\.0\.1:\d+ +0/.test(s), 'the container in the table, running, published on 127.0.0.1', 60_000);
    const port = /running +127\.0\.0\.1:(\d+)/.exec(ran)![1]!;
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toHaveLength(1);
    keys(':');
    typeAtOnce('curl http://localhost:5000/');
    keys('Enter');
    const answered = await waitForScreen((s) => new RegExp(`running +127\\.0\\.0\\.1:${port} +1 +◂ last answer`).test(s), 'one request counted on the container, which answered last', 30_000);
    expect(answered).toMatch(/Hello/);
    keys(':');
    typeAtOnce('docker ps');
    keys('Enter');
    await waitForScreen((s) => s.includes('the lab does not take `docker ps` here'), 'docker ps answered with what the prompt takes');
    keys('q');
    await waitForScreen((x) => x.includes('LAB-EXITED=0'), 'the lab quit');
    // Leaving the step removed the container the prompt ran.
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toEqual([]);
  }, 300_000);
});
