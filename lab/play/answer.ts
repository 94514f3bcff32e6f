// One answer as the playground shows and compares it: status, who answered (and how we know), the headers that
// matter, the body, and the proxy's log line for it.
import type { Observation } from '../traffic/client.ts';
import { selfName } from '../traffic/who.ts';
import { STAND_IN_HEADER } from './stand-in.ts';

export interface PlayAnswer {
  readonly status: number;
  readonly statusText: string;
  /** Who answered: a server's name, "<NOSRV>", or a label read from the body. */
  readonly server: string;
  /** How `server` is known: the stand-in named itself, the proxy's log line or event said so, or the body. */
  readonly serverFrom: 'stand-in' | 'log' | 'engine' | 'body' | 'none';
  /** Response headers in order, [name, value]. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  /** Traffic log lines written for this request. */
  readonly logs: readonly string[];
  readonly error?: string;
  readonly ms: number;
  /** The client's local port (who-answered lookups key on it). */
  readonly clientPort?: number;
}

/** Header names shown first in a response pane: what says who answered and what came back. */
export const HEADERS_FIRST = ['content-type', 'content-length', 'location', 'set-cookie', 'cache-control', 'server', STAND_IN_HEADER];

/** The parts of an httplog/tcplog line worth comparing (timers, dates and ports left out: they always differ). */
export interface LogFields {
  readonly frontend: string;
  readonly backend: string;
  readonly server: string;
  readonly status?: string;
  readonly bytes: string;
  readonly termination: string;
  readonly request?: string;
}

const HTTPLOG = /(?:^|\s)\S+:\d+ \[[^\]]+\] (\S+) ([^\s/]+)\/(\S+) -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ (-?\d+) \+?(\d+) \S+ \S+ (\S{4}) \S+ \S+(?: \{[^}]*\})* "([^"]*)"/;
const TCPLOG = /(?:^|\s)\S+:\d+ \[[^\]]+\] (\S+) ([^\s/]+)\/(\S+) -?\d+\/-?\d+\/\+?-?\d+ \+?(\d+) (\S{2}) \S+ \S+$/;

// Reads an httplog or tcplog line; null for other lines (server state, custom log-format).
export function logFields(line: string): LogFields | null {
  const h = HTTPLOG.exec(line);
  if (h) return { frontend: h[1]!, backend: h[2]!, server: h[3]!, status: h[4]!, bytes: h[5]!, termination: h[6]!, request: h[7]! };
  const t = TCPLOG.exec(line);
  if (t) return { frontend: t[1]!, backend: t[2]!, server: t[3]!, bytes: t[4]!, termination: t[5]! };
  return null;
}

/** True for a log line about traffic (not a health check or a state change). */
export function isTrafficLog(line: string): boolean {
  return logFields(line) !== null;
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

// Builds an answer from what the client saw and the log lines; `engineServer` when the engine's events said who.
export function answerOf(o: Observation, logs: readonly string[], engineServer?: string): PlayAnswer {
  const headers = pairs(o.headers);
  const standIn = headers.find(([n]) => n.toLowerCase() === STAND_IN_HEADER)?.[1];
  const fromLog = logs.map(logFields).find((f) => f !== null);
  let server = '';
  let serverFrom: PlayAnswer['serverFrom'] = 'none';
  if (standIn) [server, serverFrom] = [standIn, 'stand-in'];
  else if (engineServer) [server, serverFrom] = [engineServer, 'engine'];
  else if (fromLog) [server, serverFrom] = [fromLog.server, 'log'];
  else if (o.status > 0) {
    const n = selfName(o.body);
    if (n) [server, serverFrom] = [n, 'body'];
  }
  return {
    status: o.status,
    statusText: o.statusText,
    server: server || (o.status === 0 ? 'no answer' : '?'),
    serverFrom,
    headers,
    body: o.body,
    logs,
    ...(o.error !== undefined ? { error: o.error } : {}),
    ms: o.ms,
    ...(o.localPort ? { clientPort: o.localPort } : {}),
  };
}

// The headers in the order a pane shows them: those that matter first, then the rest as received.
export function orderedHeaders(headers: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  const rank = (n: string): number => {
    const i = HEADERS_FIRST.indexOf(n.toLowerCase());
    return i < 0 ? HEADERS_FIRST.length : i;
  };
  return headers.map((h, i) => ({ h, i })).sort((a, b) => rank(a.h[0]) - rank(b.h[0]) || a.i - b.i).map((x) => x.h);
}
