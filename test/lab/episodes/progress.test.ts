import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countDone, markStepDone, progressPath, readProgress, resetProgress, setCurrentStep } from '../../../lab/episodes/progress.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-progress-'));
  file = join(dir, 'haproxy-lab', 'progress.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('progress file', () => {
  it("lives in the user's config directory", () => {
    expect(progressPath({ XDG_CONFIG_HOME: '/c', HOME: '/h' })).toBe('/c/haproxy-lab/progress.json');
    expect(progressPath({ HOME: '/h' })).toBe('/h/.config/haproxy-lab/progress.json');
    expect(progressPath({ LAB_CONFIG_DIR: '/t', HOME: '/h' })).toBe('/t/progress.json');
  });

  it('starts empty, remembers finished steps and the open step across reads', () => {
    expect(readProgress(file).episodes).toEqual({});
    markStepDone('ep9', 'equal-turns', file, new Date('2026-01-02T03:04:05Z'));
    markStepDone('ep9', 'add-weights', file);
    setCurrentStep('ep9', 'data-and-logs', file);
    const p = readProgress(file);
    expect(p.episodes['ep9']!.steps['equal-turns']).toEqual({ doneAt: '2026-01-02T03:04:05.000Z' });
    expect(p.episodes['ep9']!.current).toBe('data-and-logs');
    expect(countDone(p, 'ep9', ['equal-turns', 'add-weights', 'data-and-logs'])).toBe(2);
  });

  it('resets one episode or everything', () => {
    markStepDone('a', 's', file);
    markStepDone('b', 's', file);
    expect(Object.keys(resetProgress('a', file).episodes)).toEqual(['b']);
    expect(Object.keys(readProgress(file).episodes)).toEqual(['b']);
    resetProgress(undefined, file);
    expect(readProgress(file).episodes).toEqual({});
  });

  it('treats a corrupt or foreign file as no progress and overwrites it on the next save', () => {
    markStepDone('a', 's', file);
    writeFileSync(file, '{not json');
    expect(readProgress(file).episodes).toEqual({});
    markStepDone('a', 't', file);
    expect(JSON.parse(readFileSync(file, 'utf8')).episodes.a.steps.t.doneAt).toBeTypeOf('string');
  });
});
