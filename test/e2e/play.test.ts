// Drives the real `node bin/lab.js play` in a real terminal (tmux, 100x32): a config with three servers and no
// apps (every server answers with its name), a typed request routed by an ACL on a header, the response pane and
// explain, a transcript written and replayed; then a document's config beside real haproxy (no difference), edited
// live into one where the engine warns (the difference highlighted).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';

const repo = resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `lab-e2e-play-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'lab-e2e-play-'));

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (name: string): string => tmux('capture-pane', '-p', '-t', name);
const keys = (name: string, ...k: string[]): void => void tmux('send-keys', '-t', name, ...k);
const type = (name: string, text: string): void => void tmux('send-keys', '-t', name, '-l', text);

async function waitFor(name: string, test: (s: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = screen(name);
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`expected the screen to show ${what} within ${timeoutMs} ms; it shows:\n${last}`);
}

// Opens the prompt, types a request, sends it.
async function request(name: string, line: string): Promise<void> {
  keys(name, ':');
  await waitFor(name, (s) => s.includes('request> '), 'the request prompt');
  type(name, line);
  await waitFor(name, (s) => s.includes(line.slice(-20)), 'the typed request');
  keys(name, 'Enter');
}

const env = (more: string[] = []): string => [
  `LAB_CONFIG_DIR=${join(work, 'config')}`, `XDG_STATE_HOME=${join(work, 'state')}`, 'LANG=C.UTF-8', 'TERM=xterm-256color', 'CI=true', ...more,
].join(' ');

function open(name: string, args: string, more: string[] = []): void {
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '100', '-y', '32', `cd ${repo} && env ${env(more)} node bin/lab.js play ${args}; echo LAB-EXITED=$?; sleep 120`);
}

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

const THREE = `global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind *:80
    acl is_dev hdr(X-Env) -i dev
    use_backend dev if is_dev
    default_backend app
backend app
    balance roundrobin
    server s1 10.1.2.3:80 check
    server s2 db1.example:5432 check
backend dev
    server s3 192.168.9.9:8080
