// EP 9's compose stack as the TUI holds it: up at the step's first check run and kept up while the learner is on the
// step (the next run's curls go through the same containers, HAProxy restarted so its round robin starts at the top
// again), down when the step closes (leaving it, quitting), and after a crash removed by the next lab that opens a
// Docker step. Nothing of it is left after any of those. (A signalled lab's reaper, the same for every stack, is
// tested in ep2-stack.test.ts.)
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { composeMissing } from '../../../lab/docker/compose-stack.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { openStepSession } from '../../../lab/tui/session/step-session.ts';
import type { ContainerEvent } from '../../../lab/docker/container-events.ts';
import { LOCAL_HAPROXY_IMAGE } from '../../../lab/docker/local-images.ts';
import { containersLabelled, docker, dockerUp } from '../../helpers/docker.ts';

const usable = dockerUp && composeMissing() === null;
if (!usable) console.warn('[ep9 hold] SKIPPED: needs a Docker engine and docker-compose (see `lab doctor`)');
/** The labels a held stack's container carried (so the crash below leaves what a real crash would). */
let heldLabels: Record<string, string> | null = null;

// Everything a test run made: containers, networks, images (by its test-run label).
async function leftovers(run: string): Promise<string[]> {
  const label = `haproxy-lab.test-run=${run}`;
  return [
    ...(await containersLabelled(label)).map((c) => `container ${c.Names[0]}`),
    ...(await docker.listNetworks({ filters: { label: [label] } })).map((n) => `network ${n.Name}`),
    ...(await docker.listImages({ filters: { label: [label] } })).map((i) => `image ${i.Id}`),
  ];
}

