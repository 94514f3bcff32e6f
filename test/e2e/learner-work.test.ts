// Drives the real `node bin/lab.js` in tmux at 80x24 with CI=true and no EDITOR, as a learner would: `e` opens
// the inline editor (and says why), a wrong answer typed there fails the checks with a reason, the right one
// passes, quitting and reopening shows the learner's config, and keys sent in one write each act.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `lab-e2e-work-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'lab-e2e-work-'));

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', 'lab');
const keys = (...k: string[]): void => void tmux('send-keys', '-t', 'lab', ...k);
// One write to the terminal: tmux sends the literal string at once.
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

const row = (s: string, server: string): string => s.split('\n').find((l) => new RegExp(`[●■▲] ${server} `).test(l)) ?? '';

// In the inline editor, on a server line: edit it, put `weight N` before " check", keep it, go to the next line.
async function setWeightHere(weight: number, replace: boolean): Promise<void> {
  keys('Enter');
  await waitForScreen((s) => s.includes('Editing line'), 'the line editor');
  for (let i = 0; i < 6; i++) keys('Left');
  if (replace) {
    keys('BSpace');
    typeAtOnce(String(weight));
  } else {
    typeAtOnce(` weight ${weight}`);
  }
  keys('Enter');
  await waitForScreen((s) => !s.includes('Editing line'), 'the line kept');
  keys('Down');
}

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('a learner’s work in a real terminal (tmux, 80x24, CI=true, no EDITOR)', () => {
  it('fails a wrong answer with a reason, passes the right one, keeps it across a restart, and acts on every key of one write', async () => {
    const config = join(work, 'config');
    const env = [`LAB_CONFIG_DIR=${config}`, `XDG_STATE_HOME=${join(work, 'state')}`, 'LANG=C.UTF-8', 'TERM=xterm-256color', 'CI=true'].join(' ');
    const open = `env -u EDITOR -u VISUAL ${env} node bin/lab.js open ep9-weighted-rr --step 2`;
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'lab', '-x', '80', '-y', '24',
      `cd ${repo} && ${open}; echo LAB-EXITED=$?; sleep 0.5; clear; ${open}; echo LAB-EXITED-AGAIN=$?; sleep 120`);

    await waitForScreen((s) => s.includes('step 2/4') && /server3 +builtin +UP/.test(s), 'step 2 with three servers UP', 40_000);

    // No EDITOR: e opens the inline editor and says so.
    keys('e');
    await waitForScreen((s) => s.includes('Inline editor') && s.includes('EDITOR is not set'), 'the inline editor, with why');
    // A wrong answer: the weights swapped (3/1/2 instead of 2/1/3).
    await setWeightHere(3, false);
    await setWeightHere(1, false);
    await setWeightHere(2, false);
    keys('s');
    await waitForScreen((s) => s.includes('Config applied live'), 'the wrong answer applied');
    keys('Escape');
    await waitForScreen((s) => !s.includes('Inline editor'), 'the inline editor closed');
    keys('c');
    let s = await waitForScreen((x) => /\d+\/\d+ checks pass/.test(x), 'the checks’ verdict', 30_000);
    expect(s).not.toContain('step complete');
    expect(s).toMatch(/✗ /);
    expect(s).toContain('expected');

    // The right answer. (Escape and the next key sent together would read as Alt+key, as in any terminal.)
    keys('Escape');
    await waitForScreen((x) => !x.includes('Checks (esc closes)'), 'the checks pane closed');
    keys('i');
    await waitForScreen((x) => x.includes('Inline editor'), 'the inline editor again');
    await setWeightHere(2, true);
    keys('Down');
    await setWeightHere(3, true);
    keys('s');
    s = await waitForScreen((x) => x.includes('Config applied live'), 'the right answer applied');
    keys('Escape');
    await waitForScreen((x) => !x.includes('Inline editor'), 'the inline editor closed');
    keys('c');
    s = await waitForScreen((x) => /(\d+)\/\1 checks pass — step complete ✓/.test(x), 'every check passing', 30_000);

    // Quit and open the step again: the learner's config is back.
    keys('q');
    await waitForScreen((x) => x.includes('LAB-EXITED=0'), 'the lab exiting');
    // The shell clears the screen before the second run, so the first run's last frame cannot pass for it.
    s = await waitForScreen((x) => !x.includes('LAB-EXITED') && x.includes('step 2/4') && /server3 +builtin +UP/.test(x), 'step 2 reopened', 40_000);
    expect(row(s, 'server1')).toMatch(/UP +\S+ +2 /);
    expect(row(s, 'server3')).toMatch(/UP +\S+ +3 /);
    expect(s).toContain('✓');
    s = await waitForScreen((x) => x.includes('Your config from last time is back'), 'the screen saying the kept config is back');
    // The task is on the first screen, wrapped for it (not at the YAML's line breaks).
    expect(s).toMatch(/Your task: Give server1 weight 2, server2 weight 1 and server3 weight 3 by\nadding `weight N` to each server line/);
    keys('Tab');
    s = await waitForScreen((x) => x.includes('server server3 app3:5003 weight 3 check'), 'the learner’s config in the config pane');
    expect(s).toContain('server server1 app1:5001 weight 2 check');

    // Two keys in one write both act: jj selects server3, bb sends two bursts.
    typeAtOnce('jj');
    await waitForScreen((x) => row(x, 'server3').startsWith('▸'), 'server3 selected after jj');
    typeAtOnce('bb');
    await waitForScreen((x) => /^120 requests/m.test(x) && x.includes('burst: 60 requests sent'), 'two bursts (120 requests)', 30_000);

    keys('q');
    await waitForScreen((x) => x.includes('LAB-EXITED-AGAIN=0'), 'the lab exiting again');
    const kept = join(config, 'work', 'ep9-weighted-rr', 'add-weights');
    expect(readFileSync(join(kept, 'equal.cfg'), 'utf8')).toContain('server server2 app2:5002 weight 1 check');
    expect(existsSync(join(kept, 'passed', 'equal.cfg'))).toBe(true);
  }, 180_000);
});
