// Parity runs: the same raw requests, in order, through real HAProxy and then through the engine on one config;
// for each case, what the client received and the traffic log lines that appeared meanwhile, both normalised.
import { expect, it } from 'vitest';
import { startEngine } from './engine.ts';
import { startHaproxy } from './haproxy.ts';
import { exchange, normalize, normalizeLog, settle, TRAFFIC_LINE } from './raw-http.ts';

export interface RawCase {
  readonly name: string;
  /** Raw bytes the client sends. */
  readonly send: string;
  /** Which of the config's reserved ports ({{portN}}) to send to; default 0. */
  readonly port?: number;
  /** How long the client waits in silence before it hangs up; see exchange(). */
  readonly quietMs?: number;
  /** The client's source address (any 127.x); default 127.0.0.1. */
  readonly from?: string;
}

export interface Seen {
  readonly bytes: string;
  readonly logs: string[];
}

async function play(proxy: { ports: readonly number[]; logs: string[] }, cases: readonly RawCase[]): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  for (const c of cases) {
    const before = proxy.logs.length;
    const bytes = normalize(await exchange(proxy.ports[c.port ?? 0]!, c.send, c.quietMs, false, c.from));
    await settle();
    seen.set(c.name, { bytes, logs: proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog) });
  }
  return seen;
}

/** Plays the cases through haproxy (expected) and then the engine (got), each started on `config` with `ports`. */
export async function playThroughBoth(config: string, cases: readonly RawCase[], ports = 1): Promise<{ expected: Map<string, Seen>; got: Map<string, Seen> }> {
  const real = await startHaproxy(config, { ports });
  let expected: Map<string, Seen>;
  try {
    expected = await play(real, cases);
  } finally {
    await real.stop();
  }
  const ours = await startEngine(config, { ports });
  try {
    return { expected, got: await play(ours, cases) };
  } finally {
    await ours.stop();
  }
}

/** One test per case: the engine sent the client the same bytes and logged the same lines as haproxy. */
export function eachCaseAsHaproxy(cases: readonly RawCase[], seen: () => { expected: Map<string, Seen>; got: Map<string, Seen> }): void {
  for (const c of cases) {
    it(c.name, () => {
      const { expected, got } = seen();
      expect(got.get(c.name)?.bytes).toBe(expected.get(c.name)?.bytes);
      expect(got.get(c.name)?.logs).toEqual(expected.get(c.name)?.logs);
    });
  }
}
