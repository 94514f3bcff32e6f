// `npm run bench:ab -- OTHER_CHECKOUT`: this checkout's engine (A) against another checkout's (B, e.g. main
// before a change), both beside HAProxy, on the bench's config, backends and load, in interleaved rounds whose
// order rotates — so machine load hits all three alike. Every answer is checked as in `npm run bench`. Prints
// per round and in medians: throughput, engine/HAProxy, CPU µs per request, peak RSS, and the load average.
//   --rounds N (4)  --seconds S (4)  --scenarios keep-alive,close,tcp,big (keep-alive,close)
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig, type BenchPorts } from './bench-config.ts';
import { checkResult } from './checks.ts';
import { startBackends } from './nginx-backends.ts';
import { cpuTimes, ensureBuilt, freePort, rssBytes, sleep, startProc, waitPorts, type Proc } from './procs.ts';
import { median } from './report.ts';
import { SCENARIOS, throughput, type Scenario, type ScenarioId } from './scenarios.ts';
import { runWrk } from './wrk.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Side {
  readonly id: string;
  readonly proc: Proc;
  readonly http: number;
  readonly tcp: number;
}

function usage(why: string): never {
  console.error(`bench:ab: ${why}\nusage: npm run bench:ab -- OTHER_CHECKOUT [--rounds N] [--seconds S] [--scenarios a,b]`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { other: string; rounds: number; seconds: number; scenarios: Scenario[] } {
  let other = '';
  let rounds = 4;
  let seconds = 4;
  let ids: string[] = ['keep-alive', 'close'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => argv[++i] ?? usage(`${a} expects a value`);
    if (a === '--rounds') rounds = Number(v());
    else if (a === '--seconds') seconds = Number(v());
    else if (a === '--scenarios') ids = v().split(',');
    else if (a.startsWith('--')) usage(`unknown option '${a}'`);
    else other = resolve(a);
  }
  if (!other) usage('name the other checkout');
  if (!existsSync(join(other, 'bin/lab.js'))) usage(`no bin/lab.js in '${other}'`);
  if (!(Number.isInteger(rounds) && rounds > 0 && Number.isInteger(seconds) && seconds > 0)) usage('--rounds and --seconds take whole numbers ≥ 1');
  const scenarios = ids.map((id) => SCENARIOS.find((s) => s.id === id) ?? usage(`no scenario '${id}' (known: ${SCENARIOS.map((s) => s.id).join(', ')})`));
  return { other, rounds, seconds, scenarios };
}

async function startEngine(id: string, root: string, cfgPath: string, cfg: BenchPorts): Promise<Side> {
  ensureBuilt(root);
  const http = await freePort();
  const tcp = await freePort();
  const proc = startProc(id, process.execPath, [join(root, 'bin/lab.js'), 'proxy', '-f', cfgPath, '--map', `${cfg.http}=${http}`, '--map', `${cfg.tcp}=${tcp}`]);
  await waitPorts(proc, [http, tcp], 120000); // a stale build is rebuilt first
  return { id, proc, http, tcp };
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const backends = await startBackends();
  const ports: BenchPorts = { http: await freePort(), tcp: await freePort(), servers: backends.ports, wrong: backends.wrong };
  const cfgPath = join(backends.dir, 'haproxy.cfg');
  writeFileSync(cfgPath, benchConfig(ports));
  const sides: Side[] = [];
  let wrong = 0;
  try {
    const hp = startProc('haproxy', 'haproxy', ['-f', cfgPath, '-db']);
    await waitPorts(hp, [ports.http, ports.tcp]);
    sides.push({ id: 'haproxy', proc: hp, http: ports.http, tcp: ports.tcp });
    sides.push(await startEngine('A', ROOT, cfgPath, ports));
    sides.push(await startEngine('B', o.other, cfgPath, ports));
    console.log(`A = ${ROOT}\nB = ${o.other}\n${o.rounds} rounds × ${o.seconds} s, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const rows: { s: ScenarioId; id: string; tp: number; cpuUs: number; rssMiB: number }[] = [];
    for (const s of o.scenarios) for (const side of sides) await measure(s, side, 1); // warm-up
    for (let r = 0; r < o.rounds; r++) {
      for (const s of o.scenarios) {
        const order = [...sides.slice(r % 3), ...sides.slice(0, r % 3)];
        for (const side of order) {
          const m = await measure(s, side, o.seconds);
          if (!m.ok) {
            wrong++;
            console.log(`  WRONG ${s.id} ${side.id}: ${m.problems.join('; ')}`);
          }
          rows.push({ s: s.id, id: side.id, tp: m.tp, cpuUs: m.cpuUs, rssMiB: m.rssMiB });
          await sleep(s.close ? 500 : 100);
        }
        const at = (id: string) => rows.filter((x) => x.s === s.id && x.id === id).at(-1)!;
        const h = at('haproxy');
        console.log(`round ${r + 1} ${s.id.padEnd(10)} haproxy ${fmt(h.tp)}  A ${fmt(at('A').tp)} (${(at('A').tp / h.tp).toFixed(2)}, ${at('A').cpuUs.toFixed(0)} µs/req)  B ${fmt(at('B').tp)} (${(at('B').tp / h.tp).toFixed(2)}, ${at('B').cpuUs.toFixed(0)} µs/req)  haproxy ${h.cpuUs.toFixed(0)} µs/req  load ${loadavg()[0]!.toFixed(1)}`);
      }
    }
    console.log('medians over the rounds (ratio = engine/HAProxy of the same round):');
    for (const s of o.scenarios) {
      const of = (id: string) => rows.filter((x) => x.s === s.id && x.id === id);
      const hs = of('haproxy');
      const ratio = (id: string) => median(of(id).map((x, i) => x.tp / hs[i]!.tp));
      const cpu = (id: string) => median(of(id).map((x) => x.cpuUs));
      const rss = (id: string) => Math.max(...of(id).map((x) => x.rssMiB)).toFixed(1);
      console.log(`  ${s.id.padEnd(10)} A ${ratio('A').toFixed(2)} (${cpu('A').toFixed(0)} µs/req, peak RSS ${rss('A')} MiB)  B ${ratio('B').toFixed(2)} (${cpu('B').toFixed(0)} µs/req, peak RSS ${rss('B')} MiB)  haproxy ${cpu('haproxy').toFixed(0)} µs/req, ${rss('haproxy')} MiB`);
    }
    console.log(`load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${wrong === 0 ? 'every answer right' : `${wrong} WRONG runs`}`);
  } finally {
    for (const side of sides) await side.proc.stop();
    await backends.stop();
  }
  return wrong === 0 ? 0 : 1;

  async function measure(s: Scenario, side: Side, seconds: number): Promise<{ tp: number; cpuUs: number; rssMiB: number; ok: boolean; problems: readonly string[] }> {
    const c0 = cpuTimes(side.proc.pid);
    let rss = rssBytes(side.proc.pid);
    const timer = setInterval(() => (rss = Math.max(rss, rssBytes(side.proc.pid))), 250);
    const wrk = await runWrk({ port: s.id === 'tcp' ? side.tcp : side.http, connections: s.connections, seconds, path: s.path, size: s.size, close: s.close }).finally(() => clearInterval(timer));
    const c1 = cpuTimes(side.proc.pid);
    const check = checkResult(wrk, { who: 'weighted', tolerance: s.tolerance, byHeader: s.size > 0, size: s.size });
    const cpu = c1.user + c1.sys - c0.user - c0.sys;
    return { tp: throughput(s, wrk), cpuUs: (cpu / Math.max(1, wrk.requests)) * 1e6, rssMiB: rss / 2 ** 20, ok: check.ok, problems: check.problems };
  }
}

function fmt(tp: number): string {
  return tp < 1000 ? tp.toFixed(1).padStart(7) : String(Math.round(tp)).padStart(7);
}

process.exitCode = await main();
