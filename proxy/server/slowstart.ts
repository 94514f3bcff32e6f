// slowstart: a server coming UP (from a check or from maintenance) is STARTING for `slowstart` seconds, its weight
// and its maxconn ramping up as HAProxy 2.6 computes them (src/server.c server_recalc_eweight, src/queue.c
// srv_dynamic_maxconn, src/check.c server_throttle_rate). HAProxy counts in whole seconds of the clock
// (now.tv_sec against last_change), so the steps here fall on the same second boundaries.

/** BE_WEIGHT_SCALE: a dynamic algorithm's eweight is uweight * 16 at full throttle (lbprm.wdiv). */
const WDIV = 16;

/** The clock's current second, as HAProxy's now.tv_sec. */
export function clockSecond(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** Whether a server that started at `sinceSec` is still warming up at `nowSec`. */
export function warmingUp(slowstart: number, sinceSec: number, nowSec: number): boolean {
  return slowstart > 0 && nowSec >= sinceSec && nowSec < sinceSec + slowstart;
}

// The effective weight in user-weight units (eweight / 16): w = (16 * elapsed + slowstart) / slowstart sixteenths,
// so it starts at 1/16 and a static algorithm (no BE_LB_PROP_DYN) always gets the full weight.
export function warmupWeight(userWeight: number, slowstart: number, elapsedSec: number, dynamic: boolean): number {
  if (!dynamic) return userWeight;
  const w = Math.min(WDIV, Math.floor((WDIV * elapsedSec + slowstart) / slowstart));
  return (userWeight * w) / WDIV;
}

// srv_dynamic_maxconn() while STARTING: MAX(1, maxconn * ratio / 100) with ratio = 100 * elapsed / slowstart.
export function warmupMaxconn(maxconn: number, slowstart: number, elapsedSec: number): number {
  if (maxconn === 0) return 0;
  const ratio = Math.floor((100 * elapsedSec) / slowstart);
  return Math.max(1, Math.floor((maxconn * ratio) / 100));
}

// server_throttle_rate(): the "throttle" stats column, the effective weight as a percentage of the user weight,
// (100 * eweight + wdiv - 1) / (wdiv * uweight) in integers; 100 for a user weight of 0.
export function throttleRate(effectiveWeight: number, userWeight: number): number {
  if (userWeight === 0) return 100;
  return Math.floor((100 * effectiveWeight * WDIV + WDIV - 1) / (WDIV * userWeight));
}

// The weight column as stats.c prints it: (eweight * wmult + wdiv - 1) / wdiv, i.e. rounded up.
export function statsWeight(effectiveWeight: number): number {
  return Math.ceil(effectiveWeight);
}