afterAll(async () => {
  if (!dockerUp) return;
  for (const c of await docker.listContainers({ all: true, filters: { label: ['haproxy-lab.test-run'] } })) {
    if (c.Labels['haproxy-lab.test-run']?.startsWith('hold-')) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
  for (const n of await docker.listNetworks({ filters: { label: ['haproxy-lab.test-run'] } })) {
    if (n.Labels?.['haproxy-lab.test-run']?.startsWith('hold-')) await docker.getNetwork(n.Id).remove().catch(() => {});
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
    const logLines: string[] = [];
    session.events.on('log', (e) => logLines.push(e.line));
    // Requests each app container's own access log recorded (not HAProxy's word for it), from event index `from`.
    const received = (from: number, to = events.length): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const e of events.slice(from, to)) if (e.kind === 'container-request' && e.name !== 'haproxy') out[e.name] = (out[e.name] ?? 0) + 1;
      return out;
    };
    try {
      const t0 = Date.now();
      const first = await session.runChecks(undefined, (l) => progress.push(l));
      const t1 = Date.now();
      expect(first.filter((c) => !c.ok).map((c) => `${c.check.title}: ${c.observed}`)).toEqual([]);
      const afterFirst = events.length;
      const ids = (await containersLabelled(`haproxy-lab.test-run=${run}`)).map((c) => c.Id).sort();
      expect(ids).toHaveLength(4);
      heldLabels = (await docker.getContainer(ids[0]!).inspect()).Config.Labels;
      expect(heldLabels).toMatchObject({ 'haproxy-lab.owner-pid': String(process.pid), 'haproxy-lab.stack': expect.stringMatching(/^\d+-[0-9a-f]{6}$/) });
      const second = await session.runChecks(undefined, (l) => progress.push(l));
      console.log(`[ep9 hold] first run (up) ${((t1 - t0) / 1000).toFixed(1)} s, second run (held) ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      expect(second.filter((c) => !c.ok).map((c) => `${c.check.title}: ${c.observed}`)).toEqual([]);
      expect((await containersLabelled(`haproxy-lab.test-run=${run}`)).map((c) => c.Id).sort()).toEqual(ids);
      // Each run's curls went through the containerised HAProxy, each time from the top of its rotation.
      const orders = progress.filter((l) => l.startsWith('HAProxy in Docker, curl http://localhost/ ×12'));
      expect(orders).toEqual(Array(2).fill('HAProxy in Docker, curl http://localhost/ ×12: server3 server1 server3 server2 server3 server1 server3 server1 server3 server2 server3 server1'));
      expect(progress.filter((l) => l.startsWith('HAProxy in Docker, curl http://localhost/data ×6'))).toEqual(Array(2).fill('HAProxy in Docker, curl http://localhost/data ×6: server3 server1 server3 server2 server3 server1'));
      expect(progress.filter((l) => l.startsWith('docker-compose -p '))).toHaveLength(1);
      // The containers table's events: four started once; each run's 18 requests really reached the app containers
      // 6/3/9, by their own access logs, and HAProxy's log named a server for every one.
      expect(events.filter((e) => e.kind === 'container-started').map((e) => e.name).sort()).toEqual(['app1', 'app2', 'app3', 'haproxy']);
      expect(received(0, afterFirst)).toEqual({ app1: 6, app2: 3, app3: 9 });
      expect(received(afterFirst)).toEqual({ app1: 6, app2: 3, app3: 9 });
      expect(events.filter((e) => e.kind === 'container-request' && e.name === 'haproxy' && e.server?.startsWith('server'))).toHaveLength(36);
      expect(logLines.some((l) => /^container haproxy: \S+ \[[^\]]+\] http_front servers\/server3 .* 200 .*"GET \/ HTTP\/1\.1"$/.test(l))).toBe(true);
      expect(logLines.some((l) => /^container compose: /.test(l))).toBe(true);
      // The document's ports moved to free 127.0.0.1 ports, and the local images that stood in for the FROM images.
      for (const svc of ['app1', 'app2', 'app3', 'haproxy']) expect(progress).toContainEqual(expect.stringMatching(new RegExp(`^${svc}: port \\d+ published on 127\\.0\\.0\\.1:\\d+$`)));
      expect(progress).toContainEqual(expect.stringMatching(/^FROM python:3\.9-slim → \S+ \(python:3\.9-slim is not on this machine/));
      expect(progress).toContain('FROM haproxy:latest → haproxy-lab/haproxy:bookworm (haproxy:latest is not on this machine and cannot be pulled here)');
    } finally {
      await session.close();
      if (saved === undefined) delete process.env['LAB_TEST_RUN'];
      else process.env['LAB_TEST_RUN'] = saved;
    }
    expect(await leftovers(run)).toEqual([]);
    expect(events.filter((e) => e.kind === 'container-removed').map((e) => e.name).sort()).toEqual(['app1', 'app2', 'app3', 'haproxy']);
  }, 400_000);

  it("removes a crashed lab's stack when the next lab opens the step, and leaves a living lab's alone", async () => {
    expect(heldLabels).not.toBeNull();
    // What a lab killed while holding the stack leaves: containers and a network labelled as the held ones were,
    // owned by a process that is gone.
    const make = async (run: string, owner: string): Promise<void> => {
      const labels: Record<string, string> = { ...heldLabels!, 'haproxy-lab.stack': `${run}-stack`, 'haproxy-lab.owner-pid': owner, 'haproxy-lab.test-run': run };
      for (const k of Object.keys(labels)) if (k.startsWith('com.docker.compose')) delete labels[k];
      const net = await docker.createNetwork({ Name: `haproxy-lab-test-${run}`, Labels: labels });
      for (const n of ['app1', 'haproxy']) await docker.createContainer({ name: `haproxy-lab-test-${run}-${n}`, Image: LOCAL_HAPROXY_IMAGE, Labels: labels, HostConfig: { NetworkMode: net.id } });
    };
    const crashed = `hold-${randomBytes(4).toString('hex')}`;
    const alive = `hold-${randomBytes(4).toString('hex')}`;
    await make(crashed, '999999999');
    await make(alive, String(process.pid));
    expect(await leftovers(crashed)).toHaveLength(3);
    const episode = loadEpisode('ep9-weighted-rr');
    const progress: string[] = [];
    const session = await openStepSession(episode, episode.steps.findIndex((s) => s.id === 'compose-stack'), { runtime: new BuiltinRuntime(), publishPorts: false, progress: (l) => progress.push(l) });
    await session.close();
    expect(progress).toContainEqual(expect.stringMatching(/^removed [3-9]\d* container\(s\)\/network\(s\)\/image\(s\) left by a lab that did not exit cleanly$/));
    expect(await leftovers(crashed)).toEqual([]);
    expect(await leftovers(alive)).toHaveLength(3);
  }, 60_000);
});
