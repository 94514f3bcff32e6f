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

function onSignal(sig: NodeJS.Signals): void {
  // Another handler (e.g. `lab up`) cleans up itself and exits; the 'exit' event then runs what is left.
  if (process.listenerCount(sig) > 1) return;
  // Nobody else handles it: clean up and die of the signal as Node would have without us.
  runAll();
  process.removeListener(sig, onSignal);
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
