// `npm run bench`: HAProxy 2.6, our engine and the direct ceiling on the same config, backends and load, in
// interleaved rounds; checks every answer (a fast wrong answer fails the run) and reports Markdown or JSON.
//   --quick        1 round of 2 s per scenario, no memory/listener runs (CI smoke test: correctness, not speed)
//   --json         print the JSON report on stdout instead of Markdown
//   --out FILE     also write the Markdown report to FILE
//   --rounds N  --seconds S   override the rounds and their length
//   --profile      profile the engine (node --cpu-prof) in each scenario and rank self time
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig, type BenchPorts } from './bench-config.ts';
import { checkResult, errorCount } from './checks.ts';
import { CONTESTANTS, launch, type ContestantId, type Running } from './contestants.ts';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.ts';
import { BIG_SIZE, startBackends, type Backends } from './nginx-backends.ts';
import { cpuSeconds, cpuTimes, freePort, rssBytes, sleep } from './procs.ts';
import { markdown, median, type Aggregate, type BenchReport, type ListenerReport, type MemoryReport, type Ratio, type RoundResult } from './report.ts';
import { SCENARIOS, throughput, type Scenario, type ScenarioId } from './scenarios.ts';
import { sampleProblems } from './sample-check.ts';
import { startupRun, type StartupReport } from './startup.ts';
import { runWrk } from './wrk.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN: readonly ContestantId[] = ['haproxy', 'engine', 'direct'];
const LISTENERS: readonly ContestantId[] = ['engine-none', 'engine-all', 'engine-tui'];
const MEMORY_SECONDS = 60;
/** Issue 16: the engine's peak RSS under each scenario. */
const RSS_TARGET_MIB = 60;

interface Options {
  quick: boolean;
  json: boolean;
  out: string | null;
  rounds: number;
  seconds: number;
  warmup: number;
  profile: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { quick: false, json: false, out: null, rounds: 3, seconds: 8, warmup: 2, profile: false };
  let rounds: number | null = null;
  let seconds: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} expects a value`);
      return v!;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--out') o.out = value();
    else if (a === '--rounds') rounds = positive(a, value());
    else if (a === '--seconds') seconds = positive(a, value());
    else usage(`unknown option '${a}'`);
  }
  if (o.quick) Object.assign(o, { rounds: 1, seconds: 2, warmup: 1 });
  if (rounds !== null) o.rounds = rounds;
  if (seconds !== null) o.seconds = seconds;
  return o;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} expects a whole number ≥ 1, got '${v}'`);
  return n;
}

function usage(why: string): never {
  console.error(`bench: ${why}\nusage: npm run bench -- [--quick] [--json] [--out FILE] [--rounds N] [--seconds S] [--profile]`);
  process.exit(2);
}

const say = (s: string) => process.stderr.write(`${s}\n`);

function firstLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return '';
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

// Names the Debian packages to install when a tool is missing.
function preflight(): BenchReport['machine'] {
  const haproxy = firstLine('haproxy', ['-v']);
  const nginx = firstLine('nginx', ['-v']);
  const wrk = firstLine('wrk', ['-v']);
  const missing = [!haproxy && 'haproxy', !nginx && 'nginx', !wrk && 'wrk'].filter(Boolean);
  if (missing.length > 0) {
    console.error(`bench: ${missing.join(', ')} not found on PATH; install with: apt-get install -y ${missing.join(' ')}`);
    process.exit(2);
  }
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  const nproc = Number(spawnSync('nproc', [], { encoding: 'utf8' }).stdout?.trim()) || cpus().length;
  return { nproc, cpu: model, node: process.version, haproxy: haproxy.replace(/ - https.*$/, ''), nginx: nginx.replace(/^nginx version: /, ''), wrk: wrk.replace(/ Copyright.*$/, '') };
}

// nginx's workers: the master's children, which do the serving.
function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cpuOf(pids: readonly number[]): number {
  let s = 0;
  for (const p of pids) {
    try {
      s += cpuSeconds(p);
    } catch {
      // a worker that exited counts nothing
    }
  }
  return s;
}

class Bench {
  readonly rounds: RoundResult[] = [];
  readonly problems: string[] = [];
  constructor(readonly o: Options, readonly backends: Backends, readonly ports: BenchPorts, readonly running: Map<ContestantId, Running>) {}

