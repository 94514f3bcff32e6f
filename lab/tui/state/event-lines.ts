// How each engine event kind shows in the log pane. A Record over every kind: a new kind without a view does not
// compile. Request-level kinds return null here because the traffic view and the explain view show them.
import type { EngineEvent, EventKind, EventOf } from '../../../proxy/events.ts';
import { formatDiagnostic } from '../../../proxy/config/diagnostics.ts';
import type { Tone } from './log.ts';

export interface EventLine {
  readonly text: string;
  readonly tone: Tone;
}

type Renderers = { readonly [K in EventKind]: (e: EventOf<K>) => EventLine | null };

export const eventLines = {
  listening: (e) => ({ text: `Proxy ${e.frontend} listening on ${e.address}:${e.port} (${e.mode})`, tone: 'dim' }),
  // Shown by the sequence line and the explain view; the 'log' event carries HAProxy's line for it.
  request: () => null,
  acl: () => null,
  route: () => null,
  balance: () => null,
  response: () => null,
  'server-state': (e) => ({ text: e.message, tone: e.to === 'up' || e.to === 'ready' ? 'ok' : 'bad' }),
  // Steady passing checks are noise; failures and checks on the way back up are what the learner watches.
  check: (e) =>
    e.ok && e.health >= e.rise + e.fall - 1
      ? null
      : {
          text: `Health check for server ${e.backend}/${e.server} ${e.ok ? 'succeeded' : 'failed'}, reason: ${e.desc}, check duration: ${e.durationMs}ms, status: ${
            e.health >= e.rise ? `${e.health - e.rise + 1}/${e.fall} UP` : `${e.health}/${e.rise} DOWN`
          }.`,
          tone: e.ok ? 'ok' : 'warn',
        },
  log: (e) => ({ text: e.line, tone: 'plain' }),
  diagnostic: (e) => ({ text: formatDiagnostic(e.diagnostic), tone: e.diagnostic.severity === 'alert' ? 'bad' : 'warn' }),
  reloaded: (e) =>
    e.ok
      ? { text: `Configuration reloaded (generation ${e.generation}).`, tone: 'ok' }
      : // The status line and the config pane say it (with the learner's line); the diagnostics print above.
        null,
} satisfies Renderers;

// The log line for one event, through the per-kind table.
export function eventLine(e: EngineEvent): EventLine | null {
  const render = eventLines[e.kind] as (x: EngineEvent) => EventLine | null;
  return render(e);
}
