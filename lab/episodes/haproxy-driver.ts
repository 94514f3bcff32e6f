// Runs a step's config on the real haproxy binary (`haproxy -f FILE -db`), addresses rewritten to the lab's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Attributor } from './attribution.ts';
import type { StepMapping } from './mapping.ts';
import type { ConfigReport, ProxyDriver, ProxyRun } from './proxy-driver.ts';

// True when a `haproxy` binary answers `haproxy -v` here.
export function haproxyAvailable(): boolean {
  return spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).status === 0;
}

// Groups haproxy's output into messages: a "[ALERT]"/"[WARNING]" line with its indented continuation lines.
export function splitHaproxyMessages(output: string): { alerts: string[]; warnings: string[] } {
  const alerts: string[] = [];
  const warnings: string[] = [];
  let current: { list: string[]; text: string } | null = null;
  const flush = (): void => {
    if (current) current.list.push(current.text);
    current = null;
  };
  for (const line of output.split('\n')) {
    if (/^\[(ALERT|WARNING)\]/.test(line)) {
      flush();
      current = { list: line.startsWith('[ALERT]') ? alerts : warnings, text: line.trimEnd() };
    } else if (current && /^\s+\S/.test(line)) {
      current.text += ' ' + line.trim();
    } else {
      flush();
    }
  }
  flush();
  // With `log stdout`, haproxy -c prints some messages twice; the pid differs per run and says nothing.
  const tidy = (list: string[]): string[] => [...new Set(list.map((m) => m.replace(/^(\[\w+\])\s+\(\d+\) :/, '$1 :')))];
  // The closing summaries repeat that there were errors; they are not errors of their own.
  const summary = /^\[ALERT\] : config : (Error\(s\) found in configuration file|Fatal errors found in configuration)/;
  return { alerts: tidy(alerts).filter((a) => !summary.test(a)), warnings: tidy(warnings) };
}

// Writes the rewritten config under its own file name (so messages say "haproxy.cfg:14") in a fresh temp dir.
function writeMapped(configPath: string, mapping: StepMapping): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-episode-'));
  const file = join(dir, basename(configPath));
  writeFileSync(file, mapping.rewrite(readFileSync(configPath, 'utf8')));
  return { dir, file };
}

// Whether something listens on 127.0.0.1:port, read from /proc so no probe connection reaches a tcp backend.
function listening(port: number): boolean {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]?.endsWith(hex)) return true;
    }
  }
  return false;
}

// The real binary, for parity: the same mapped config through `haproxy -f`.
export const haproxyDriver: ProxyDriver = {
  name: 'haproxy',

  async check(configPath, mapping): Promise<ConfigReport> {
    const { dir, file } = writeMapped(configPath, mapping);
    try {
      const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', cwd: dir });
      const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.replaceAll(dir + '/', '');
      const { alerts, warnings } = splitHaproxyMessages(out);
      return { ok: r.status === 0, alerts, warnings };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async start(configPath, mapping, who: Attributor): Promise<ProxyRun> {
    const { dir, file } = writeMapped(configPath, mapping);
    const logs: string[] = [];
    const child = spawn('haproxy', ['-f', file, '-db'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let exited: number | null | undefined;
    const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));
    const kill = (): void => {
      if (exited === undefined && child.pid !== undefined) child.kill('SIGKILL');
    };
    process.once('exit', kill);
    let partial = '';
    const collect = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        logs.push(line);
        who.noteLog(line);
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const stop = async (): Promise<void> => {
      if (exited === undefined && child.pid !== undefined) {
        child.kill('SIGTERM');
        const t = setTimeout(kill, 2000);
        await exit;
        clearTimeout(t);
      }
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 10_000;
    for (const port of mapping.listeners.values()) {
      while (!listening(port)) {
        if (exited !== undefined || Date.now() > deadline) {
          await stop();
          throw new Error(`haproxy did not listen on 127.0.0.1:${port}${exited !== undefined ? ` (exited with ${exited})` : ''}:\n${logs.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    return { logs: () => logs, stop };
  },
};
