import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runReset } from '../../../lab/commands/reset.ts';
import { markStepDone, progressPath, readProgress } from '../../../lab/episodes/progress.ts';
import { ensureStepDir, keptFiles } from '../../../lab/episodes/kept-files.ts';
import { writeFileSync } from 'node:fs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'lab-reset-'));
  dirs.push(dir);
  const env = { LAB_CONFIG_DIR: dir };
  markStepDone('ep9-weighted-rr', 'equal-turns', progressPath(env));
  markStepDone('ep4-acl', 'static-path', progressPath(env));
  const output = new PassThrough();
  let said = '';
  output.on('data', (c: Buffer) => (said += c.toString()));
  return { env, output, said: () => said };
}

function tty(answer: string) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  input.isTTY = true;
  setTimeout(() => input.write(answer + '\n'), 20);
  return input;
}

describe('lab reset', () => {
  it('forgets everything after a yes', async () => {
    const { env, output, said } = setup();
    expect(await runReset(undefined, { env, output, input: tty('y') })).toBe(0);
    expect(readProgress(progressPath(env)).episodes).toEqual({});
    expect(said()).toContain('every episode: 2 finished step(s) and 0 kept file(s)');
  });

  it('keeps the progress when the answer is not yes', async () => {
    const { env, output } = setup();
    expect(await runReset(undefined, { env, output, input: tty('') })).toBe(1);
    expect(Object.keys(readProgress(progressPath(env)).episodes)).toHaveLength(2);
  });

  it('forgets one episode only when named', async () => {
    const { env, output } = setup();
    expect(await runReset('ep4-acl', { env, output, yes: true })).toBe(0);
    expect(Object.keys(readProgress(progressPath(env)).episodes)).toEqual(['ep9-weighted-rr']);
  });

  it('refuses to guess without a terminal to ask on', async () => {
    const { env, output } = setup();
    const input = new PassThrough();
    expect(await runReset(undefined, { env, output, input })).toBe(2);
    expect(Object.keys(readProgress(progressPath(env)).episodes)).toHaveLength(2);
  });

  it('lists and forgets one step’s kept files and progress, leaving the other steps', async () => {
    const { env, output, said } = setup();
    markStepDone('ep9-weighted-rr', 'add-weights', progressPath(env));
    writeFileSync(join(ensureStepDir('ep9-weighted-rr', 'add-weights', env), 'equal.cfg'), 'mine\n');
    writeFileSync(join(ensureStepDir('ep9-weighted-rr', 'equal-turns', env), 'equal.cfg'), 'also mine\n');
    expect(await runReset('ep9-weighted-rr', { env, output, yes: true, step: 'add-weights' })).toBe(0);
    expect(said()).toContain('ep9-weighted-rr/add-weights/equal.cfg');
    expect(said()).toContain('step add-weights of ep9-weighted-rr: 1 finished step(s) and 1 kept file(s)');
    expect(Object.keys(readProgress(progressPath(env)).episodes['ep9-weighted-rr']!.steps)).toEqual(['equal-turns']);
    expect(keptFiles('ep9-weighted-rr', undefined, env).map((f) => f.step)).toEqual(['equal-turns']);
  });

  it('refuses --step without an episode', async () => {
    const { env, output } = setup();
    expect(await runReset(undefined, { env, output, yes: true, step: 'add-weights' })).toBe(2);
  });
});