  targetPort(s: Scenario, c: ContestantId): number {
    const r = this.running.get(c);
    if (!r) throw new Error(`bench: ${c} is not running`);
    return c === 'direct' ? this.ports.servers[0] : s.id === 'tcp' ? r.ports.tcp : r.ports.http;
  }

  // Starts a contestant: HAProxy on the config's ports, every other proxy on two free ports of its own.
  async start(id: ContestantId, cfgPath: string, nodeFlags: readonly string[] = []): Promise<Running> {
    say(`starting ${id}: ${CONTESTANTS[id].command ?? 'no proxy, wrk straight to server1'}`);
    const cfgPorts = { http: this.ports.http, tcp: this.ports.tcp };
    const ports = id === 'haproxy' || id === 'direct' ? cfgPorts : { http: await freePort(), tcp: await freePort() };
    const r = await launch(id, { cfgPath, cfgPorts, ports, nodeFlags });
    this.running.set(id, r);
    return r;
  }

  async stop(id: ContestantId, graceMs?: number): Promise<void> {
    await this.running.get(id)?.stop(graceMs);
    this.running.delete(id);
  }

  // One wrk run against one contestant, with the proxy's and nginx's CPU over it.
  async measure(s: Scenario, c: ContestantId, seconds: number, round: number): Promise<RoundResult> {
    const pid = this.running.get(c)?.proc?.pid ?? null;
    const cpu0 = pid === null ? null : cpuTimes(pid);
    const nginx = [this.backends.proc.pid, ...childPids(this.backends.proc.pid)];
    const ng0 = cpuOf(nginx);
    const started = Date.now();
    // RSS from /proc every 250 ms (any proxy); the engine's heap from its heap reporter
    let maxRss = pid === null ? 0 : rssBytes(pid);
    const rssTimer = pid === null ? null : setInterval(() => {
      try {
        maxRss = Math.max(maxRss, rssBytes(pid));
      } catch {
        // exited: its last reading stands
      }
    }, 250);
    const wrk = await runWrk({ port: this.targetPort(s, c), connections: s.connections, seconds, path: s.path, size: s.size, close: s.close }).finally(() => {
      if (rssTimer) clearInterval(rssTimer);
    });
    const heap = this.running.get(c)?.heapSince(started) ?? [];
    const cpu1 = pid === null ? null : cpuTimes(pid);
    const cpu = cpu0 && cpu1 ? cpu1.user + cpu1.sys - cpu0.user - cpu0.sys : null;
    const sys = cpu0 && cpu1 ? cpu1.sys - cpu0.sys : null;
    const ng = cpuOf(nginx) - ng0;
    const check = checkResult(wrk, { who: c === 'direct' ? 'server1' : 'weighted', tolerance: s.tolerance, byHeader: s.size > 0, size: s.size });
    const mib = (b: number) => b / 2 ** 20;
    return {
      scenario: s.id, contestant: c, round, throughput: throughput(s, wrk), cpuSeconds: cpu, sysSeconds: sys, backendCpuSeconds: ng, wrk, check,
      maxRssMiB: pid === null ? null : mib(maxRss),
      maxHeapUsedMiB: heap.length ? mib(Math.max(...heap.map((h) => h.heapUsed))) : null,
      maxHeapTotalMiB: heap.length ? mib(Math.max(...heap.map((h) => h.heapTotal))) : null,
    };
  }

