// Sends a request N times with at most C in flight (curl in a loop, or several at once).
import { send, type Observation } from './client.ts';
import type { RequestSpec } from './request-spec.ts';
import type { Target } from './port-map.ts';

export interface GenerateOptions {
  readonly repeat: number;
  readonly concurrency: number;
  readonly timeoutMs?: number;
  /** Stops sending new requests (those in flight finish or abort). */
  readonly signal?: AbortSignal;
  /** Called as each answer arrives (completion order). */
  readonly onResult?: (o: Observation) => void;
  /** Headers added to request number `index` (after the spec's own), e.g. a token that tells requests apart. */
  readonly extraHeaders?: (index: number) => readonly (readonly [string, string])[];
}

// Runs the requests and resolves with every observation, ordered by index (send order).
export async function generate(spec: RequestSpec, target: Target, opts: GenerateOptions): Promise<Observation[]> {
  const results: Observation[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.repeat && !opts.signal?.aborted) {
      const index = next++;
      const extra = opts.extraHeaders?.(index) ?? [];
      const o = await send(extra.length > 0 ? { ...spec, headers: [...spec.headers, ...extra] } : spec, target, {
        index,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      results.push(o);
      opts.onResult?.(o);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.repeat)) }, () => worker());
  await Promise.all(workers);
  return results.sort((a, b) => a.index - b.index);
}
