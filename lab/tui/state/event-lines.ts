// How each engine event kind shows in the log pane. A Record over every kind: a new kind without a view does not
// compile. Request-level kinds return null here because the traffic view and the explain view show them.
import type { EngineEvent, EventKind, EventOf } from '../../../proxy/index.ts';
import { formatDiagnostic } from '../../../proxy/index.ts';
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
  // The engine logs HAProxy's own sentence for a state change as a 'log' event (as `lab proxy` prints it and
  // HAProxy does); showing the event too would say it twice.
  'server-state': () => null,
  // Per-check lines exist only with `option log-health-checks`, and then the engine logs them as HAProxy words
  // them ('log' events); the check events feed the table's check column.
  check: () => null,
  log: (e) => ({ text: e.line, tone: logTone(e.line) }),
  diagnostic: (e) => ({ text: formatDiagnostic(e.diagnostic), tone: e.diagnostic.severity === 'alert' ? 'bad' : 'warn' }),
  reloaded: (e) =>
    e.ok
      ? { text: `Configuration reloaded (generation ${e.generation}).`, tone: 'ok' }
      : // The status line and the config pane say it (with the learner's line); the diagnostics print above.
        null,
} satisfies Renderers;

// State changes read at a glance: a server or backend going down in red, coming back in green.
function logTone(line: string): Tone {
  if (/ is DOWN\b| has no server available| is going DOWN/.test(line)) return 'bad';
  if (/^(\[\w+\] )?Server \S+ is UP\b/.test(line) || / is UP, reason/.test(line)) return 'ok';
  return 'plain';
}

// The log line for one event, through the per-kind table.
export function eventLine(e: EngineEvent): EventLine | null {
  const render = eventLines[e.kind] as (x: EngineEvent) => EventLine | null;
  return render(e);
}
