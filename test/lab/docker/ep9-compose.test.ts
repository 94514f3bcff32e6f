// EP 9's compose step on a real engine: the document's docker-compose.yml brought up by the lab (ports moved to free
// 127.0.0.1 ports, local base images), the document's curls sent through the engine and through real HAProxy in its
// container, side by side; down again afterwards, with nothing left (containers, network, the images it built).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { composeMissing } from '../../../lab/docker/compose-stack.ts';
import { evaluateCheck, type ExperimentRun, type StepObservations } from '../../../lab/episodes/checks.ts';
import { engineDriver } from '../../../lab/episodes/engine-driver.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { runEpisode, type EpisodeResult } from '../../../lab/episodes/run-episode.ts';
import type { AgreesCheck } from '../../../lab/episodes/schema.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { Tally } from '../../../lab/traffic/tally.ts';
import { containersLabelled, docker, dockerUp } from '../../helpers/docker.ts';

const run = randomBytes(4).toString('hex');
const labels = { 'haproxy-lab.test-run': run };
const episode = loadEpisode('ep9-weighted-rr');
const step = episode.steps.find((s) => s.id === 'compose-stack')!;
const usable = dockerUp && composeMissing() === null;
if (!usable) console.warn('[ep9 compose] SKIPPED: needs a Docker engine and docker-compose (see `lab doctor`)');

const mine = `haproxy-lab.test-run=${run}`;
afterAll(async () => {
  if (!dockerUp) return;
  for (const c of await containersLabelled(mine)) await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await docker.listNetworks({ filters: { label: [mine] } })) await docker.getNetwork(n.Id).remove().catch(() => {});
  for (const i of await docker.listImages({ filters: { label: [mine] } })) await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
});

// A finished experiment whose answers came from these servers, in order.
function runOf(servers: readonly string[]): ExperimentRun {
  const observations = servers.map((s, index) => ({
    index, status: 200, body: '', headers: {}, ms: 1, localAddress: '127.0.0.1', localPort: 40000 + index, server: s, who: s,
  }));
  return { experiment: step.experiments[0]!, target: { host: '127.0.0.1', port: 1 } as ExperimentRun['target'], observations, tally: new Tally(), logs: [] } as unknown as ExperimentRun;
}

describe('the agrees check', () => {
  const check = step.checks.find((c) => c.kind === 'agrees') as AgreesCheck;
  const judge = (engine: string[], container: string[] | null) => {
    const r = runOf(engine);
    const obs: StepObservations = { configFile: null, configText: null, report: null, logs: [], experiments: new Map([[check.experiment, container ? { ...r, beside: runOf(container) } : r]]) };
    return evaluateCheck(check, obs);
  };

  it('passes when HAProxy in Docker met the same servers in the same order', () => {
    expect(judge(['server3', 'server1', 'server3'], ['server3', 'server1', 'server3']).ok).toBe(true);
  });

  it('fails on the same shares in another order, and names the first request that differs', () => {
    const r = judge(['server3', 'server1', 'server3', 'server2'], ['server3', 'server3', 'server1', 'server2']);
    expect(r.ok).toBe(false);
    expect(r.observed).toMatch(/request 2 went to server3 there, server1 in the engine/);
  });

  it('fails when the container answered fewer requests, or when no containerised HAProxy ran', () => {
    expect(judge(['server1', 'server2'], ['server1']).ok).toBe(false);
    expect(judge(['server1'], null).observed).toBe('no containerised HAProxy ran beside the engine');
  });
});

describe.skipIf(!usable)("EP 9's docker-compose stack beside the engine (real Docker)", () => {
  let result: EpisodeResult;
  const progress: string[] = [];
  const containerLines: string[] = [];

  it('brings the stack up from docker-compose.yml, sends the curls to both, and the orders agree', async () => {
    const t0 = Date.now();
    result = await runEpisode({
      episode, runtime: new BuiltinRuntime(), driver: engineDriver, use: 'solution', steps: ['compose-stack'],
      stepOptions: { docker, labels, onContainerLog: (l) => containerLines.push(l) }, progress: (l) => progress.push(l),
    });
    console.log(`[ep9 compose] up, 18 requests each side, down in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const r = result.steps[0]!;
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.check.title}: ${c.observed}`)).toEqual([]);
    expect(r.status).toBe('pass');
  }, 300_000);

  it("answers through real HAProxy's log: the weighted order 2/1/3, the same as the engine's", () => {
    const home = result.steps[0]!.experiments.find((e) => e.experiment.id === 'home')!;
    const order = ['server3', 'server1', 'server3', 'server2', 'server3', 'server1'];
    expect(home.observations.map((o) => o.server)).toEqual([...order, ...order]);
    expect(home.beside!.observations.map((o) => o.server)).toEqual([...order, ...order]);
    // The bodies prove which app container really answered, not only what HAProxy's log claims.
    expect(home.beside!.observations.map((o) => o.body.replace(/^Hello from Flask App (\d)!$/, 'app$1'))).toEqual([...order, ...order].map((s) => s.replace('server', 'app')));
    expect(home.beside!.received).toEqual(new Map([['app1', 4], ['app2', 2], ['app3', 6]]));
    expect(home.beside!.logs.some((l) => /http_front servers\/server3 .* 200 .*"GET \/ HTTP\/1\.1"/.test(l))).toBe(true);
  });

  it('moves every port to a free 127.0.0.1 port and says which local images stood in for the FROM images', () => {
    for (const s of ['app1', 'app2', 'app3', 'haproxy']) expect(progress.some((l) => new RegExp(`^${s}: port \\d+ published on 127\\.0\\.0\\.1:\\d+$`).test(l))).toBe(true);
    expect(progress.some((l) => /^FROM python:3\.9-slim → \S+ \(python:3\.9-slim is not on this machine/.test(l))).toBe(true);
    expect(progress).toContain('FROM haproxy:latest → haproxy-lab/haproxy:bookworm (haproxy:latest is not on this machine and cannot be pulled here)');
    expect(containerLines.some((l) => /^compose: /.test(l))).toBe(true);
  });

  it('takes the stack down afterwards: no container, network or image of it is left', async () => {
    expect(await containersLabelled(mine)).toEqual([]);
    expect(await docker.listNetworks({ filters: { label: [mine] } })).toEqual([]);
    expect(await docker.listImages({ filters: { label: [mine] } })).toEqual([]);
  });
});
