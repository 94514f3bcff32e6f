// The benchmark's findings as one JSON document and as Markdown tables.
import type { ContestantId } from './contestants.ts';
import type { CheckOutcome } from './checks.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { Scenario, ScenarioId } from './scenarios.ts';
import type { StartupReport } from './startup.ts';
import type { WrkResult } from './wrk.ts';

export interface RoundResult {
  readonly scenario: ScenarioId;
  readonly contestant: ContestantId;
  readonly round: number;
  readonly throughput: number;
  /** CPU seconds the proxy process used during the round (null for direct). */
  readonly cpuSeconds: number | null;
  /** The part of cpuSeconds spent in the kernel (stime). */
  readonly sysSeconds: number | null;
  /** CPU seconds nginx's worker used: how close the backends came to a core. */
  readonly backendCpuSeconds: number;
  readonly wrk: WrkResult;
  readonly check: CheckOutcome;
  /** The proxy's largest RSS during the round (/proc, every 250 ms); null for direct. */
  readonly maxRssMiB: number | null;
  /** The engine's largest V8 heap used / reserved during the round (its heap reporter); null for the others. */
  readonly maxHeapUsedMiB: number | null;
  readonly maxHeapTotalMiB: number | null;
}

export interface Aggregate {
  readonly scenario: ScenarioId;
  readonly contestant: ContestantId;
  readonly label: string;
  readonly unit: Scenario['unit'];
  readonly rounds: number;
  /** Medians over the rounds. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuSecondsPerRound: number | null;
  readonly cpuUsPerRequest: number | null;
  /** Share of the proxy's CPU spent in the kernel (syscalls, loopback TCP). */
  readonly sysShare: number | null;
  readonly backendCpuShare: number;
  readonly requests: number;
  /** Largest over the rounds. */
  readonly maxRssMiB: number | null;
  readonly maxHeapUsedMiB: number | null;
  readonly maxHeapTotalMiB: number | null;
  readonly errors: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface Ratio {
  readonly scenario: ScenarioId;
  readonly throughput: number;
  readonly target: number;
  readonly met: boolean;
  /** Engine CPU per request over HAProxy's. */
  readonly cpuPerRequest: number | null;
  /** Peak RSS over the rounds, and whether the engine's met issue 16's 60 MiB. */
  readonly engineMaxRssMiB: number | null;
  readonly haproxyMaxRssMiB: number | null;
  readonly rssMet: boolean;
}

export interface MemoryReport {
  readonly seconds: number;
  readonly requests: number;
  readonly samplesMiB: readonly number[];
  readonly startMiB: number;
  readonly endMiB: number;
  readonly maxMiB: number;
  /** Median of the last 10 samples minus the median of samples 20..30 (after the heap's warm-up). */
  readonly growthMiB: number;
  readonly grows: boolean;
  /** The engine's V8 heap over the run (its heap reporter, every 250 ms). */
  readonly maxHeapUsedMiB: number | null;
  readonly maxHeapTotalMiB: number | null;
  readonly endHeapUsedMiB: number | null;
}

export interface ListenerReport {
  readonly contestant: ContestantId;
  readonly label: string;
  readonly throughput: number;
  readonly cpuUsPerRequest: number | null;
  /** Throughput lost against no listener, and CPU per request added (shares; negative = better). */
  readonly throughputCost: number;
  readonly cpuCost: number;
}

export interface BenchReport {
  readonly date: string;
  readonly mode: 'quick' | 'full';
  readonly machine: { readonly nproc: number; readonly cpu: string; readonly node: string; readonly haproxy: string; readonly nginx: string; readonly wrk: string };
  readonly settings: { readonly rounds: number; readonly seconds: number; readonly warmupSeconds: number };
  readonly contestants: Readonly<Record<string, string | null>>;
  readonly config: string;
  readonly samples: Readonly<Record<string, readonly string[]>>;
  readonly aggregates: readonly Aggregate[];
  readonly ratios: readonly Ratio[];
  readonly rounds: readonly RoundResult[];
  readonly memory: MemoryReport | null;
  readonly startup: StartupReport | null;
  readonly listeners: readonly ListenerReport[] | null;
  readonly profiles: Readonly<Record<string, ProfileSummary>> | null;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

// Median of a non-empty list.
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// The whole report as Markdown.
export function markdown(r: BenchReport, titles: Readonly<Record<ScenarioId, string>>): string {
  const out: string[] = [];
  out.push(`Run: ${r.date}, mode ${r.mode} (${r.settings.rounds} interleaved round(s) of ${r.settings.seconds} s per scenario and contestant, ${r.settings.warmupSeconds} s warm-up).`);
  out.push(`Machine: ${r.machine.nproc} cores (nproc), ${r.machine.cpu}; node ${r.machine.node}; ${r.machine.haproxy}; ${r.machine.nginx}; ${r.machine.wrk}.`);
  out.push('');
  out.push('| Scenario | Contestant | Throughput | p50 | p99 | Proxy CPU s/round | CPU µs/req | in kernel | nginx CPU | Peak RSS | Peak heap used / total | Errors | Answers |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const a of r.aggregates) {
    const tp = a.unit === 'MiB/s' ? `${fmt(a.throughput, 1)} MiB/s` : `${fmt(a.throughput)} req/s`;
    out.push(
      `| ${titles[a.scenario]} | ${a.label} | ${tp} | ${fmt(a.p50Ms, 2)} ms | ${fmt(a.p99Ms, 2)} ms | ${a.cpuSecondsPerRound === null ? '–' : fmt(a.cpuSecondsPerRound, 2)} | ${a.cpuUsPerRequest === null ? '–' : fmt(a.cpuUsPerRequest, 1)} | ${a.sysShare === null ? '–' : fmt(a.sysShare * 100) + '%'} | ${fmt(a.backendCpuShare * 100)}% | ${a.maxRssMiB === null ? '–' : fmt(a.maxRssMiB, 1) + ' MiB'} | ${a.maxHeapUsedMiB === null ? '–' : `${fmt(a.maxHeapUsedMiB, 1)} / ${fmt(a.maxHeapTotalMiB ?? 0, 1)} MiB`} | ${a.errors} | ${a.ok ? 'right' : 'WRONG: ' + a.problems.join('; ')} |`,
    );
  }
  out.push('');
  out.push('| Scenario | engine/HAProxy throughput | target | met | engine/HAProxy CPU per request | engine peak RSS (≤ 60 MiB) | HAProxy peak RSS |');
  out.push('|---|--:|--:|---|--:|--:|--:|');
  for (const q of r.ratios) {
    const rss = q.engineMaxRssMiB === null ? '–' : `${fmt(q.engineMaxRssMiB, 1)} MiB ${q.rssMet ? '(met)' : '(NOT met)'}`;
    out.push(`| ${titles[q.scenario]} | ${fmt(q.throughput, 3)} | ≥ ${fmt(q.target, 2)} | ${q.met ? 'yes' : 'no'} | ${q.cpuPerRequest === null ? '–' : fmt(q.cpuPerRequest, 2)} | ${rss} | ${q.haproxyMaxRssMiB === null ? '–' : fmt(q.haproxyMaxRssMiB, 1) + ' MiB'} |`);
  }
  if (r.startup) {
    out.push('');
    out.push(`Start-up (whole processes, medians of ${r.startup.rounds} interleaved rounds after a warm-up round; the TUI's time is to its first frame, its CPU and RSS until it quits):`);
    out.push('');
    out.push('| Command | Wall | × node -e 0 | target | met | CPU (user+sys) | × node | Peak RSS | Answers |');
    out.push('|---|--:|--:|--:|---|--:|--:|--:|---|');
    for (const s of r.startup.rows) {
      const ready = s.readyMs === null ? '' : ` (home screen ${fmt(s.readyMs)} ms)`;
      out.push(
        `| ${s.label} | ${fmt(s.wallMs)} ms${ready} | ${s.wallRatio === null ? '–' : fmt(s.wallRatio, 2)} | ${s.target === null ? '–' : `≤ ${s.target}×`} | ${s.met === null ? '–' : s.met ? 'yes' : 'no'} | ${fmt(s.cpuMs)} ms | ${s.cpuRatio === null ? '–' : fmt(s.cpuRatio, 2)} | ${fmt(s.maxRssMiB, 1)} MiB | ${s.ok ? 'right' : 'WRONG: ' + s.problems.join('; ')} |`,
      );
    }
  }
  if (r.listeners) {
    out.push('');
    out.push('Event listeners (keep-alive scenario, engine through test/bench/engine-with-listener.ts):');
    out.push('');
    out.push('| Listener | req/s | CPU µs/req | throughput cost vs none | CPU/req cost vs none |');
    out.push('|---|--:|--:|--:|--:|');
    for (const l of r.listeners) {
      out.push(`| ${l.label} | ${fmt(l.throughput)} | ${l.cpuUsPerRequest === null ? '–' : fmt(l.cpuUsPerRequest, 1)} | ${pct(l.throughputCost)} | ${pct(l.cpuCost)} |`);
    }
  }
  if (r.memory) {
    const m = r.memory;
    out.push('');
    out.push(
      `Memory (engine RSS, ${m.seconds} s keep-alive, ${fmt(m.requests)} requests, sampled every second): start ${fmt(m.startMiB, 1)} MiB, end ${fmt(m.endMiB, 1)} MiB, max ${fmt(m.maxMiB, 1)} MiB; last 10 s against seconds 20–30: ${m.growthMiB >= 0 ? '+' : ''}${fmt(m.growthMiB, 1)} MiB → ${m.grows ? 'GROWS' : 'flat'}; V8 heap used at most ${m.maxHeapUsedMiB === null ? '–' : fmt(m.maxHeapUsedMiB, 1)} MiB (reserved ${m.maxHeapTotalMiB === null ? '–' : fmt(m.maxHeapTotalMiB, 1)} MiB), at the end ${m.endHeapUsedMiB === null ? '–' : fmt(m.endHeapUsedMiB, 1)} MiB.`,
    );
  }
  if (r.profiles) {
    for (const [name, p] of Object.entries(r.profiles)) {
      out.push('');
      const sp = p.split;
      out.push(
        `CPU profile, ${name}: ${fmt(p.totalMs)} ms busy = JavaScript ${fmt(sp.js * 100)}%, native calls ${fmt(sp.native * 100)}% (${p.natives.map((x) => `${x.name} ${fmt(x.share * 100)}%`).join(', ')}), GC ${fmt(sp.gc * 100)}%, (program) ${fmt(sp.program * 100)}%; the event bus (proxy/events.ts) ${fmt(p.eventBusShare * 100, 2)}%. Top JavaScript self time:`,
      );
      out.push('');
      out.push('| Function | Where | Self ms | Share of busy |');
      out.push('|---|---|--:|--:|');
      for (const f of p.functions) out.push(`| ${f.name} | ${f.where} | ${fmt(f.ms)} | ${fmt(f.share * 100, 1)}% |`);
      out.push('');
      out.push('| File | Self ms | Share |');
      out.push('|---|--:|--:|');
      for (const f of p.files) out.push(`| ${f.name} | ${fmt(f.ms)} | ${fmt(f.share * 100, 1)}% |`);
    }
  }
  out.push('');
  out.push(r.ok ? 'Every answer checked was right.' : `FAILED:\n${r.problems.map((p) => `- ${p}`).join('\n')}`);
  return out.join('\n') + '\n';
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${fmt(x * 100, 1)}%`;
}
