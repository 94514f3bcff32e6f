// `haproxy -c` against our loader on one config: both sides' diagnostics as "parsing [file:line] : message"
// lines (HAProxy's start-up notices and summary lines dropped), and whether each accepted the config.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic } from '../../proxy/config/diagnostics.ts';
import { loadConfig } from '../../proxy/load-config.ts';

export interface CheckLines {
  readonly alerts: string[];
  readonly warnings: string[];
  readonly accepted: boolean;
}

const PREFIX = /^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\) : (?:config : )?/;
const SUMMARY = /^(Error\(s\) found in configuration file|Fatal errors found in configuration|Warnings were found)/;

/** Runs `haproxy -c` and our loader on `text` (written to a temp file named case.cfg, removed after). */
export function checkBoth(text: string): { haproxy: CheckLines; engine: CheckLines } {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-check-'));
  try {
    const file = join(dir, 'case.cfg');
    writeFileSync(file, text);
    const real = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    const theirs: CheckLines = { alerts: [], warnings: [], accepted: real.status === 0 };
    for (const raw of (real.stderr + real.stdout).split('\n')) {
      const m = PREFIX.exec(raw);
      if (!m || m[1] === 'NOTICE') continue;
      const line = raw.slice(m[0].length).replaceAll(file, 'case.cfg');
      if (!SUMMARY.test(line)) (m[1] === 'ALERT' ? theirs.alerts : theirs.warnings).push(line);
    }
    const ds = loadConfig({ files: [file] }).diagnostics;
    const lines = (sev: string) => ds.filter((d) => d.severity === sev).map((d) => formatDiagnostic(d, 0).replace(PREFIX, '').replaceAll(file, 'case.cfg'));
    const ours: CheckLines = { alerts: lines('alert'), warnings: lines('warning'), accepted: !ds.some((d) => d.severity === 'alert') };
    return { haproxy: theirs, engine: ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