`;

describe.skipIf(!hasTmux)('lab play in a real terminal (tmux)', () => {
  it('answers from three stand-ins by name, routes a typed header by its ACL, explains it, and replays its transcript', async () => {
    const cfg = join(work, 'three.cfg');
    const transcript = join(work, 'three.md');
    writeFileSync(cfg, THREE);
    open('three', `${cfg} --record ${transcript}`);
    await waitFor('three', (s) => /s3 +- +UP/.test(s) && s.includes('stand-in(s) on loopback'), 'three servers UP on stand-ins', 60_000);
    keys('three', ' ');
    await waitFor('three', (s) => s.includes('s1 answered (its stand-in)'), 's1 answering');
    keys('three', ' ');
    let s = await waitFor('three', (x) => x.includes('s2 answered (its stand-in)'), 's2 answering');
    expect(s).toContain('lab stand-in for app/s2 db1.example:5432');

    await request('three', 'curl -H "X-Env: dev" http://localhost/x?a=1');
    s = await waitFor('three', (x) => x.includes('s3 answered (its stand-in)'), 's3 answering the header');
    // the response pane: status line, the headers that matter first, the body with what the server received
    const lines = s.split('\n');
    const status = lines.findIndex((l) => l.startsWith('HTTP/1.1 200 OK · s3 answered'));
    expect(status).toBeGreaterThan(0);
    expect(lines[status + 1]).toMatch(/content-type: text\/plain/);
    expect(s).toContain('query: a=1');
    // the body is cut at the pane; pgdn shows the rest, down to the headers the stand-in received
    expect(s).toMatch(/Response .*↓ pgup\/pgdn/);
    keys('three', '>');
    await waitFor('three', (x) => /x-env: dev/.test(x), 'the X-Env header the stand-in received');

    // lab curl in another shell reaches the playground and names the server
    const curl = spawnSync('node', ['bin/lab.js', 'curl', '-H', 'X-Env: dev', 'http://localhost/'], {
      cwd: repo, encoding: 'utf8', env: { ...process.env, CI: 'true', XDG_STATE_HOME: join(work, 'state') },
    });
    expect(curl.stdout).toMatch(/^#1 200 s3 /m);

    // predict: the last request (X-Env: dev) goes to s3, so guessing s1 is wrong and s3 right
    keys('three', 'p');
    await waitFor('three', (x) => x.includes('which server answers next?'), 'predict mode');
    keys('three', '1');
    await waitFor('three', (x) => x.includes('✗ it was dev/s3 · 0/1'), 'a wrong guess scored');
    keys('three', '3');
    await waitFor('three', (x) => x.includes('✓ right · 1/2'), 'a right guess scored');
    keys('three', 'p');

    keys('three', 'x');
    s = await waitFor('three', (x) => x.includes('Why the last request went where it went'), 'the explain pane');
    expect(s).toMatch(/is_dev: hdr\(X-Env\) saw "dev"/);
    expect(s).toContain('backend dev');
    keys('three', 'q');
    await waitFor('three', (x) => x.includes('LAB-EXITED=0'), 'the playground quitting');

    const md = readFileSync(transcript, 'utf8');
    expect(md).toContain('```haproxy');
    expect(md).toMatch(/engine: 200 OK from \*\*s3\*\*/);
    expect(md).toMatch(/is_dev: hdr\(X-Env\) saw "dev"/);
    const replay = spawnSync('node', ['bin/lab.js', 'play', '--replay', transcript], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(replay.stdout).toContain('5 of 5 answers as recorded.');
    expect(existsSync(join(work, 'state', 'haproxy-lab', 'ports.json'))).toBe(false);
    expect(replay.status).toBe(0);
    // a transcript whose recorded server is not what answers now fails the replay
    writeFileSync(transcript, md.replace('from **s3**', 'from **s1**'));
    const changed = spawnSync('node', ['bin/lab.js', 'play', '--replay', transcript], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(changed.stdout).toContain('CHANGED');
    expect(changed.status).toBe(1);
  }, 180_000);

  it.skipIf(!hasHaproxy)('shows real haproxy agreeing on a document config, then the difference once an edit brings a keyword the engine ignores', async () => {
    const cfg = join(work, 'flask-form.cfg');
    copyFileSync(join(repo, 'episodes/ep4-acl/flask-form.cfg'), cfg);
    // the "editor" adds two keywords to general_backend that the engine warns it ignores (compression is built now);
    // haproxy acts on the redirect, so the two answers then differ
    const editor = join(work, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^\\(\\s*server app1 .*\\)$/    http-response redirect location \\/moved code 302\\n    option http-no-delay\\n\\1/' "$1"\n`);
    chmodSync(editor, 0o755);
    open('cmp', `${cfg} --compare haproxy`, [`EDITOR=${editor}`]);
    await waitFor('cmp', (s) => s.includes('haproxy beside it on :') && /app1 +- +UP/.test(s), 'haproxy beside the engine', 60_000);
    await request('cmp', 'curl -X POST -d name=ada http://localhost/submit');
    let s = await waitFor('cmp', (x) => x.includes('engine and haproxy agree'), 'both agreeing');
    expect(s).toContain('engine:  HTTP/1.1 200 OK · app2 answered');
    expect(s).toContain('haproxy: HTTP/1.1 200 OK · app2 answered');

    keys('cmp', 'e');
    await waitFor('cmp', (x) => x.includes('Config applied live (2 keyword(s) ignored'), 'the edit applied with ignored keywords');
    keys('cmp', 'U');
    s = await waitFor('cmp', (x) => x.includes('Keywords the lab ignores'), 'the ignored keywords');
    expect(s).toMatch(/line \d+: 'http-response redirect' is not supported by HAProxy Lab yet/);
    keys('cmp', 'Escape');
    await request('cmp', 'curl http://localhost/');
    s = await waitFor('cmp', (x) => x.includes('engine and haproxy DIFFER'), 'the difference');
    expect(s).toMatch(/✗ .*engine "?200"? .*haproxy "?302"?/);
    keys('cmp', 'q');
    await waitFor('cmp', (x) => x.includes('LAB-EXITED=0'), 'the playground quitting');
    expect(existsSync(cfg)).toBe(true);
  }, 180_000);
});
