// HAProxy's period frequency counter (struct freq_ctr, src/freq_ctr.c): events of the current period plus the
// previous period's count weighted by how much of it still lies inside the sliding window. A rate read at 40% of a
// period is curr + prev × 60%; two periods without an event forget everything.

/** One counter; all three fields start at 0, as in a fresh stick-table entry (its tick too). */
export interface FreqCtr {
  currTick: number;
  currCtr: number;
  prevCtr: number;
}

export function newFreqCtr(): FreqCtr {
  return { currTick: 0, currCtr: 0, prevCtr: 0 };
}

// update_freq_ctr_period(): adds inc, rotating the window when the current period is over.
export function updateFreqCtr(ctr: FreqCtr, now: number, period: number, inc: number): number {
  if (now - ctr.currTick < period) {
    ctr.currCtr += inc;
    return ctr.currCtr;
  }
  ctr.prevCtr = ctr.currCtr;
  ctr.currCtr = inc;
  let tick = ctr.currTick + period;
  if (now - tick >= period) {
    // at least two periods went by without an event
    ctr.prevCtr = 0;
    tick = now;
  }
  ctr.currTick = tick;
  return inc;
}

// freq_ctr_total(ctr, period, -1) / period: read_freq_ctr_period(), an integer rate per period.
export function readFreqCtr(ctr: FreqCtr, now: number, period: number): number {
  if (period <= 0) return 0;
  let curr = ctr.currCtr;
  let past = ctr.prevCtr;
  let remain = ctr.currTick + period - now;
  if (remain < 0) {
    remain += period;
    past = remain >= 0 ? curr : 0;
    curr = 0;
  }
  // HAProxy's flapping correction at very low rates
  if (curr === 0 && past <= 1) return past;
  return Math.floor((past * remain + curr * period) / period);
}
