import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lab = resolve(import.meta.dirname, '../../../bin/lab.js');

describe('the TUI without a terminal', () => {
  it('says so and points to `lab run` instead of crashing', () => {
    const r = spawnSync(process.execPath, [lab], { encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
    expect(r.stderr).toContain('lab run EPISODE');
    expect(r.stdout).toBe('');
  });

  it('names the episode in the suggestion for `lab open`', () => {
    const r = spawnSync(process.execPath, [lab, 'open', 'ep9-weighted-rr'], { encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lab run ep9-weighted-rr');
  });
});