  // Interleaved rounds: every round visits every scenario, contestants in a rotated order.
  async play(contestants: readonly ContestantId[], scenarios: readonly Scenario[]): Promise<RoundResult[]> {
    const results: RoundResult[] = [];
    for (const s of scenarios) {
      for (const c of contestants) {
        say(`  warm-up ${s.id} ${c}`);
        await this.measure(s, c, this.o.warmup, 0);
      }
    }
    for (let r = 1; r <= this.o.rounds; r++) {
      for (let si = 0; si < scenarios.length; si++) {
        const s = scenarios[si]!;
        const shift = (r + si) % contestants.length;
        const order = [...contestants.slice(shift), ...contestants.slice(0, shift)];
        for (const c of order) {
          const res = await this.measure(s, c, this.o.seconds, r);
          const tp = s.unit === 'MiB/s' ? `${res.throughput.toFixed(1)} MiB/s` : `${Math.round(res.throughput)} req/s`;
          say(`  round ${r}/${this.o.rounds} ${s.id.padEnd(10)} ${c.padEnd(12)} ${tp.padStart(14)}  cpu ${res.cpuSeconds?.toFixed(2) ?? '-'} s  ${res.check.ok ? 'right' : 'WRONG: ' + res.check.problems.join('; ')}`);
          results.push(res);
          this.rounds.push(res);
          if (!res.check.ok) this.problems.push(`${s.id} / ${c} round ${r}: ${res.check.problems.join('; ')}`);
          // let closed connections drain (TIME_WAIT on loopback) before the next load
          await sleep(s.close ? 500 : 100);
        }
      }
    }
    return results;
  }
}

// The largest reading, or null when there was none.
function peak(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
}

function aggregate(results: readonly RoundResult[], s: Scenario, c: ContestantId): Aggregate {
  const rs = results.filter((r) => r.scenario === s.id && r.contestant === c);
  const requests = rs.reduce((a, r) => a + r.wrk.requests, 0);
  const cpu = rs.every((r) => r.cpuSeconds !== null) ? rs.reduce((a, r) => a + (r.cpuSeconds ?? 0), 0) : null;
  const sys = rs.reduce((a, r) => a + (r.sysSeconds ?? 0), 0);
  const seconds = rs.reduce((a, r) => a + r.wrk.durationUs / 1e6, 0);
  return {
    scenario: s.id,
    contestant: c,
    label: CONTESTANTS[c].label,
    unit: s.unit,
    rounds: rs.length,
    throughput: median(rs.map((r) => r.throughput)),
    p50Ms: median(rs.map((r) => r.wrk.latencyUs.p50)) / 1000,
    p99Ms: median(rs.map((r) => r.wrk.latencyUs.p99)) / 1000,
    cpuSecondsPerRound: cpu === null ? null : cpu / rs.length,
    cpuUsPerRequest: cpu === null ? null : (cpu / Math.max(1, requests)) * 1e6,
    sysShare: cpu === null || cpu === 0 ? null : sys / cpu,
    backendCpuShare: rs.reduce((a, r) => a + r.backendCpuSeconds, 0) / Math.max(1e-9, seconds),
    requests,
    maxRssMiB: peak(rs.map((r) => r.maxRssMiB)),
    maxHeapUsedMiB: peak(rs.map((r) => r.maxHeapUsedMiB)),
    maxHeapTotalMiB: peak(rs.map((r) => r.maxHeapTotalMiB)),
    errors: rs.reduce((a, r) => a + errorCount(r.wrk), 0),
    ok: rs.every((r) => r.check.ok),
    problems: [...new Set(rs.flatMap((r) => r.check.problems))],
  };
}

// 60 s of keep-alive load on the engine with its RSS read every second.
async function memoryRun(bench: Bench, pid: number): Promise<MemoryReport> {
  const s = SCENARIOS.find((x) => x.id === 'keep-alive')!;
  const started = Date.now();
  const samples: number[] = [rssBytes(pid) / 2 ** 20];
  const timer = setInterval(() => samples.push(rssBytes(pid) / 2 ** 20), 1000);
  const res = await bench.measure(s, 'engine', MEMORY_SECONDS, 0);
  clearInterval(timer);
  samples.push(rssBytes(pid) / 2 ** 20);
  if (!res.check.ok) bench.problems.push(`memory run: ${res.check.problems.join('; ')}`);
  // the heap grows to its working size during the first seconds of load; growth per request shows after that, as
  // the last 10 s standing above seconds 20–30
  const early = median(samples.slice(20, 31));
  const late = median(samples.slice(-10));
  const growth = late - early;
  const heap = bench.running.get('engine')?.heapSince(started) ?? [];
  const heapUsed = heap.map((h) => h.heapUsed / 2 ** 20);
  return {
    maxHeapUsedMiB: heapUsed.length ? Math.max(...heapUsed) : null,
    maxHeapTotalMiB: heap.length ? Math.max(...heap.map((h) => h.heapTotal / 2 ** 20)) : null,
    endHeapUsedMiB: heapUsed.length ? heapUsed[heapUsed.length - 1]! : null,
    seconds: MEMORY_SECONDS,
    requests: res.wrk.requests,
    samplesMiB: samples.map((x) => Math.round(x * 10) / 10),
    startMiB: samples[0]!,
    endMiB: samples[samples.length - 1]!,
    maxMiB: Math.max(...samples),
    growthMiB: growth,
    grows: growth > Math.max(8, early * 0.1),
  };
}

