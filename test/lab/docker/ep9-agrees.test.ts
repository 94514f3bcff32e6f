// EP 9's compose step's `agrees` check: the containerised HAProxy's order set against the engine's. The stack on a
// real engine (up, the curls through both, held across runs, down with nothing left) is ep9-hold.test.ts; `lab run`'s
// own run of it, taken down when the run ends, is in test/episodes/lab-run.test.ts.
import { describe, expect, it } from 'vitest';
import { evaluateCheck, type ExperimentRun, type StepObservations } from '../../../lab/episodes/checks.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import type { AgreesCheck } from '../../../lab/episodes/schema.ts';
import { Tally } from '../../../lab/traffic/tally.ts';

const episode = loadEpisode('ep9-weighted-rr');
const step = episode.steps.find((s) => s.id === 'compose-stack')!;

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
