// Sends one playground request through one side (the engine or real haproxy) and gathers its answer: what the
// client received, the log lines written for it, and who answered.
import { send } from '../traffic/client.ts';
import { resolveTarget } from '../traffic/port-map.ts';
import type { RequestSpec } from '../traffic/request-spec.ts';
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
