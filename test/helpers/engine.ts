// Runs our engine on a config template exactly as test/helpers/haproxy.ts runs the real binary, so a parity
// test can send the same traffic through both.
import { createEngine, EventBus, type Engine } from '../../proxy/index.ts';
import { fillTemplate, freePort } from './haproxy.ts';

export interface EngineHandle {
  readonly engine: Engine;
  readonly port: number;
  readonly ports: readonly number[];
  readonly config: string;
  /** Traffic and server log lines, in order. */
  readonly logs: string[];
  stop(): Promise<void>;
}

// Starts the engine on the config (with {{port}}/{{portN}} filled) on free loopback ports.
export async function startEngine(
  cfgText: string,
  /** configLogs: send log lines to the config's own targets (sockets the test opened) instead of collecting them */
  opts: { ports?: number; events?: EventBus; healthChecks?: boolean; configLogs?: boolean } = {},
): Promise<EngineHandle> {
  const ports: number[] = [];
  while (ports.length < (opts.ports ?? 1)) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const config = fillTemplate(cfgText, ports, '/nonexistent.sock');
  const logs: string[] = [];
  const engine = createEngine({
    source: { text: config, name: 'haproxy.cfg' },
    ...(opts.configLogs ? {} : { logSink: (line: string) => logs.push(line) }),
    events: opts.events,
    healthChecks: opts.healthChecks,
  });
  await engine.start();
  return { engine, port: ports[0]!, ports, config, logs, stop: () => engine.stop() };
}

// Replaces {{srv:NAME}} with the port of the named backend server.
export function fillServers(text: string, servers: readonly { name: string; port: number }[]): string {
  return text.replace(/\{\{srv:([\w-]+)\}\}/g, (whole, name: string) => {
    const s = servers.find((x) => x.name === name);
    if (!s) throw new Error(`fillServers: no named backend '${name}' for ${whole}`);
    return String(s.port);
  });
}
