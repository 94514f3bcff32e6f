// `lab run EPISODE...`: replay every step's experiments headless, judge its checks. Exit 0 when every step passed,
// 1 when a check failed, 2 for a usage error, 3 when nothing failed but a step was skipped (it needs Docker).
import type { Command } from 'commander';
import type { EpisodeProof } from '../episodes/prove.ts';
import type { EpisodeResult } from '../episodes/run-episode.ts';
import type { WithPlan } from '../episodes/with-files.ts';
import type { ProxyDriver } from '../episodes/proxy-driver.ts';
import type { StepResult } from '../episodes/run-step.ts';
import type { Episode } from '../episodes/schema.ts';
import type { Skipped } from '../episodes/docker-part.ts';
import type { RuntimeChoice } from '../runtimes/choose-runtime.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { parseRuntimeName } from '../runtimes/runtime-names.ts';

export interface RunOptions {
  readonly runtime?: RuntimeName;
  readonly proxy?: 'engine' | 'haproxy';
  readonly json?: boolean;
  readonly prove?: boolean;
  readonly step?: readonly string[];
  readonly start?: boolean;
  /** NAME=PATH: judge with the learner's file NAME replaced by PATH (repeatable). */
  readonly with?: readonly string[];
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

// Which proxy runs the configs; haproxy only when the binary is here.
export async function pickDriver(name: string | undefined): Promise<ProxyDriver> {
  if (name === undefined || name === 'engine') return (await import('../episodes/engine-driver.ts')).engineDriver;
  if (name === 'haproxy') {
    const { haproxyAvailable, haproxyDriver } = await import('../episodes/haproxy-driver.ts');
    if (!haproxyAvailable()) throw new Error('--proxy haproxy: no `haproxy` binary on PATH; install it (Debian: apt-get install haproxy) or use --proxy engine');
    return haproxyDriver;
  }
  throw new Error(`--proxy: expected engine or haproxy, got '${name}'`);
}

/** Exit statuses of `lab run`. */
export const EXIT = { pass: 0, fail: 1, usage: 2, skipped: 3 } as const;

// The runtime asked for; without Docker, `--runtime docker` still runs what needs no app, and skips the rest.
async function runtimeFor(opts: RunOptions, say: (l: string) => void): Promise<{ choice: RuntimeChoice; skipped?: Skipped }> {
  const { chooseRuntime, RuntimeUnavailableError } = await import('../runtimes/choose-runtime.ts');
  try {
    return { choice: await chooseRuntime(opts.runtime, { progress: (l) => say(`  ${l}`) }) };
  } catch (e) {
    if (!(e instanceof RuntimeUnavailableError) || e.runtimeName !== 'docker') throw e;
    const [{ BuiltinRuntime }, { NEEDS_DOCKER_FIX }] = await Promise.all([import('../runtimes/builtin.ts'), import('../episodes/docker-part.ts')]);
    const choice: RuntimeChoice = { runtime: new BuiltinRuntime(), detail: 'none: Docker does not answer, so steps with apps are skipped', passedOver: [] };
    return { choice, skipped: { why: `needs Docker (--runtime docker): ${e.why}`, fix: NEEDS_DOCKER_FIX } };
  }
}

// Runs (or proves) the episodes and returns the exit code (EXIT).
export async function runCommand(ids: readonly string[], opts: RunOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const err = opts.err ?? ((l: string) => console.error(l));
  // In --json mode stdout carries only the JSON; progress goes to stderr.
  const say = opts.json ? err : out;
  const driver = await pickDriver(opts.proxy);
  // The episodes' machinery (YAML, the runtimes, the engine) loads here, not with `lab --help`.
  const [
    { loadAllEpisodes, loadEpisode }, { proveEpisode }, { runEpisode, overallStatus }, { formatProof, formatStep, formatWrong },
    { clearPortMap, writePortMap }, { describeChoice }, { resolveWith, UsageError }, { formatAnswerProof },
  ] = await Promise.all([
    import('../episodes/loader.ts'),
    import('../episodes/prove.ts'),
    import('../episodes/run-episode.ts'),
    import('../episodes/format-results.ts'),
    import('../traffic/port-map.ts'),
    import('../runtimes/choose-runtime.ts'),
    import('../episodes/with-files.ts'),
    import('../episodes/prove-files.ts'),
  ]);
  const episodes: Episode[] = ids.length === 1 && ids[0] === 'all' ? [...loadAllEpisodes().episodes] : ids.map((id) => loadEpisode(id));
  const withs = opts.with ?? [];
  if (withs.length > 0 && (opts.prove || opts.start)) throw new UsageError(`--with judges your files; it does not go with ${opts.prove ? '--prove' : '--start'}`);
  // Which steps each episode runs, and with which files replaced (--with): checked before any app starts.
  const plans = new Map<Episode, WithPlan>();
  if (withs.length > 0) {
    for (const episode of episodes) plans.set(episode, resolveWith(episode, withs, opts.step));
    const none = [...plans.values()].every((p) => p.steps.length === 0);
    if (none) throw new UsageError([...plans.values()][0]!.problem ?? '--with: no step has such a file');
  }
  const results: (EpisodeResult | EpisodeProof)[] = [];
  for (const episode of episodes) {
    const plan = plans.get(episode);
    if (plan && plan.steps.length === 0) continue;
    const { choice, skipped } = await runtimeFor(opts, say);
    say(`${episode.id}: ${episode.title}`);
    say(`  ${skipped ? 'runtime: docker — ' + skipped.why : describeChoice(choice).replace(/\n/g, '\n  ')}; proxy: ${driver.name}`);
    if (opts.prove) {
      const proof = await proveEpisode({
        episode, runtime: choice.runtime, driver, ...(opts.step ? { steps: opts.step } : {}),
        progress: (l) => say(`  ${l}`),
        onCheck: (p) => say(`  ${formatProof(p)}`),
        onWrong: (w) => {
          for (const l of formatWrong(w)) say(`  ${l}`);
        },
        onAnswer: (p) => say(`  ${formatAnswerProof(p)}`),
      });
      const wrongs = proof.wrongs.filter((w) => w.name !== 'the starting config');
      const answers = proof.answers.length ? `; ${proof.answers.filter((a) => a.status === 'ok').length}/${proof.answers.length} learner-file answers judged right (solution passes, wrong ones fail)` : '';
      say(`  ${proof.checks.filter((c) => c.ok).length}/${proof.checks.length} checks proven; ${wrongs.filter((w) => w.ok).length}/${wrongs.length} wrong answers caught${answers}`);
      results.push(proof);
      continue;
    }
    let index = 0;
    const stepIds = plan ? plan.steps : opts.step;
    const total = stepIds?.length || episode.steps.length;
    for (const [name, path] of plan?.files ?? []) say(`  --with ${name} = ${path}`);
    const result = await runEpisode({
      episode, runtime: choice.runtime, driver,
      use: plan ? (step) => ({ files: plan.forStep(step.id) }) : opts.start ? 'start' : 'solution',
      ...(stepIds ? { steps: stepIds } : {}),
      ...(skipped ? { appsSkipped: skipped } : {}),
      progress: (l) => say(`  ${l}`),
      onListening: (step, m) => writePortMap(m.portMap({ episode: episode.id, step: step.id })),
      onStep: (r) => {
        for (const l of formatStep(r, index++, total)) say(`  ${l}`);
      },
    }).finally(() => clearPortMap());
    const passed = result.steps.filter((s) => s.status === 'pass').length;
    const notRun = result.steps.filter((s) => s.status === 'skipped').length;
    say(`  ${passed}/${result.steps.length} steps passed${notRun ? `, ${notRun} skipped (not passed: see why above)` : ''}`);
    results.push(result);
  }
  if (opts.json) out(JSON.stringify(results.map(toJson), null, 2));
  const status = overallStatus(results.map((r) => r.status));
  if (status === 'fail') say('some checks failed');
  if (status === 'skipped') say('every step that ran passed, but some were skipped: `lab doctor` says what this machine lacks (exit status 3)');
  return EXIT[status];
}

function stepJson(s: StepResult): unknown {
  return {
    id: s.step.id, title: s.step.title, config: s.configFile, use: s.use, files: Object.fromEntries(s.files), proxy: s.driver, ok: s.ok, status: s.status,
    ...(s.skipped ? { skipped: s.skipped } : {}), mapping: s.mapping,
    report: s.report,
    experiments: s.experiments.map((e) => ({
      id: e.experiment.id, curl: e.experiment.curl, target: e.target,
      answers: e.observations.map((o) => ({
        status: o.status, who: o.who, backend: o.backend ?? null, server: o.server ?? null, app: o.app ?? null, receivedBy: o.receivedBy ?? [],
        ms: o.ms, ...(o.error ? { error: o.error } : {}), body: o.body.length > 200 ? o.body.slice(0, 200) + '...' : o.body,
      })),
      tally: e.tally.rows(),
    })),
    probes: s.probes.map((e) => ({
      curl: e.experiment.curl,
      answers: e.observations.map((o) => ({ status: o.status, who: o.who, backend: o.backend ?? null, server: o.server ?? null, receivedBy: o.receivedBy ?? [] })),
    })),
    checks: s.checks.map((c) => ({
      kind: c.check.kind, title: c.check.title, ok: c.ok, expected: c.expected, observed: c.observed, lines: c.lines, hint: c.check.hint,
    })),
  };
}

function toJson(r: EpisodeResult | EpisodeProof): unknown {
  if ('checks' in r) {
    return {
      episode: r.episode.id, proxy: r.driver, ok: r.ok,
      checks: r.checks.map((p) => ({
        step: p.step, kind: p.check.kind, title: p.check.title, failsOnStart: p.failsOnStart ?? null, failsOnWrong: p.failsOnWrong ?? null,
        passes: p.passes, ok: p.ok, problem: p.problem ?? null,
      })),
      wrongs: r.wrongs.map((w) => ({
        step: w.step, name: w.name, why: w.why ?? null, ok: w.ok,
        failed: w.failed.map((c) => ({ title: c.check.title, kind: c.check.kind, expected: c.expected, observed: c.observed })),
      })),
      answers: r.answers.map((a) => ({ step: a.step, answer: a.answer, why: a.why ?? null, mustPass: a.mustPass, status: a.status, failed: a.failed.map((c) => c.check.title), problem: a.problem ?? null })),
    };
  }
  return {
    episode: r.episode.id, title: r.episode.title, runtime: r.runtime, proxy: r.driver, ok: r.ok, status: r.status,
    apps: r.apps.map((a) => ({ name: a.name, app: a.app, address: `127.0.0.1:${a.hostPort}`, documentPort: a.docPort })),
    steps: r.steps.map(stepJson),
  };
}

// Adds `lab run` to the program.
export function registerRun(program: Command): void {
  program
    .command('run')
    .description("run episodes headless: start their apps, replay every step's curl commands, judge the checks")
    .argument('<episode...>', 'episode ids (see `lab episodes`), or "all"')
    .option('--runtime <name>', 'docker, process or builtin (default: builtin, as in the TUI and `lab up`)', parseRuntimeName)
    .option('--proxy <name>', 'engine (the lab\'s, default) or haproxy (the real binary)', 'engine')
    .option('--step <id...>', 'only these steps')
    .option('--start', "run each step's starting config instead of its solution (edit steps then fail)")
    .option('--with <name=path>', "judge your own file: replace the step's file NAME (as the step shows it, e.g. block-ip.cfg) with PATH; repeatable; without --step, every step that has a file NAME; STEP:NAME=PATH names the step (needed where two different files share NAME, as EP 2's haproxy.cfg)", collect)
    .option('--prove', 'prove the solution passes every check and the starting config and every wrong answer fail one')
    .option('--json', 'print the results as JSON on stdout')
    .addHelpText('after', '\nA teacher checks an answer: lab run ep4-acl --with block-ip.cfg=answer.cfg (exit 0 pass, 1 a check failed, 2 usage or file error, 3 a step skipped: what it needs, such as Docker, is missing here).\nThe documents\' addresses (localhost:80, :4000, app1:5001...) are mapped onto free 127.0.0.1 ports;\neach step prints the mapping. While a step runs, `lab curl http://localhost/` reaches it.')
    .action(async (ids: string[], o: RunOptions) => {
      try {
        process.exitCode = await runCommand(ids, o);
      } catch (e) {
        const { EpisodeLoadError } = await import('../episodes/schema.ts');
        if (e instanceof EpisodeLoadError) console.error(e.message);
        else console.error(`lab run: ${(e as Error).message}`);
        process.exitCode = EXIT.usage;
      }
    });
}
