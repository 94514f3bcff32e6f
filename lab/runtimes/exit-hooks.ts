// Synchronous cleanups that run when the lab exits, including on SIGINT/SIGTERM/SIGHUP.
const hooks = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const fn of [...hooks]) {
    hooks.delete(fn);
    try {
      fn();
    } catch {
      // A failing cleanup must not keep the others from running.
    }
  }
}

// Signal listeners that belong to signal-exit (v4 via execa, v3 via Ink). They only end the process when they see
// no other listener, so we must not count them as "someone else handles this signal", nor they us.
function signalExitListeners(): number {
  const v4 = (globalThis as Record<symbol, { count?: number } | undefined>)[Symbol.for('signal-exit emitter')];
  const v3 = (process as unknown as { __signal_exit_emitter__?: { count?: number } }).__signal_exit_emitter__;
  return (v4?.count ?? 0) + (v3?.count ?? 0);
}

function onSignal(sig: NodeJS.Signals): void {
  // Another handler (e.g. `lab up`) cleans up and exits itself; the 'exit' event then runs what is left.
  if (process.listenerCount(sig) - 1 - signalExitListeners() > 0) return;
  // Nobody else handles it: clean up, step aside, and die of the signal as Node would have without us
  // (signal-exit's listeners, seeing themselves alone, then end the process).
  runAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, sig);
}

// Registers fn to run once at exit; returns a function that unregisters it.
export function onLabExit(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
  hooks.add(fn);
  return () => hooks.delete(fn);
}
