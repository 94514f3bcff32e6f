// The start-up scenario: how long a learner waits for `lab --help`, `lab proxy -c`, `lab curl` and the TUI's first
// frame, against `node -e 0` (what any Node program pays) and `haproxy -c` (for reference), whole processes timed
// by test/bench/startup-timer.py in interleaved rounds. Every run's answer is checked like the load's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './report.ts';

export type StartupId = 'node' | 'haproxy-check' | 'help' | 'check' | 'curl' | 'tui';

interface TimedRun {
  readonly id: StartupId;
  readonly round: number;
  /** To exit; for the TUI to its home screen (null when it never showed). */
  readonly wallMs: number | null;
  readonly firstFrameMs?: number | null;
  readonly exitCode: number;
  readonly userMs: number;
  readonly sysMs: number;
  readonly maxRssKiB: number;
  readonly output: string;
}

export interface StartupRow {
  readonly id: StartupId;
  readonly label: string;
  readonly command: string;
  readonly runs: number;
  /** Medians over the runs: wall time (the TUI: to its first frame), CPU time (user + sys), peak RSS. */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  /** The TUI only: to the home screen with the episodes listed. */
  readonly readyMs: number | null;
  /** Over `node -e 0`'s medians; null for node itself. */
  readonly wallRatio: number | null;
  readonly cpuRatio: number | null;
  /** The target as a multiple of `node -e 0` (null: a reference, no target). */
  readonly target: number | null;
  readonly met: boolean | null;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface StartupReport {
  readonly rounds: number;
  readonly rows: readonly StartupRow[];
}

interface Spec {
  readonly id: StartupId;
  readonly label: string;
  readonly argv: readonly string[];
  readonly target: number | null;
  readonly tty?: boolean;
  /** What a right run printed; the TUI's home screen. */
  readonly expect: RegExp;
  readonly env?: Record<string, string>;
}

// Runs the start-up rounds (plus one warm-up round, which also rebuilds a stale dist/) and checks each answer.
export function startupRun(o: { root: string; cfgPath: string; serverPort: number; rounds: number }): StartupReport {
  const state = mkdtempSync(join(tmpdir(), 'lab-bench-startup-'));
  const lab = join(o.root, 'bin/lab.js');
  const node = process.execPath;
  const specs: Spec[] = [
    { id: 'node', label: 'node -e 0', argv: [node, '-e', '0'], target: null, expect: /^$/ },
    { id: 'haproxy-check', label: 'haproxy -c -f haproxy.cfg', argv: ['haproxy', '-c', '-f', o.cfgPath], target: null, expect: /Configuration file is valid/ },
    { id: 'help', label: 'lab --help', argv: [node, lab, '--help'], target: 3, expect: /Usage: lab [\s\S]*curl \[options\]/ },
    { id: 'check', label: 'lab proxy -c -f haproxy.cfg', argv: [node, lab, 'proxy', '-c', '-f', o.cfgPath], target: 3, expect: /Configuration file is valid/ },
    { id: 'curl', label: 'lab curl -s http://127.0.0.1:PORT/ (nginx server1)', argv: [node, lab, 'curl', '--no-map', '-s', `http://127.0.0.1:${o.serverPort}/`], target: 3, expect: /^server1\n$/ },
    {
      id: 'tui',
      label: 'lab (the TUI): first frame',
      argv: [node, lab],
      target: 5,
      tty: true,
      expect: /▸ 1\. \S/,
      // its own progress and config dirs; CI=true is what CI exports (the lab must draw anyway)
      env: { LAB_CONFIG_DIR: join(state, 'config'), XDG_STATE_HOME: join(state, 'state'), TERM: 'xterm-256color', LANG: 'C.UTF-8' },
    },
  ];
  try {
    const input = {
      rounds: o.rounds + 1,
      commands: specs.map((s) => ({
        id: s.id,
        argv: s.argv,
        cwd: o.root,
        env: s.env ?? {},
        tty: s.tty ?? false,
        frame: 'Loading episodes|HAProxy Lab',
        ready: s.expect.source,
      })),
    };
    const r = spawnSync('python3', [join(o.root, 'test/bench/startup-timer.py')], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`startup-timer.py failed (exit ${r.status ?? r.signal}): ${r.error?.message ?? ''}${r.stderr}`);
    const runs = (JSON.parse(r.stdout) as TimedRun[]).filter((x) => x.round > 0);
    const rows = specs.map((s) => row(s, runs.filter((x) => x.id === s.id)));
    const base = rows.find((x) => x.id === 'node')!;
    return {
      rounds: o.rounds,
      rows: rows.map((x) => {
        if (x.id === 'node') return x;
        const wallRatio = x.wallMs / base.wallMs;
        return { ...x, wallRatio, cpuRatio: x.cpuMs / base.cpuMs, met: x.target === null ? null : wallRatio <= x.target };
      }),
    };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

function row(s: Spec, runs: readonly TimedRun[]): StartupRow {
  const problems: string[] = [];
  for (const x of runs) {
    const shown = x.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').slice(-300);
    if (x.exitCode !== 0) problems.push(`round ${x.round}: exit ${x.exitCode}: ${JSON.stringify(shown)}`);
    else if (s.tty ? x.wallMs === null : !s.expect.test(x.output)) problems.push(`round ${x.round}: did not print ${s.expect}: ${JSON.stringify(shown)}`);
  }
  const firstFrames = runs.map((x) => x.firstFrameMs ?? x.wallMs).filter((v): v is number => typeof v === 'number');
  const ready = runs.map((x) => x.wallMs).filter((v): v is number => typeof v === 'number');
  return {
    id: s.id,
    label: s.label,
    command: s.argv.join(' '),
    runs: runs.length,
    wallMs: firstFrames.length ? median(firstFrames) : NaN,
    cpuMs: median(runs.map((x) => x.userMs + x.sysMs)),
    maxRssMiB: median(runs.map((x) => x.maxRssKiB / 1024)),
    readyMs: s.tty && ready.length ? median(ready) : null,
    wallRatio: null,
    cpuRatio: null,
    target: s.target,
    met: null,
    ok: problems.length === 0 && runs.length > 0,
    problems: [...new Set(problems)].slice(0, 3),
  };
}
