// The learner's files are kept per step in the progress directory: restored on reopen, the passing copy kept
// apart, live weights written in on request, and reset to the step's start. Uses a temp dir as LAB_CONFIG_DIR.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadEpisode } from '../../../../lab/episodes/loader.ts';
import { keptFiles, resetKept, stepDir } from '../../../../lab/episodes/kept-files.ts';
import { BuiltinRuntime } from '../../../../lab/runtimes/builtin.ts';
import { openStepSession, type StepSession } from '../../../../lab/tui/session/step-session.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-kept-'));
const env = { LAB_CONFIG_DIR: dir };
const episode = loadEpisode('ep9-weighted-rr');
const runtime = new BuiltinRuntime();
const open: StepSession[] = [];

async function openStep(): Promise<StepSession> {
  const s = await openStepSession(episode, 1, { runtime, publishPorts: false, workDir: stepDir(episode.id, 'add-weights', env) });
  open.push(s);
  return s;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
afterAll(async () => {
  await runtime.dispose?.();
  rmSync(dir, { recursive: true, force: true });
});

const weighted = (text: string, w: [number, number, number]): string =>
  text
    .replace('server server1 app1:5001 check', `server server1 app1:5001 weight ${w[0]} check`)
    .replace('server server2 app2:5002 check', `server server2 app2:5002 weight ${w[1]} check`)
    .replace('server server3 app3:5003 check', `server server3 app3:5003 weight ${w[2]} check`);

describe('the learner’s kept files', () => {
  it('brings back the learner’s edit when the step is opened again, and lists it', async () => {
    const first = await openStep();
    expect(first.configPath).toBe(join(stepDir(episode.id, 'add-weights', env), 'equal.cfg'));
    const start = first.readConfigFile()!;
    first.writeConfigFile(weighted(start, [5, 1, 1]));
    expect((await first.reload()).ok).toBe(true);
    await first.close();
    // The kept file outlives the session.
    expect(existsSync(first.configPath!)).toBe(true);
    const again = await openStep();
    expect(again.configText()).toContain('server server1 app1:5001 weight 5 check');
    expect(again.rows().map((r) => r.weight)).toEqual([5, 1, 1]);
    expect(keptFiles(episode.id, undefined, env).map((f) => [f.step, f.name, f.passed])).toEqual([['add-weights', 'equal.cfg', null]]);
  });

  it('keeps the config that passed apart, and a wrong one does not replace it', async () => {
    const s = await openStep();
    s.writeConfigFile(weighted(s.startingConfig!, [2, 1, 3]));
    const pass = await s.runChecks();
    expect(pass.every((r) => r.ok)).toBe(true);
    const passed = keptFiles(episode.id, 'add-weights', env)[0]!.passed!;
    expect(readFileSync(passed, 'utf8')).toContain('weight 3 check');
    s.writeConfigFile(weighted(s.startingConfig!, [3, 2, 1]));
    const fail = await s.runChecks();
    expect(fail.some((r) => !r.ok)).toBe(true);
    expect(readFileSync(passed, 'utf8')).toContain('server server3 app3:5003 weight 3 check');
  });

  it('opens a step whose kept file is refused on the starting config, with the learner’s errors shown', async () => {
    const s = await openStep();
    s.writeConfigFile(s.startingConfig!.replace('server server1 app1:5001 check', 'server server1 app1:5001 wieght 2 check'));
    await s.close();
    open.length = 0;
    const again = await openStep();
    expect(again.configText()).toBe(again.startingConfig);
    expect(again.readConfigFile()).toContain('wieght 2');
    expect(again.lastErrors()[0]?.message).toContain('wieght');
  });

  it('names live weights the file does not have and writes them into the file on request', async () => {
    const s = await openStep();
    await s.resetStep();
    await s.reload();
    expect(s.liveChanges()).toEqual([]);
    s.setWeight('servers/server3', 4);
    expect(s.liveChanges()).toEqual(['server3 weight 4, the file says 1']);
    expect(s.writeLiveWeights()).toContain('weight 4 on server3');
    expect(s.readConfigFile()).toContain('server server3 app3:5003 weight 4 check');
    expect((await s.reload()).ok).toBe(true);
    expect(s.liveChanges()).toEqual([]);
    expect(s.rows()[2]!.weight).toBe(4);
  });

  it('resets one step to its starting config and forgets its passing copy', async () => {
    const s = await openStep();
    s.writeConfigFile(weighted(s.startingConfig!, [2, 1, 3]));
    expect((await s.runChecks()).every((r) => r.ok)).toBe(true);
    await s.resetStep();
    expect(s.readConfigFile()).toBe(s.startingConfig);
    expect(keptFiles(episode.id, 'add-weights', env)[0]!.passed).toBeNull();
    await s.close();
    expect(resetKept(episode.id, 'add-weights', env)).toBe(1);
    expect(keptFiles(episode.id, undefined, env)).toEqual([]);
  });

  it('refuses ids that would climb out of the kept-files directory', () => {
    expect(() => stepDir('../x', 'a', env)).toThrow(/cannot name a directory/);
    expect(() => stepDir('ep', '..', env)).toThrow(/cannot name a directory/);
  });
});

describe('setServerWeight', async () => {
  const { setServerWeight } = await import('../../../../lab/tui/state/config-edit.ts');
  it('replaces an existing weight, adds a missing one after the address, and keeps comments', () => {
    const text = 'backend b\n    server s1 a:1 weight 2 check\n    server s2 a:2 check # small box\n';
    expect(setServerWeight(text, 2, 7)).toBe('backend b\n    server s1 a:1 weight 7 check\n    server s2 a:2 check # small box\n');
    expect(setServerWeight(text, 3, 4)).toBe('backend b\n    server s1 a:1 weight 2 check\n    server s2 a:2 weight 4 check # small box\n');
    expect(() => setServerWeight(text, 1, 3)).toThrow(/line 1 is not a server line/);
  });
});
