// The page's number and duration formats, as HAProxy's ulltoh_r() and human_time() write them.
import { describe, expect, it } from 'vitest';
import { humanTime, u2h } from '../../../proxy/stats/html-rows.ts';

describe('the stats page formats', () => {
  it('marks the first digit of each group of three', () => {
    expect(u2h(0)).toBe('0');
    expect(u2h(999)).toBe('999');
    expect(u2h(9990)).toBe('<span class="rls">9</span>990');
    expect(u2h(1234567)).toBe('<span class="rls">1</span>23<span class="rls">4</span>567');
  });

  it('writes durations with their two largest units', () => {
    expect(humanTime(0)).toBe('0s');
    expect(humanTime(59)).toBe('59s');
    expect(humanTime(60)).toBe('1m');
    expect(humanTime(3725)).toBe('1h2m');
    expect(humanTime(90061)).toBe('1d1h');
    expect(humanTime(86400 + 61)).toBe('1d1m');
    expect(humanTime(-1)).toBe('?');
  });
});
