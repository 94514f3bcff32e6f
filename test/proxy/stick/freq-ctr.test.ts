// HAProxy's period counters (src/freq_ctr.c) on a clock the test drives: the sliding window of the previous and
// current period, the rotation, and the flapping correction at very low rates.
import { describe, expect, it } from 'vitest';
import { newFreqCtr, readFreqCtr, updateFreqCtr } from '../../../proxy/stick/freq-ctr.ts';

const T0 = 1_700_000_000_000;

describe('freq_ctr over a 10 s period', () => {
  it('counts events of the current period as they come', () => {
    const c = newFreqCtr();
    for (let i = 0; i < 5; i++) updateFreqCtr(c, T0 + i * 100, 10_000, 1);
    expect(readFreqCtr(c, T0 + 500, 10_000)).toBe(5);
  });

  it('weights the previous period by the part of it still inside the window', () => {
    const c = newFreqCtr();
    for (let i = 0; i < 10; i++) updateFreqCtr(c, T0, 10_000, 1);
    // 2.5 s into the next period: 75% of the previous 10 are still in the window, plus the 2 new ones
    updateFreqCtr(c, T0 + 12_000, 10_000, 1);
    updateFreqCtr(c, T0 + 12_500, 10_000, 1);
    expect(readFreqCtr(c, T0 + 12_500, 10_000)).toBe(Math.floor((10 * 7_500 + 2 * 10_000) / 10_000));
  });

  it('forgets everything once two periods went by without an event', () => {
    const c = newFreqCtr();
    for (let i = 0; i < 10; i++) updateFreqCtr(c, T0, 10_000, 1);
    expect(readFreqCtr(c, T0 + 25_000, 10_000)).toBe(0);
    updateFreqCtr(c, T0 + 25_000, 10_000, 1);
    expect(c.prevCtr).toBe(0);
    expect(readFreqCtr(c, T0 + 25_000, 10_000)).toBe(1);
  });

  it('reads the last period, fading, when nothing happened in the current one', () => {
    const c = newFreqCtr();
    for (let i = 0; i < 8; i++) updateFreqCtr(c, T0, 10_000, 1);
    expect(readFreqCtr(c, T0 + 15_000, 10_000)).toBe(4);
  });

  it('does not flap at very low rates: a single past event reads 1 until it leaves', () => {
    const c = newFreqCtr();
    updateFreqCtr(c, T0, 10_000, 1);
    expect(readFreqCtr(c, T0 + 19_000, 10_000)).toBe(1);
    expect(readFreqCtr(c, T0 + 20_001, 10_000)).toBe(0);
  });
});
