// Starting the apps an episode needs, together: prepare, clean up leftovers, start all, dispose all.
import type { AppSpec, Runtime, RuntimeHandle } from './runtime.ts';

export interface AppGroup extends AsyncDisposable {
  readonly runtime: Runtime;
  readonly handles: readonly RuntimeHandle[];
  /** Stops and removes every app of the group. */
  dispose(): Promise<void>;
}

// Starts every spec on the runtime; when one fails the others are removed and the first error is thrown.
export async function startApps(
  runtime: Runtime,
  specs: readonly AppSpec[],
  progress: (line: string) => void = () => {},
): Promise<AppGroup> {
  const stale = (await runtime.cleanupStale?.()) ?? 0;
  if (stale > 0) progress(`removed ${stale} leftover(s) of an earlier lab that did not exit cleanly`);
  await runtime.prepare?.(
    specs.map((s) => s.app),
    progress,
  );
  const results = await Promise.allSettled(specs.map((s) => runtime.start(s)));
  const handles = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const dispose = async () => {
    await Promise.allSettled(handles.map((h) => h[Symbol.asyncDispose]()));
  };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  return { runtime, handles, dispose, [Symbol.asyncDispose]: dispose };
}
