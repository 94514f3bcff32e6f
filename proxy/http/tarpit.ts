// http-request tarpit: the request is held for `timeout tarpit` (the connect timeout when unset, read from the
// backend, which is the frontend until one is chosen), then answered; logged PT-- with the hold as Tw.
import type { Txn } from './exchange.ts';

/** Holds `t`, then gives `answer` unless `wanted` says the exchange is over (the client left meanwhile). */
export function tarpit(t: Txn, wanted: () => boolean, answer: () => void): void {
  t.termination = 'PT--';
  const px = t.backend?.spec ?? t.fe.spec;
  const hold = px.timeouts.tarpit ?? px.timeouts.connect ?? 0;
  const held = Date.now();
  t.tarpitTimer = setTimeout(() => {
    t.tarpitTimer = null;
    if (!wanted()) return;
    t.tarpitHeld = Date.now() - held;
    answer();
  }, hold);
}
