import { describe, expect, it } from 'vitest';
import { checkInterval, initialHealth, stepHealth, transitionFor } from '../../../../proxy/server/health/state.ts';
import type { CheckResultKind } from '../../../../proxy/server/health/status.ts';

// Runs a sequence of results from a starting health and reports where the server ends up and when it crossed.
function run(start: number, rise: number, fall: number, startOp: 'up' | 'down', results: CheckResultKind[]) {
  let health = start;
  let op: 'up' | 'down' = startOp;
  const crossings: { at: number; to: 'up' | 'down' }[] = [];
  results.forEach((r, i) => {
    health = stepHealth(health, rise, fall, r).health;
    const t = transitionFor({ op, admin: 'ready' }, health, rise, r);
    if (t) {
      op = t;
      crossings.push({ at: i + 1, to: t });
    }
  });
  return { health, op, crossings };
}

describe('health counter', () => {
  it('starts at rise, so one failed check takes a freshly started server DOWN (as haproxy 2.6 does)', () => {
    const start = initialHealth({ rise: 2 });
    const r = run(start, 2, 3, 'up', ['failed']);
    expect(r.crossings).toEqual([{ at: 1, to: 'down' }]);
    expect(r.health).toBe(0);
  });

  it.each([
    [2, 3],
    [1, 1],
    [3, 5],
    [5, 2],
  ])('from full health (rise %i, fall %i) goes DOWN exactly on the fall-th consecutive failure', (rise, fall) => {
    const r = run(rise + fall - 1, rise, fall, 'up', Array<CheckResultKind>(fall + 2).fill('failed'));
    expect(r.crossings).toEqual([{ at: fall, to: 'down' }]);
  });

  it.each([
    [2, 3],
    [1, 1],
    [4, 2],
  ])('from 0 (rise %i, fall %i) comes UP exactly on the rise-th consecutive success and jumps to full health', (rise, fall) => {
    const r = run(0, rise, fall, 'down', Array<CheckResultKind>(rise + 1).fill('passed'));
    expect(r.crossings).toEqual([{ at: rise, to: 'up' }]);
    expect(r.health).toBe(rise + fall - 1);
  });

  it('forgives failures that do not run to fall: a success in between restores full health', () => {
    const r = run(4, 2, 3, 'up', ['failed', 'failed', 'passed', 'failed', 'failed', 'passed']);
    expect(r.crossings).toEqual([]);
    expect(r.health).toBe(4);
  });

  it('counts a failure for chkfail only while health is above 0', () => {
    expect(stepHealth(1, 2, 3, 'failed')).toEqual({ health: 0, countedFailure: true });
    expect(stepHealth(0, 2, 3, 'failed')).toEqual({ health: 0, countedFailure: false });
  });

  it('leaves a server in maintenance alone whatever the check says', () => {
    expect(transitionFor({ op: 'up', admin: 'maint' }, 0, 2, 'failed')).toBeNull();
    expect(transitionFor({ op: 'down', admin: 'maint' }, 4, 2, 'passed')).toBeNull();
  });

  it('does not count neutral results', () => {
    expect(stepHealth(3, 2, 3, 'unknown')).toEqual({ health: 3, countedFailure: false });
  });
});

describe('check interval', () => {
  const spec = { inter: 2000, fastinter: 500, downinter: 5000, rise: 2, fall: 3 };
  it('uses inter at full health, fastinter while moving, downinter when fully down', () => {
    expect(checkInterval(spec, 4, false)).toBe(2000);
    expect(checkInterval(spec, 3, false)).toBe(500);
    expect(checkInterval(spec, 1, true)).toBe(500);
    expect(checkInterval(spec, 0, true)).toBe(5000);
  });
  it('falls back to inter when fastinter and downinter are not set', () => {
    const plain = { inter: 1500, rise: 2, fall: 3 };
    expect(checkInterval(plain, 2, false)).toBe(1500);
    expect(checkInterval(plain, 0, true)).toBe(1500);
  });
});
