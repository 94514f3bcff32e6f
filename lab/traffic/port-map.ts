// The documents' ports (localhost:80, :4000, :5000) and where the lab really listens; shared through a state
// file so `lab curl http://localhost/` reaches the episode the TUI or `lab run` has running.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onLabExit } from '../runtimes/exit-hooks.ts';

/** Port map files whose removal at exit is registered. */
const exitHookFor = new Set<string>();

/** Document port → lab port on 127.0.0.1, plus who answers there (for naming backends). */
export interface PortMap {
  readonly episode?: string;
  readonly step?: string;
  /** The process that owns the listeners; a map whose owner is gone is ignored. */
  readonly pid?: number;
  /** e.g. { "80": 38211, "4000": 38212 } */
  readonly ports: Readonly<Record<string, number>>;
  /** App names and the text their answers contain, e.g. [{ name: "app1", answers: "Flask App 1" }]. */
  readonly apps?: readonly { readonly name: string; readonly answers?: string }[];
  /** Port of the lab's who-answered service on 127.0.0.1 (who-service.ts), when the owner runs the engine. */
  readonly who?: number;
}

/** Where a URL really goes. */
export interface Target {
  readonly host: string;
  readonly port: number;
  /** What to send as Host: the URL's own authority, as curl would. */
  readonly hostHeader: string;
  /** Path and query. */
  readonly path: string;
  /** "localhost:80 → 127.0.0.1:38211" when the lab moved it, else undefined. */
  readonly mapped?: string;
}

// Directory for the lab's runtime state ($XDG_STATE_HOME/haproxy-lab, else ~/.local/state/haproxy-lab).
export function labStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(env.HOME ?? homedir(), '.local', 'state');
  return join(base, 'haproxy-lab');
}

// The state file holding the running episode's port map.
export function portMapPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(labStateDir(env), 'ports.json');
}

// Publishes the running episode's ports (atomically) for `lab curl`.
export function writePortMap(map: PortMap, env: NodeJS.ProcessEnv = process.env): void {
  const file = portMapPath(env);
  // However the lab ends (a signal, an error while the terminal is gone), a map it published does not outlive it:
  // the removal is synchronous and runs from the exit hooks, not only from an orderly close.
  if (!exitHookFor.has(file)) {
    exitHookFor.add(file);
    onLabExit(() => clearPortMap(env));
  }
  mkdirSync(labStateDir(env), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...map, pid: map.pid ?? process.pid }, null, 2) + '\n');
  renameSync(tmp, file);
}

// Removes the published map, only when this process (or `pid`) wrote it.
export function clearPortMap(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): void {
  const current = readPortMapFile(env);
  if (current && current.pid === pid) rmSync(portMapPath(env), { force: true });
}

// The published map when its owner still runs, else null.
export function readActivePortMap(env: NodeJS.ProcessEnv = process.env): PortMap | null {
  const map = readPortMapFile(env);
  if (!map) return null;
  if (map.pid !== undefined && !alive(map.pid)) return null;
  return map;
}

function readPortMapFile(env: NodeJS.ProcessEnv): PortMap | null {
  try {
    const raw = JSON.parse(readFileSync(portMapPath(env), 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object' || typeof (raw as PortMap).ports !== 'object') return null;
    return raw as PortMap;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Parses "80=38211,4000=38212" (the --map option) into a port table.
export function parsePortPairs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*(\d+)\s*[=:]\s*(\d+)\s*$/.exec(pair);
    if (!m) throw new Error(`--map: expected DOCPORT=LABPORT[,...] such as 80=38211, got "${pair}"`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** True for the names and addresses the lab may send traffic to: this machine's loopback only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// Where a URL goes after the lab's mapping; throws for hosts other than loopback.
export function resolveTarget(url: string, map?: PortMap | null): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`bad URL "${url}": expected e.g. http://localhost/`);
  }
  const host = u.hostname;
  if (!isLoopbackHost(host)) {
    throw new Error(`lab curl sends traffic only to this machine (localhost or 127.0.0.0/8), not to "${host}"`);
  }
  const port = u.port === '' ? 80 : Number(u.port);
  const path = (u.pathname || '/') + u.search;
  const hostHeader = u.host;
  const to = map?.ports[String(port)];
  const ip = host === 'localhost' ? '127.0.0.1' : host;
  if (to !== undefined) {
    return { host: '127.0.0.1', port: to, hostHeader, path, mapped: `${host}:${port} → 127.0.0.1:${to}` };
  }
  return { host: ip, port, hostHeader, path };
}
