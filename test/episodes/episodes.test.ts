// Every episode's checks tell right from wrong: the solution passes, the starting config and every listed wrong
// answer fail at least one check with a reason, and no check of an edit step is unable to fail; on our engine, and on
// real haproxy where it is installed.
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
    it(`${episode.id}: the solution passes every check, the start and every wrong answer fail one, with a reason`, async () => {
      const proof = await proveEpisode({ episode, runtime: new BuiltinRuntime(), driver, steps: steps.map((s) => s.id) });
      const problems = proof.checks.filter((p) => !p.ok).map((p) => `${p.step}: ${p.check.title}: ${p.problem}`);
      expect(problems).toEqual([]);
      const uncaught = proof.wrongs.filter((w) => !w.ok).map((w) => `${w.step}: ${w.name} passes every check`);
      expect(uncaught).toEqual([]);
      // Each failure says what was expected and what was seen.
      for (const w of proof.wrongs) for (const c of w.failed) expect(c.observed.length, `${w.name}: ${c.check.title}`).toBeGreaterThan(0);
      expect(proof.checks.length).toBe(steps.reduce((n, s) => n + s.checks.length, 0));
      // Edit steps ran on the start, on each wrong answer and on the solution.
      const edits = steps.filter((s) => s.solution);
      const wrongs = edits.reduce((n, s) => n + (s.wrong?.length ?? 0), 0);
      expect(proof.wrongs.length).toBe(edits.length + wrongs);
      expect(proof.runs.length).toBe(steps.length + edits.length + wrongs);
    }, 120_000);
  }
}

describe('episode checks on our engine', () => {
  proves(engineDriver);

  it('every edit step of EP 9, EP 4 and EP 2 lists at least three wrong answers', () => {
    for (const id of ['ep9-weighted-rr', 'ep4-acl', 'ep2-tcp-proxy']) {
      const edits = episodes.find((e) => e.id === id)!.steps.filter((s) => s.solution);
      expect(edits.length, id).toBeGreaterThan(0);
      for (const s of edits) expect(s.wrong?.length ?? 0, `${id}/${s.id}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('the TCP lesson catches mode http, and a second server line on the first instance, by who received', async () => {
    const episode = episodes.find((e) => e.id === 'ep2-tcp-proxy')!;
    const proof = await proveEpisode({ episode, runtime: new BuiltinRuntime(), driver: engineDriver, steps: ['scale-out'] });
    const caught = (name: string): string[] => proof.wrongs.find((w) => w.name === name)!.failed.map((c) => c.check.kind);
    expect(caught('scale-out.mode-http.cfg')).toEqual(['passthrough']);
    // The log names flask1 and flask2 in turn; only the receiving end shows one process got every connection.
    expect(caught('scale-out.same-instance.cfg')).toEqual(['instances']);
  }, 60_000);
});

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
