// EP 9's compose stack as the TUI holds it: up at the step's first check run and kept up while the learner is on the
// step (the next run's curls go through the same containers, HAProxy restarted so its round robin starts at the top
// again), down when the step closes, removed by the reaper when the lab is signalled, and after a crash by the next
// lab that opens a Docker step. Nothing of it is left after any of those.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeMissing } from '../../../lab/docker/compose-stack.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { openStepSession } from '../../../lab/tui/session/step-session.ts';
import type { ContainerEvent } from '../../../lab/docker/container-events.ts';
import { containersLabelled, docker, dockerUp } from '../../helpers/docker.ts';

const repo = resolve(import.meta.dirname, '../../..');
const usable = dockerUp && composeMissing() === null;
if (!usable) console.warn('[ep9 hold] SKIPPED: needs a Docker engine and docker-compose (see `lab doctor`)');
const work = mkdtempSync(join(tmpdir(), 'lab-ep9-hold-'));
const children: ChildProcess[] = [];

// Everything a test run made: containers, networks, images (by its test-run label).
async function leftovers(run: string): Promise<string[]> {
  const label = `haproxy-lab.test-run=${run}`;
  return [
    ...(await containersLabelled(label)).map((c) => `container ${c.Names[0]}`),
    ...(await docker.listNetworks({ filters: { label: [label] } })).map((n) => `network ${n.Name}`),
    ...(await docker.listImages({ filters: { label: [label] } })).map((i) => `image ${i.Id}`),
  ];
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

// A lab process holding the stack; resolves once its output has the line.
function child(run: string): { proc: ChildProcess; out: () => string; waitFor: (line: RegExp, ms: number) => Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/lab/docker/hold-stack-child.ts')], {
    cwd: repo, env: { ...process.env, LAB_TEST_RUN: run, LAB_CONFIG_DIR: join(work, run) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return {
    proc,
    out: () => out,
    waitFor: async (line, ms) => {
      const ok = await until(async () => line.test(out) || proc.exitCode !== null, ms);
      if (!ok || !line.test(out)) throw new Error(`the lab process did not print ${line} (exit ${proc.exitCode}); it printed:\n${out}`);
    },
  };
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  if (!dockerUp) return;
  for (const c of await docker.listContainers({ all: true, filters: { label: ['haproxy-lab.test-run'] } })) {
    if (c.Labels['haproxy-lab.test-run']?.startsWith('hold-')) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
});

describe.skipIf(!usable)("EP 9's compose stack held while the learner is on the step (real Docker)", () => {
  it('keeps the same containers up across two check runs, both agreeing with the engine, and takes them down when the step closes', async () => {
    const run = `hold-${randomBytes(4).toString('hex')}`;
    const saved = process.env['LAB_TEST_RUN'];
    process.env['LAB_TEST_RUN'] = run;
    const episode = loadEpisode('ep9-weighted-rr');
    const progress: string[] = [];
    const session = await openStepSession(episode, episode.steps.findIndex((s) => s.id === 'compose-stack'), { runtime: new BuiltinRuntime(), publishPorts: false });
    const events: ContainerEvent[] = [];
    session.containers.subscribe((e) => events.push(e));
    try {
      const t0 = Date.now();
      const first = await session.runChecks(undefined, (l) => progress.push(l));
      const t1 = Date.now();
      expect(first.filter((c) => !c.ok).map((c) => `${c.check.title}: ${c.observed}`)).toEqual([]);
      const ids = (await containersLabelled(`haproxy-lab.test-run=${run}`)).map((c) => c.Id).sort();
      expect(ids).toHaveLength(4);
      const second = await session.runChecks(undefined, (l) => progress.push(l));
      console.log(`[ep9 hold] first run (up) ${((t1 - t0) / 1000).toFixed(1)} s, second run (held) ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      expect(second.filter((c) => !c.ok).map((c) => `${c.check.title}: ${c.observed}`)).toEqual([]);
      expect((await containersLabelled(`haproxy-lab.test-run=${run}`)).map((c) => c.Id).sort()).toEqual(ids);
      // Each run's curls went through the containerised HAProxy, each time from the top of its rotation.
      const orders = progress.filter((l) => l.startsWith('HAProxy in Docker, curl http://localhost/ ×12'));
      expect(orders).toEqual(Array(2).fill('HAProxy in Docker, curl http://localhost/ ×12: server3 server1 server3 server2 server3 server1 server3 server1 server3 server2 server3 server1'));
      expect(progress.filter((l) => l.startsWith('docker-compose -p '))).toHaveLength(1);
      // The containers table's events: four started once, app3 answering most.
      expect(events.filter((e) => e.kind === 'container-started').map((e) => e.name).sort()).toEqual(['app1', 'app2', 'app3', 'haproxy']);
      expect(events.filter((e) => e.kind === 'container-request' && e.name === 'app3').length).toBeGreaterThanOrEqual(12);
    } finally {
      await session.close();
      if (saved === undefined) delete process.env['LAB_TEST_RUN'];
      else process.env['LAB_TEST_RUN'] = saved;
    }
    expect(await leftovers(run)).toEqual([]);
    expect(events.filter((e) => e.kind === 'container-removed').map((e) => e.name).sort()).toEqual(['app1', 'app2', 'app3', 'haproxy']);
  }, 400_000);

  it("leaves a crashed lab's stack to the next lab opening a Docker step, and a signalled lab's to its reaper", async () => {
    const crashed = `hold-${randomBytes(4).toString('hex')}`;
    const a = child(crashed);
    await a.waitFor(/^UP pass$/m, 300_000);
    a.proc.kill('SIGKILL');
    await until(async () => a.proc.exitCode !== null || a.proc.signalCode !== null, 10_000);
    expect((await leftovers(crashed)).length).toBeGreaterThanOrEqual(5);
    // The next lab: opening the step removes what the crashed one left, before it brings up its own.
    const quit = `hold-${randomBytes(4).toString('hex')}`;
    const b = child(quit);
    await b.waitFor(/^OPENED$/m, 120_000);
    expect(b.out()).toMatch(/^progress: removed \d+ container\(s\)\/network\(s\)\/image\(s\) left by a lab that did not exit cleanly$/m);
    expect(await leftovers(crashed)).toEqual([]);
    await b.waitFor(/^UP pass$/m, 300_000);
    expect((await leftovers(quit)).length).toBeGreaterThanOrEqual(5);
    b.proc.kill('SIGTERM');
    expect(await until(async () => (await leftovers(quit)).length === 0, 60_000)).toBe(true);
  }, 700_000);
});
