// Sends one playground request through one side (the engine or real haproxy) and gathers its answer: what the
// client received, the log lines written for it, and who answered.
import { send } from '../traffic/client.ts';
import { resolveTarget } from '../traffic/port-map.ts';
import { parseCurl, type RequestSpec } from '../traffic/request-spec.ts';
import { compareAnswers, type Difference } from './compare.ts';
import { answerOf, isTrafficLog, type PlayAnswer } from './answer.ts';

export interface Side {
  readonly name: 'engine' | 'haproxy';
  /** Document port → where this side listens. */
  readonly ports: Readonly<Record<string, number>>;
  logs(): readonly string[];
  /** The server the side itself says answered the connection from this client port. */
  serverOf?(clientPort: number): string | undefined;
  /** False once a request got no log line: the config logs nothing, so later ones do not wait for one. */
  logging?: boolean;
}

const LOG_WAIT_MS = 400;

// Sends the request and waits (briefly) for its traffic log line.
export async function sendThrough(side: Side, spec: RequestSpec, index = 0): Promise<PlayAnswer> {
  const target = resolveTarget(spec.url, { ports: side.ports });
  const before = side.logs().length;
  const o = await send(spec, target, { index, timeoutMs: 10_000 });
  const deadline = Date.now() + (side.logging === false ? 30 : LOG_WAIT_MS);
  const traffic = (): string[] => side.logs().slice(before).filter(isTrafficLog);
  while (traffic().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (side.logging !== false && traffic().length === 0) side.logging = false;
  return answerOf(o, traffic(), o.localPort ? side.serverOf?.(o.localPort) : undefined);
}

/** What one typed curl line produced on one side (and on real haproxy beside it): the last answers, counts. */
export interface LineResult {
  readonly sent: number;
  readonly failed: number;
  readonly engine: PlayAnswer;
  readonly haproxy?: PlayAnswer;
  readonly differences: readonly Difference[];
  /** Answers whose two sides differed, of those sent. */
  readonly differing: number;
}

// Sends a typed curl line, its -n times with -c at once, through `engine` (and `real` when comparing, one at a
// time then: both proxies must see the same order). Throws on a line that is not a curl command.
export async function sendLine(line: string, engine: Side, real: Side | null, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<LineResult> {
  const plan = parseCurl(line);
  let last: { engine: PlayAnswer; haproxy?: PlayAnswer; differences: Difference[] } | null = null;
  let sent = 0;
  let failed = 0;
  let differing = 0;
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < plan.repeat && !signal?.aborted) {
      const i = next++;
      const e = await sendThrough(engine, plan.spec, i);
      const r = real ? await sendThrough(real, plan.spec, i) : undefined;
      const differences = r ? compareAnswers(e, r) : [];
      sent++;
      if (e.status === 0) failed++;
      if (differences.length > 0) differing++;
      last = { engine: e, ...(r ? { haproxy: r } : {}), differences };
      onProgress?.(sent, plan.repeat);
    }
  };
  const workers = real ? 1 : Math.max(1, Math.min(plan.concurrency, plan.repeat));
  await Promise.all(Array.from({ length: workers }, () => one()));
  if (!last) throw new Error('no request was sent');
  const l = last as { engine: PlayAnswer; haproxy?: PlayAnswer; differences: Difference[] };
  return { sent, failed, engine: l.engine, ...(l.haproxy ? { haproxy: l.haproxy } : {}), differences: l.differences, differing };
}
