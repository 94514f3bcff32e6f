import { describe, expect, it } from 'vitest';
import { checkResult, type Expectation } from './checks.ts';
import type { WrkResult } from './wrk.ts';

function wrk(counts: Record<string, number>, extra: Partial<WrkResult> = {}): WrkResult {
  const requests = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    requests,
    durationUs: 1_000_000,
    bytes: requests * 100,
    errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
    latencyUs: { p50: 100, p90: 200, p99: 300, mean: 120, max: 400 },
    counts,
    badSize: 0,
    ...extra,
  };
}

const weighted: Expectation = { who: 'weighted', tolerance: 0.03, byHeader: false, size: 0 };

describe('benchmark answer checks', () => {
  it('accepts answers split 2:1:3 between server1, server2 and server3', () => {
    const r = checkResult(wrk({ 'server1\n': 2000, 'server2\n': 1000, 'server3\n': 3000 }), weighted);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('fails a fast run whose answers ignore the weights', () => {
    const r = checkResult(wrk({ 'server1\n': 2000, 'server2\n': 2000, 'server3\n': 2000 }), weighted);
    expect(r.ok).toBe(false);
    expect(r.problems.join(' ')).toMatch(/server2 answered 33\.3% \(weight 1\/6 = 16\.7%/);
  });

  it('fails when a backend the load never matches answers (an ACL misroute)', () => {
    const r = checkResult(wrk({ 'server1\n': 2000, 'server2\n': 1000, 'server3\n': 3000, 'wrong-backend\n': 10 }), weighted);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/"wrong-backend\\n", which should not answer here/);
  });

  it('fails at 1% errors and passes just below', () => {
    const base = { 'server1\n': 2000, 'server2\n': 1000, 'server3\n': 3000 };
    const at = checkResult(wrk(base, { errors: { connect: 0, read: 0, write: 0, status: 60, timeout: 0 } }), weighted);
    expect(at.ok).toBe(false);
    const below = checkResult(wrk(base, { errors: { connect: 0, read: 0, write: 0, status: 59, timeout: 0 } }), weighted);
    expect(below.ok).toBe(true);
  });

  it('fails when a large body arrives with the wrong size', () => {
    const x: Expectation = { who: 'weighted', tolerance: 0.03, byHeader: true, size: 1 << 20 };
    const r = checkResult(wrk({ server1: 20, server2: 10, server3: 30 }, { badSize: 1 }), x);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain('1 bodies were not 1048576 bytes long');
  });

  it('expects only server1 when wrk goes straight to it', () => {
    const x: Expectation = { who: 'server1', tolerance: 0, byHeader: false, size: 0 };
    expect(checkResult(wrk({ 'server1\n': 5000 }), x).ok).toBe(true);
    expect(checkResult(wrk({ 'server1\n': 5000, 'server2\n': 1 }), x).ok).toBe(false);
  });

  it('fails a run with too few answers to prove anything', () => {
    expect(checkResult(wrk({ 'server1\n': 2, 'server2\n': 1, 'server3\n': 3 }), weighted).ok).toBe(false);
  });
});
