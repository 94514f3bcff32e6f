// A ProxyDriver (lab/episodes) over the engine the TUI already runs: checking loads the learner's file, starting
// reloads the engine with it (fresh balancer state, as `lab run` starts fresh), and attribution comes from the
// engine's events. So the step's checks judge exactly the config on screen.
import { formatDiagnostic } from '../../../proxy/index.ts';
import { loadConfig } from '../../../proxy/index.ts';
import type { EventBus } from '../../../proxy/index.ts';
import type { Attributor } from '../../episodes/attribution.ts';
import type { ConfigReport, ProxyDriver, ProxyRun } from '../../episodes/proxy-driver.ts';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// The driver for one open step; `reload` applies a config text to the running engine.
export function liveDriver(events: EventBus, reload: (text: string) => Promise<{ ok: boolean }>): ProxyDriver {
  return {
    name: 'engine',
    async check(configPath): Promise<ConfigReport> {
      const result = loadConfig({ text: readFileSync(configPath, 'utf8'), name: basename(configPath) });
      return {
        ok: result.model !== null,
        alerts: result.diagnostics.filter((d) => d.severity === 'alert').map((d) => formatDiagnostic(d)),
        warnings: result.diagnostics.filter((d) => d.severity === 'warning').map((d) => formatDiagnostic(d)),
      };
    },
    async start(configPath, _mapping, who: Attributor): Promise<ProxyRun> {
      const r = await reload(readFileSync(configPath, 'utf8'));
      if (!r.ok) throw new Error(`the engine refused ${basename(configPath)}; the running config keeps serving`);
      const logs: string[] = [];
      const offWho = who.attach(events);
      const offLog = events.on('log', (e) => logs.push(e.line));
      return {
        logs: () => logs,
        async stop() {
          offWho();
          offLog();
        },
      };
    },
  };
}
