// `lab run` as a user runs it: a separate process, every episode, exit code and JSON.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { checkPythonFlask } from '../../lab/runtimes/python-check.ts';
import { DockerRuntime } from '../../lab/runtimes/docker.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { runCommand } from '../../lab/commands/run.ts';
import { UsageError } from '../../lab/episodes/with-files.ts';
import { removeDanglingLabelled, removeImagesTagged } from '../helpers/docker.ts';

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), 'lab-run-state-'));
// Images the Docker steps build go under this prefix, and are removed after the tests.
const prefix = `haproxy-lab-test-${process.pid}/`;
const testRun = `lab-run-${process.pid}`;
const env = { ...process.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state, NO_COLOR: '1', LAB_IMAGE_PREFIX: prefix, LAB_TEST_RUN: testRun };
afterAll(async () => {
  rmSync(state, { recursive: true, force: true });
  await removeImagesTagged(prefix);
  await removeDanglingLabelled(`haproxy-lab.test-run=${testRun}`);
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function lab(...args: string[]): Promise<Outcome> {
  return labWith({}, ...args);
}

async function labWith(extra: Record<string, string>, ...args: string[]): Promise<Outcome> {
  try {
    const r = await run(process.execPath, ['bin/lab.js', ...args], { env: { ...env, ...extra }, timeout: 470_000, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const python = await checkPythonFlask();
if (!python.ok) console.warn(`[lab run] SKIPPED on the process runtime: ${python.why}`);
const docker = await new DockerRuntime().available();
if (!docker.ok) console.warn(`[lab run] SKIPPED on the docker runtime: ${docker.why}`);

describe('lab run', () => {
  it('runs every episode on the builtin runtime; without Docker the Docker steps are skipped, never passed (exit 3)', async () => {
    const r = await labWith({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 'run', 'all', '--runtime', 'builtin', '--json');
    expect(r.stderr).not.toMatch(/FAIL/);
    expect(r.code).toBe(3);
    type Json = { episode: string; ok: boolean; status: string; runtime: string; steps: { id: string; status: string; ok: boolean; skipped?: { why: string; fix: string }; checks: { ok: boolean }[] }[] };
    const results = JSON.parse(r.stdout) as Json[];
    expect(results.map((x) => x.episode)).toEqual(['ep9-weighted-rr', 'ep4-acl', 'ep2-tcp-proxy', 'docker-ep10']);
    for (const x of results) {
      expect(x.runtime).toBe('builtin');
      expect(x.steps.flatMap((s) => s.checks).length).toBeGreaterThan(0);
      // EP 4 has no Docker step; EP 9's compose stack, EP 2's containers and EP 10's images need Docker.
      expect(x.status).toBe(x.episode === 'ep4-acl' ? 'pass' : 'skipped');
      for (const st of x.steps) expect(st.status).toBe(st.skipped ? 'skipped' : 'pass');
    }
    const stepsOf = (id: string) => results.find((x) => x.episode === id)!.steps.map((s) => `${s.id} ${s.status}`);
    expect(stepsOf('ep2-tcp-proxy')).toEqual(['tcp-proxy pass', 'scale-out pass', 'in-containers skipped', 'scale-containers skipped']);
    expect(stepsOf('ep9-weighted-rr')).toEqual(['equal-turns pass', 'add-weights pass', 'data-and-logs pass', 'compose-stack skipped']);
    const ep10 = results.find((x) => x.episode === 'docker-ep10')!;
    expect(ep10.ok).toBe(false);
    expect(ep10.steps.map((s) => `${s.id} ${s.status}`)).toEqual(['run-locally pass', 'write-dockerfile skipped', 'dockerignore skipped', 'in-a-container skipped']);
    for (const s of ep10.steps.slice(1)) {
      expect(s.ok).toBe(false);
      expect(s.checks).toEqual([]);
      expect(s.skipped!.why).toMatch(/^needs Docker: the Docker daemon does not answer at unix:\/\/\/nonexistent\/docker.sock/);
      expect(s.skipped!.fix).toMatch(/apt-get install docker.io.*lab doctor/);
    }
    expect(r.stderr).toMatch(/SKIPPED \(not passed\): needs Docker/);
    expect(r.stderr).toMatch(/1\/4 steps passed, 3 skipped/);
    expect(r.stderr).toMatch(/2\/4 steps passed, 2 skipped/);
    expect(r.stderr).toMatch(/3\/4 steps passed, 1 skipped/);
  }, 240_000);

  it('with --runtime docker and no Docker, every step that needs the apps or Docker is skipped (exit 3)', async () => {
    const r = await labWith({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 'run', 'ep2-tcp-proxy', 'docker-ep10', '--runtime', 'docker');
    expect(r.code).toBe(3);
    expect(r.stdout).not.toMatch(/ok {3}|FAIL/);
    expect(r.stdout).toMatch(/ep2-tcp-proxy[^]*0\/4 steps passed, 4 skipped/);
    expect(r.stdout).toMatch(/docker-ep10[^]*0\/4 steps passed, 4 skipped/);
    expect(r.stdout).toMatch(/SKIPPED \(not passed\): needs Docker \(--runtime docker\)/);
  }, 120_000);

  it('exits non-zero and says what failed when a step runs its starting config', async () => {
    const r = await lab('run', 'ep2-tcp-proxy', '--runtime', 'builtin', '--step', 'scale-out', '--start');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL Both instances take half of the connections/);
    expect(r.stdout).toMatch(/expected: shares flask1 50%, flask2 50% \(±10%\)/);
    expect(r.stdout).toMatch(/saw: {6}flask1 100% \(10\), flask2 0% \(0\) of 10 answers/);
    expect(r.stdout).toMatch(/config: {3}haproxy\.cfg:19: server flask1 127\.0\.0\.1:5000 check/);
    expect(r.stdout).toMatch(/hint: {5}A second `server` line/);
  }, 120_000);

  it('proves the checks from the command line (--prove)', async () => {
    const r = await lab('run', 'ep4-acl', '--runtime', 'builtin', '--prove', '--step', 'block-ip');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {3}block-ip: A client in the blocked range gets 403 \(status\) — fails on start, .*block-ip\.inverted\.cfg; passes on solution/);
    expect(r.stdout).toMatch(/ok {3}block-ip: block-ip\.everyone\.cfg \(`src 0\.0\.0\.0\/0` matches every client, so everybody is blocked\) — fails \d check\(s\)\n\s+An ordinary client still gets through: expected status 200 for curl http:\/\/localhost\/; saw 403/);
    expect(r.stdout).toMatch(/5\/5 wrong answers caught/);
  }, 120_000);

  it('judges a teacher\'s file with --with: a wrong answer fails with why (exit 1)', async () => {
    const bad = await lab('run', 'ep4-acl', '--runtime', 'builtin', '--with', 'block-ip.cfg=episodes/ep4-acl/wrong/block-ip.one-address.cfg');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/step 1\/1 block-ip: .*\[block-ip\.one-address\.cfg, engine\]/);
    expect(bad.stdout).toMatch(/FAIL Another address of 127\.66\.0\.0\/16 is refused too\n\s+expected: status 403 for curl --interface 127\.66\.200\.17 http:\/\/localhost\/\n\s+saw: +200 from web1/);
    expect(bad.stdout).toMatch(/config: +block-ip\.one-address\.cfg:14: acl block_ip src 127\.66\.0\.5/);
  }, 120_000);

  it('--with the solution passes (0); without --step it judges every step that has that file', async () => {
    // In process, as the command runs it (the spawn above proves the exit code reaches the shell).
    const lines: string[] = [];
    const quiet = { runtime: 'builtin' as const, out: (l: string) => lines.push(l), err: () => {} };
    // The port map a running step publishes goes to this test's state directory, not the user's.
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = state;
    onTestFinished(() => {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    });
    expect(await runCommand(['ep4-acl'], { ...quiet, with: ['block-ip.cfg=episodes/ep4-acl/block-ip.solution.cfg'] })).toBe(0);
    expect(lines.join('\n')).toMatch(/step 1\/1 block-ip: .*\[block-ip\.solution\.cfg, engine\]/);
    // equal.cfg is the file of EP 9's first two steps: equal turns pass on it, the weights step does not.
    lines.length = 0;
    expect(await runCommand(['ep9-weighted-rr'], { ...quiet, json: true, with: ['equal.cfg=episodes/ep9-weighted-rr/equal.cfg'] })).toBe(1);
    const [result] = JSON.parse(lines.join('\n')) as { steps: { id: string; ok: boolean; files: Record<string, string> }[] }[];
    expect(result!.steps.map((s) => [s.id, s.ok])).toEqual([['equal-turns', true], ['add-weights', false]]);
    for (const s of result!.steps) expect(s.files['equal.cfg']).toMatch(/\/episodes\/ep9-weighted-rr\/equal\.cfg$/);
  }, 120_000);

  it('--with names the files that exist for an unknown name (exit 2)', async () => {
    const unknown = await lab('run', 'ep4-acl', '--with', 'blockip.cfg=episodes/ep4-acl/block-ip.cfg');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lab run: --with blockip\.cfg: no step of ep4-acl has a file of that name \(its files: static-path\.cfg, block-ip\.cfg, post-method\.cfg, user-agent\.cfg, admin-internal\.cfg, flask-form\.cfg, flask-form-one-acl\.cfg\)$/m);
  }, 60_000);

  it('--with refuses, before starting anything, a file of another step, a missing file and a malformed argument', async () => {
    // In process: these are usage errors, which the command turns into exit 2 as above.
    const run = (...w: string[]) => runCommand(['ep4-acl'], { with: w, step: w[0]!.startsWith('block') ? ['post-method'] : undefined, out: () => {}, err: () => {} });
    await expect(run('block-ip.cfg=episodes/ep4-acl/block-ip.cfg')).rejects.toThrow(/step post-method of ep4-acl has no file block-ip\.cfg \(its files: post-method\.cfg\)/);
    await expect(runCommand(['ep4-acl'], { with: ['block-ip.cfg=/nonexistent/answer.cfg'] })).rejects.toThrow(/^--with block-ip\.cfg: no file \/nonexistent\/answer\.cfg$/);
    await expect(runCommand(['ep4-acl'], { with: ['block-ip.cfg'] })).rejects.toThrow(/expected NAME=PATH/);
    await expect(runCommand(['ep4-acl'], { with: ['=x'] })).rejects.toThrow(UsageError);
    await expect(runCommand(['ep4-acl'], { with: ['block-ip.cfg=episodes/ep4-acl/block-ip.cfg'], prove: true })).rejects.toThrow(/does not go with --prove/);
  });

  it.skipIf(!hasHaproxy)('runs an episode on the real haproxy binary with --proxy haproxy', async () => {
    const r = await lab('run', 'ep2-tcp-proxy', '--runtime', 'builtin', '--proxy', 'haproxy', '--step', 'tcp-proxy', 'scale-out', '--json');
    expect(r.code).toBe(0);
    const [result] = JSON.parse(r.stdout) as { proxy: string; ok: boolean }[];
    expect(result).toMatchObject({ proxy: 'haproxy', ok: true });
  }, 120_000);

  it('names the unknown episode and the known ones, without inventing a file path', async () => {
    const r = await lab('run', 'ep9');
    expect(r.code).toBe(2);
    // (A first run after a source changed may say on stderr that it rebuilds dist/; the message is a line of its own.)
    expect(r.stderr).toMatch(/^lab run: no episode 'ep9' \(known: docker-ep10, ep2-tcp-proxy, ep4-acl, ep9-weighted-rr\)$/m);
    expect(r.stderr).not.toMatch(/episode\.yaml/);
    const o = await lab('open', 'ep99');
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/^lab open: no episode 'ep99' \(known: docker-ep10, ep2-tcp-proxy, ep4-acl, ep9-weighted-rr\)$/m);
    expect(o.stderr).not.toMatch(/lab run ep99/);
  });

  it.skipIf(!python.ok)('runs every episode on the process runtime (real Flask); the Docker steps, without Docker, skipped (exit 3)', async () => {
    // The Docker steps do not depend on the apps' runtime: they run once, below, with a real engine.
    const r = await labWith({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 'run', 'all', '--runtime', 'process');
    expect(r.stdout + r.stderr).not.toMatch(/FAIL/);
    expect(r.code).toBe(3);
  }, 240_000);

  it.skipIf(!docker.ok)('passes the documents\' Docker episodes on the docker runtime (EP 10 images, EP 2 containers, EP 9 compose), exit 0, nothing left', async () => {
    const t0 = Date.now();
    const r = await lab('run', 'docker-ep10', 'ep2-tcp-proxy', 'ep9-weighted-rr', '--runtime', 'docker');
    console.log(`[lab run] docker-ep10 ep2-tcp-proxy ep9-weighted-rr --runtime docker: exit ${r.code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(r.stdout + r.stderr).not.toMatch(/FAIL|SKIPPED/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/in-containers: HAProxy and the app in containers {2}\[HAProxy in a container\]/);
    expect(r.stdout).toMatch(/HAProxy in Docker: 200 server3, 200 server1, 200 server3, 200 server2, 200 server3, 200 server1/);
    const mine = { filters: { label: [`haproxy-lab.test-run=${testRun}`] } };
    const dockerode = new (await import('dockerode')).default();
    expect(await dockerode.listContainers({ all: true, ...mine })).toEqual([]);
    expect(await dockerode.listNetworks(mine)).toEqual([]);
    // Only the learner's own images stay (flask-docker-app, flask-app, haproxy-tcp), as after their `docker build`.
    const images = (await dockerode.listImages(mine)).flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    expect(images.every((t) => t.startsWith(prefix)), images.join(', ')).toBe(true);
  }, 480_000);
});

describe('lab episodes', () => {
  it('lists id, title and steps as JSON', async () => {
    const r = await lab('episodes', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; title: string; steps: number }[];
    expect(list.map((e) => e.id)).toEqual(['ep9-weighted-rr', 'ep4-acl', 'ep2-tcp-proxy', 'docker-ep10']);
    for (const e of list) {
      expect(e.title.length).toBeGreaterThan(3);
      expect(e.steps).toBeGreaterThan(0);
    }
  });
});
