// Where the engine's answer and real HAProxy's differ: status, who answered, body, the headers that matter, and
// the log line's fields. Values that differ on every run (dates, client ports, timers) are left out.
import { logFields, type LogFields, type PlayAnswer } from './answer.ts';

export interface Difference {
  /** "status", "server", "body", "header content-type", "log termination"... */
  readonly field: string;
  readonly engine: string;
  readonly haproxy: string;
}

/** Response headers that say nothing about the proxy's decisions. */
const IGNORED_HEADERS = new Set(['date']);

// The body with what changes per connection masked: the source port a stand-in saw.
export function normalBody(body: string): string {
  return body.replace(/^(client: \S+ port )\d+$/m, '$1N');
}

function headerMap(a: PlayAnswer): Map<string, string> {
  const m = new Map<string, string>();
  for (const [n, v] of a.headers) {
    const k = n.toLowerCase();
    if (IGNORED_HEADERS.has(k)) continue;
    m.set(k, m.has(k) ? `${m.get(k)}, ${v}` : v);
  }
  return m;
}

// Every difference between the two answers to one request.
export function compareAnswers(engine: PlayAnswer, haproxy: PlayAnswer): Difference[] {
  const out: Difference[] = [];
  const add = (field: string, e: string, h: string): void => {
    if (e !== h) out.push({ field, engine: e, haproxy: h });
  };
  add('status', engine.status === 0 ? `no answer (${engine.error ?? ''})` : String(engine.status), haproxy.status === 0 ? `no answer (${haproxy.error ?? ''})` : String(haproxy.status));
  // who answered is comparable when both sides learnt it the same way (a log line on one side only proves nothing)
  const said = (f: PlayAnswer['serverFrom']): boolean => f === 'engine' || f === 'log';
  const same = engine.serverFrom === haproxy.serverFrom || (said(engine.serverFrom) && said(haproxy.serverFrom)) || engine.serverFrom === 'stand-in' || haproxy.serverFrom === 'stand-in';
  if (same) add('server', engine.server, haproxy.server);
  add('body', normalBody(engine.body), normalBody(haproxy.body));
  const he = headerMap(engine);
  const hh = headerMap(haproxy);
  for (const name of [...new Set([...he.keys(), ...hh.keys()])].sort()) add(`header ${name}`, he.get(name) ?? '(absent)', hh.get(name) ?? '(absent)');
  const le = engine.logs.map(logFields).find((f): f is LogFields => f !== null);
  const lh = haproxy.logs.map(logFields).find((f): f is LogFields => f !== null);
  if (le && lh) {
    for (const k of ['frontend', 'backend', 'server', 'status', 'bytes', 'termination', 'request'] as const) add(`log ${k}`, le[k] ?? '', lh[k] ?? '');
  } else if (lh && !le) {
    add('log line', '(none)', haproxy.logs[0] ?? '');
  }
  return out;
}
