// Runs a step's config on the lab's own engine (proxy/), listening on the mapped ports, events feeding attribution.
import { basename } from 'node:path';
import { createEngine, EventBus, formatDiagnostic, loadConfig, type Diagnostic, type EngineOptions, type LoadResult } from '../../proxy/index.ts';
import type { Attributor } from './attribution.ts';
import type { StepMapping } from './mapping.ts';
import type { ConfigReport, ProxyDriver, ProxyRun } from './proxy-driver.ts';

// One diagnostic as HAProxy prints it, on one line, without the pid: "[ALERT] : config : parsing [haproxy.cfg:14] : ...".
export function formatForReport(d: Diagnostic): string {
  const shown = d.loc ? { ...d, loc: { ...d.loc, file: basename(d.loc.file) } } : d;
  // Some messages name their file inside the text too ("parsing [/abs/dir/haproxy.cfg:15]"): shown by its name.
  return formatDiagnostic(shown, 0)
    .replaceAll(d.loc?.file ?? '\0', basename(d.loc?.file ?? ''))
    .replace(/^\[(ALERT|WARNING|NOTICE)\]\s+\(0\) :/, '[$1] :')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

// Turns diagnostics into the report checks read.
export function reportOf(r: LoadResult): ConfigReport {
  return {
    ok: r.model !== null,
    alerts: r.diagnostics.filter((d) => d.severity === 'alert').map(formatForReport),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatForReport),
  };
}

// The engine options that put a config on the lab's addresses.
export function engineOptions(configPath: string, mapping: StepMapping, logs: string[], events: EventBus, onLog?: (line: string) => void): EngineOptions {
  return {
    source: { files: [configPath] },
    anyAddress: '127.0.0.1',
    mapBind: (bind) => mapping.bind(bind.port),
    mapServer: (server) => mapping.server(server.host, server.port),
    resolvers: false,
    logSink: (line) => {
      logs.push(line);
      onLog?.(line);
    },
    events,
  };
}

// The default driver: the lab's own engine, in process.
export const engineDriver: ProxyDriver = {
  name: 'engine',

  async check(configPath): Promise<ConfigReport> {
    return reportOf(loadConfig({ files: [configPath] }));
  },

  async start(configPath, mapping, who: Attributor): Promise<ProxyRun> {
    const events = new EventBus();
    const off = who.attach(events);
    const logs: string[] = [];
    const engine = createEngine(engineOptions(configPath, mapping, logs, events, (line) => who.noteLog(line)));
    try {
      await engine.start();
    } catch (e) {
      off();
      throw e;
    }
    return {
      logs: () => logs,
      stop: async () => {
        await engine.stop();
        off();
      },
    };
  },
};
