// Every episode's checks can fail and can pass: on our engine, and on real haproxy where it is installed.
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { loadAllEpisodes } from '../../lab/episodes/loader.ts';
import { engineDriver } from '../../lab/episodes/engine-driver.ts';
import { haproxyDriver } from '../../lab/episodes/haproxy-driver.ts';
import { proveEpisode } from '../../lab/episodes/prove.ts';
import { runEpisode } from '../../lab/episodes/run-episode.ts';
import type { ProxyDriver } from '../../lab/episodes/proxy-driver.ts';
import { BuiltinRuntime } from '../../lab/runtimes/builtin.ts';

const { episodes } = loadAllEpisodes();

function proves(driver: ProxyDriver): void {
  for (const episode of episodes) {
    // Docker steps judge the learner's images, whichever proxy runs: test/lab/docker proves them once.
    const steps = episode.steps.filter((s) => !s.needs.includes('docker'));
    it(`${episode.id}: every check fails on the starting config and passes on the solution`, async () => {
      const proof = await proveEpisode({ episode, runtime: new BuiltinRuntime(), driver, steps: steps.map((s) => s.id) });
      const problems = proof.checks.filter((p) => !p.ok).map((p) => `${p.step}: ${p.check.title}: ${p.problem}`);
      expect(problems).toEqual([]);
      expect(proof.checks.length).toBe(steps.reduce((n, s) => n + s.checks.length, 0));
      // Edit steps were really run twice: once to fail, once to pass.
      const edits = steps.filter((s) => s.solution).length;
      expect(proof.runs.length).toBe(steps.length + edits);
    }, 60_000);
  }
}

describe('episode checks on our engine', () => proves(engineDriver));

describe.skipIf(!hasHaproxy)('episode checks on real haproxy', () => {
  proves(haproxyDriver);

  it("the weighted round robin order in EP 9 is the one real haproxy produces", async () => {
    const episode = episodes.find((e) => e.id === 'ep9-weighted-rr')!;
    const step = episode.steps.find((s) => s.checks.some((c) => c.kind === 'order'))!;
    const order = step.checks.find((c) => c.kind === 'order')!;
    if (order.kind !== 'order') throw new Error('unreachable');
    const r = await runEpisode({ episode, runtime: new BuiltinRuntime(), driver: haproxyDriver, use: 'solution', steps: [step.id] });
    const seen = r.steps[0]!.experiments.find((e) => e.experiment.id === order.experiment)!.observations.map((o) => o.server);
    expect(seen.slice(0, order.sequence.length)).toEqual(order.sequence);
    // The rotation repeats: the whole experiment is the sequence over and over.
    expect(seen).toEqual(seen.map((_, i) => order.sequence[i % order.sequence.length]));
  }, 60_000);
});