// One engine per scenario under node --cpu-prof; the profile is written when it exits on SIGTERM.
async function profileRuns(bench: Bench, cfgPath: string): Promise<Record<string, ProfileSummary>> {
  const out: Record<string, ProfileSummary> = {};
  for (const s of SCENARIOS) {
    const dir = mkdtempSync(join(tmpdir(), 'lab-bench-prof-'));
    try {
      const eng = await bench.start('engine', cfgPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      await bench.measure(s, 'engine', 1, 0);
      const from = Date.now() - eng.proc!.startedAt;
      const res = await bench.measure(s, 'engine', bench.o.seconds, 0);
      const to = Date.now() - eng.proc!.startedAt;
      say(`  profile ${s.id}: ${Math.round(res.throughput)} ${s.unit} under the profiler${res.check.ok ? '' : ', WRONG: ' + res.check.problems.join('; ')}`);
      if (!res.check.ok) bench.problems.push(`profile ${s.id}: ${res.check.problems.join('; ')}`);
      // writing the profile takes a while on a busy machine, and after Connection: close load the engine may wait
      // for its 50 s client/server timeouts before it exits
      await bench.stop('engine', 60000);
      const child = eng.proc!.child;
      // one profile per thread: the main thread's is CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile (tsx's loader thread is .1.)
      const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f));
      if (!file) {
        bench.problems.push(
          `profile ${s.id}: the engine wrote no main-thread .cpuprofile (exit ${child.exitCode ?? child.signalCode}); it printed:\n${eng.proc!.output().slice(-2000)}`,
        );
        continue;
      }
      out[s.id] = summarizeProfile(join(dir, file), ROOT, { fromMs: from, toMs: to });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const machine = preflight();
  say(`bench: ${o.quick ? 'quick' : 'full'} mode, ${o.rounds} round(s) of ${o.seconds} s; ${machine.nproc} cores, ${machine.cpu}`);
  const backends = await startBackends();
  const running = new Map<ContestantId, Running>();
  const ports: BenchPorts = { http: await freePort(), tcp: await freePort(), servers: backends.ports, wrong: backends.wrong };
  const cfgPath = join(backends.dir, 'haproxy.cfg');
  const config = benchConfig(ports);
  writeFileSync(cfgPath, config);
  const bench = new Bench(o, backends, ports, running);
  const samples: Record<string, string[]> = {};
  let memory: MemoryReport | null = null;
  let startup: StartupReport | null = null;
  let listeners: ListenerReport[] | null = null;
  let profiles: Record<string, ProfileSummary> | null = null;
  const titles = Object.fromEntries(SCENARIOS.map((s) => [s.id, s.title])) as Record<ScenarioId, string>;
  try {
    const checked = spawnSync('haproxy', ['-c', '-f', cfgPath], { encoding: 'utf8' });
    if (checked.status !== 0) throw new Error(`haproxy -c rejected the benchmark config:\n${checked.stdout}${checked.stderr}`);
    const names = ['server1\n', 'server2\n', 'server3\n'];
    if (o.profile) {
      profiles = await profileRuns(bench, cfgPath);
    } else {
      for (const id of MAIN) await bench.start(id, cfgPath);
      const n = o.quick ? 3 : 6;
      for (const c of MAIN) {
        const at = running.get(c)!.ports;
        const targets = c === 'direct' ? [['direct', ports.servers[0], ['server1\n']] as const] : [['http', at.http, names] as const, ['tcp', at.tcp, names] as const];
        for (const [front, port, ok] of targets) {
          const p = await sampleProblems(port, n, BIG_SIZE, backends.bigSha256, ok);
          samples[`${c} ${front}`] = p;
          for (const x of p) bench.problems.push(`${c} ${front} sample: ${x}`);
        }
      }
      say(`checked ${n} × (1 MiB body sha256 + named answer) per frontend: ${bench.problems.length === 0 ? 'right' : bench.problems.join('; ')}`);
      await bench.play(MAIN, SCENARIOS);
      const startupRounds = o.quick ? 3 : 10;
      say(`start-up: ${startupRounds} interleaved rounds of node -e 0, haproxy -c, lab --help, lab proxy -c, lab curl, the TUI`);
      startup = startupRun({ root: ROOT, cfgPath, serverPort: ports.servers[0], rounds: startupRounds });
      for (const r of startup.rows) {
        say(`  ${r.label.padEnd(52)} ${r.wallMs.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0)} ms  rss ${r.maxRssMiB.toFixed(0)} MiB${r.wallRatio === null ? '' : `  ${r.wallRatio.toFixed(2)}× node`}${r.ok ? '' : '  WRONG: ' + r.problems.join('; ')}`);
        if (!r.ok) bench.problems.push(`start-up ${r.label}: ${r.problems.join('; ')}`);
      }
      if (!o.quick) {
        say(`memory: ${MEMORY_SECONDS} s keep-alive on the engine, RSS every second`);
        memory = await memoryRun(bench, running.get('engine')!.proc!.pid);
        for (const id of MAIN) await bench.stop(id);
        for (const id of LISTENERS) await bench.start(id, cfgPath);
        const ka = SCENARIOS.filter((s) => s.id === 'keep-alive');
        const res = await bench.play(LISTENERS, ka);
        const none = aggregate(res, ka[0]!, 'engine-none');
        listeners = LISTENERS.map((id) => {
          const a = aggregate(res, ka[0]!, id);
          return {
            contestant: id,
            label: CONTESTANTS[id].label,
            throughput: a.throughput,
            cpuUsPerRequest: a.cpuUsPerRequest,
            throughputCost: 1 - a.throughput / none.throughput,
            cpuCost: (a.cpuUsPerRequest ?? 0) / (none.cpuUsPerRequest ?? 1) - 1,
          };
        });
      }
    }
  } finally {
    for (const r of running.values()) await r.stop();
    await backends.stop();
  }
  const aggregates = o.profile ? [] : SCENARIOS.flatMap((s) => MAIN.map((c) => aggregate(bench.rounds.filter((r) => MAIN.includes(r.contestant)), s, c)));
  const ratios: Ratio[] = o.profile
    ? []
    : SCENARIOS.map((s) => {
        const h = aggregates.find((a) => a.scenario === s.id && a.contestant === 'haproxy')!;
        const e = aggregates.find((a) => a.scenario === s.id && a.contestant === 'engine')!;
        const ratio = e.throughput / h.throughput;
        return {
          scenario: s.id,
          throughput: ratio,
          target: s.target,
          met: ratio >= s.target,
          cpuPerRequest: e.cpuUsPerRequest !== null && h.cpuUsPerRequest ? e.cpuUsPerRequest / h.cpuUsPerRequest : null,
          engineMaxRssMiB: e.maxRssMiB,
          haproxyMaxRssMiB: h.maxRssMiB,
          rssMet: e.maxRssMiB !== null && e.maxRssMiB <= RSS_TARGET_MIB,
        };
      });
  if (memory?.grows) bench.problems.push(`memory: the engine's RSS grew by ${memory.growthMiB.toFixed(1)} MiB over ${MEMORY_SECONDS} s of keep-alive load`);
  const report: BenchReport = {
    date: new Date().toISOString(),
    mode: o.quick ? 'quick' : 'full',
    machine,
    settings: { rounds: o.rounds, seconds: o.seconds, warmupSeconds: o.warmup },
    contestants: Object.fromEntries(Object.values(CONTESTANTS).map((c) => [c.id, c.command])),
    config,
    samples,
    aggregates,
    ratios,
    rounds: bench.rounds,
    memory,
    startup,
    listeners,
    profiles,
    ok: bench.problems.length === 0,
    problems: bench.problems,
  };
  const md = markdown(report, titles);
  if (o.out) writeFileSync(o.out, md);
  process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : md);
  if (!report.ok) say(`bench: FAILED, ${bench.problems.length} wrong answer(s) (see above)`);
  return report.ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 1;
}
