// Runs one step headless: map its addresses, start the proxy on its config, replay every experiment, judge checks.
import { readFileSync } from 'node:fs';
import { generate } from '../traffic/generator.ts';
import { resolveTarget } from '../traffic/port-map.ts';
import { parseCurl } from '../traffic/request-spec.ts';
import { Tally } from '../traffic/tally.ts';
import { appFromBody, selfName } from '../traffic/who.ts';
import { newProbeToken, PROBE_HEADER, receipts } from '../runtimes/receipt-tap.ts';
import { judgedFiles, learnerFiles, type Replacements } from './learner-files.ts';
import type { Observation } from '../traffic/client.ts';
import { Attributor } from './attribution.ts';
import { evaluateChecks, type AttributedObservation, type ExperimentRun, type StepObservations } from './checks.ts';
import { planMapping, type AppPlacement, type StepMapping } from './mapping.ts';
import type { ConfigReport, ProxyDriver, ProxyRun } from './proxy-driver.ts';
import type { CheckResult, Episode, Experiment, Step } from './schema.ts';
import type Docker from 'dockerode';
import { dockerMissing, runDockerPart, type BesideProxy, type ContainerLogs, type DockerObservations, type DockerPart, type Skipped } from './docker-part.ts';
import type { ProxyLogRecord } from '../docker/stack.ts';
import { createWorkspace, type FileOverrides, type Workspace } from './workspace.ts';
import type { ContainerEventSink } from '../docker/container-events.ts';

/** Which config of a step to run: the starting one, the solution (where there is one), a file, or the starting
 * files with some replaced by name (`lab run --with block-ip.cfg=mine.cfg`). */
export type ConfigChoice = 'start' | 'solution' | { readonly file: string } | { readonly files: Replacements };

export interface RunStepOptions {
  readonly episode: Episode;
  readonly step: Step;
  readonly use: ConfigChoice;
  /** The episode's apps as started (those outside step.apps are hidden from the step). */
  readonly apps: readonly AppPlacement[];
  readonly driver: ProxyDriver;
  readonly freePort: () => Promise<number>;
  /** Keep these listener ports (document port → lab port). */
  readonly listeners?: ReadonlyMap<number, number>;
  /** Called as each answer arrives. */
  readonly onObservation?: (experiment: Experiment, o: AttributedObservation) => void;
  /** Called once the step's proxy listens (e.g. to publish the port map for `lab curl`). */
  readonly onListening?: (mapping: StepMapping) => void;
  /** Learner files replaced (`--with NAME=PATH`, a wrong answer). */
  readonly files?: FileOverrides;
  /** The learner's project directory, kept across steps; a temporary one otherwise. */
  readonly workspace?: Workspace;
  readonly docker?: Docker;
  /** Image tag prefix and labels for what Docker steps make (tests). */
  readonly imagePrefix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Lab messages of Docker steps: one line per image built, the container started. */
  readonly progress?: (line: string) => void;
  /** Each line of a docker build as it comes (the TUI shows them live). */
  readonly onBuildLine?: (line: string) => void;
  /** Each line the step's containers write, as "NAME: line". */
  readonly onContainerLog?: (line: string) => void;
  /** Typed events of the step's containers (the TUI's containers table). */
  readonly onContainer?: ContainerEventSink;
  /** Where a caller keeps a holdable Docker part between runs (the TUI, while the learner is on the step): the
   * first run puts it there, later runs reuse it, and the caller disposes it. */
  readonly hold?: DockerHold;
}

/** A Docker part kept up across runs of one step (EP 9's compose stack while the learner is on it). */
export interface DockerHold {
  part: DockerPart | null;
}

export type StepStatus = 'pass' | 'fail' | 'skipped';

export interface StepResult {
  readonly step: Step;
  readonly driver: string;
  /** The config file that ran, or null (apps-only step). */
  readonly configFile: string | null;
  readonly use: 'start' | 'solution' | 'file';
  /** The step's learner files as judged: NAME → path (a `--with` replacement, or the file that ran). */
  readonly files: ReadonlyMap<string, string>;
  /** How the documents' addresses were moved. */
  readonly mapping: readonly string[];
  readonly report: ConfigReport | null;
  readonly experiments: readonly ExperimentRun[];
  /** The requests checks sent of their own. */
  readonly probes: readonly ExperimentRun[];
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
  /** pass, fail, or skipped: what the step needs is missing here (then ok is false and no check ran). */
  readonly status: StepStatus;
  readonly skipped?: Skipped;
  readonly docker?: DockerObservations;
}

// A step that could not run here: no check ran, so it neither passes nor fails.
export function skippedStep(step: Step, driver: string, skipped: Skipped): StepResult {
  return { step, driver, configFile: null, use: 'start', files: new Map(), mapping: [], report: null, experiments: [], probes: [], checks: [], ok: false, status: 'skipped', skipped };
}

// The config file a choice selects for a step.
export function configFor(step: Step, use: ConfigChoice): { file: string | null; use: StepResult['use'] } {
  if (typeof use === 'object' && 'file' in use) return { file: use.file, use: 'file' };
  if (typeof use === 'object') {
    const config = learnerFiles(step).find((f) => f.path === step.config);
    const replaced = config ? use.files.get(config.name) : undefined;
    return replaced ? { file: replaced, use: 'file' } : { file: step.config, use: 'start' };
  }
  if (use === 'solution' && step.solution) return { file: step.solution, use: 'solution' };
  return { file: step.config, use: 'start' };
}

// Runs the step and always stops what it started; a step needing what is missing here comes back skipped.
export async function runStep(opts: RunStepOptions): Promise<StepResult> {
  const { step } = opts;
  if (!step.needs.includes('docker') && step.files.length === 0) return runProxyStep(opts, null);
  const docker = opts.docker ?? (await import('../runtimes/docker.ts')).newDockerClient();
  if (step.needs.includes('docker')) {
    const missing = await dockerMissing(docker);
    if (missing) return skippedStep(step, opts.driver.name, missing);
    if (step.docker?.compose) {
      const { composeMissing } = await import('../docker/compose-stack.ts');
      const noCompose = composeMissing();
      if (noCompose) return skippedStep(step, opts.driver.name, noCompose);
    }
  }
  const workspace = opts.workspace ?? createWorkspace(opts.episode);
  let part: DockerPart | null = null;
  let held = false;
  try {
    // `--with Dockerfile=PATH` arrives as replacements by name, like a config's
    const replaced = typeof opts.use === 'object' && 'files' in opts.use ? opts.use.files : undefined;
    const files = workspace.prepare(step, opts.use, opts.files ?? replaced);
    if (opts.hold?.part) {
      part = opts.hold.part;
      held = true;
      try {
        await part.reuse();
      } catch (e) {
        // The kept stack is gone or broken (Docker restarted, a container removed by hand): bring it up afresh.
        opts.progress?.(`the stack kept up from the last run cannot be reused (${(e as Error).message.split('\n')[0]}): bringing it up again`);
        opts.hold.part = null;
        held = false;
        await part.dispose().catch(() => {});
        part = null;
      }
    }
    if (step.docker && !part) {
      part = await runDockerPart({
        docker, step, episodeId: opts.episode.id, dir: workspace.dir, freePort: opts.freePort,
        ...(opts.imagePrefix !== undefined ? { imagePrefix: opts.imagePrefix } : {}),
        ...(opts.labels ? { labels: opts.labels } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.onBuildLine ? { onBuildLine: opts.onBuildLine } : {}),
        ...(opts.onContainerLog ? { onLog: opts.onContainerLog } : {}),
        ...(opts.onContainer ? { onContainer: opts.onContainer } : {}),
      });
      if (opts.hold && part.holdable) {
        opts.hold.part = part;
        held = true;
      }
    }
    const r = await runProxyStep(opts, part);
    return { ...r, files: new Map([...r.files, ...files]) };
  } finally {
    if (!held) await part?.dispose();
    if (!opts.workspace) workspace.dispose();
  }
}

async function runProxyStep(opts: RunStepOptions, part: DockerPart | null): Promise<StepResult> {
  const { step, driver } = opts;
  const { file, use } = step.config || !step.files.length ? configFor(step, opts.use) : { file: null, use: opts.use === 'start' ? 'start' as const : 'solution' as const };
  const text = file ? readFileSync(file, 'utf8') : null;
  const apps = [...opts.apps.filter((a) => step.apps.includes(a.name)), ...(part?.placements ?? [])];
  // Listener ports kept from earlier steps are the engine's; a step without a config sends to its containers instead.
  const keep = opts.listeners && text !== null ? { listeners: opts.listeners } : {};
  let mapping = await planMapping(text, apps, { freePort: opts.freePort, ...keep });
  const who = new Attributor();
  /** Probe tokens of this step's requests, forgotten when it ends. */
  const tokens: string[] = [];
  let report: ConfigReport | null = null;
  let proxy: ProxyRun | null = null;
  try {
    if (file) {
      report = await driver.check(file, mapping);
      for (let attempt = 1; report.ok && !proxy; attempt++) {
        try {
          proxy = await driver.start(file, mapping, who);
        } catch (e) {
          // A free port taken by someone else between planning and binding: plan fresh ports and try again.
          if (attempt >= 3 || !/Address already in use|EADDRINUSE|cannot bind/i.test((e as Error).message)) throw e;
          mapping = await planMapping(text, apps, { freePort: opts.freePort });
        }
      }
    }
    opts.onListening?.(mapping);
    const experiments = new Map<string, ExperimentRun>();
    // The document's experiments first, then the requests checks send of their own.
    const containerLogs: string[] = [];
    for (const exp of [...step.experiments, ...(step.probes ?? [])]) {
      const run = await runExperiment(exp, mapping, who, proxy, opts, tokens, part?.proxied);
      containerLogs.push(...(part?.proxied ? run.logs : []));
      const beside = part?.beside ? await runBeside(exp, part.beside, opts) : undefined;
      experiments.set(exp.id, beside ? { ...run, beside } : run);
    }
    const logs = proxy?.logs() ?? containerLogs;
    const docker = part ? await part.settle() : undefined;
    const obs: StepObservations = { configFile: file, configText: text, report, experiments, logs: [...logs], ...(docker ? { docker } : {}) };
    const checks = evaluateChecks(step.checks, obs);
    const ok = checks.every((c) => c.ok);
    const files = judgedFiles(step, typeof opts.use === 'object' && 'files' in opts.use ? opts.use.files : new Map());
    const config = learnerFiles(step).find((f) => f.path === step.config);
    if (config && file) files.set(config.name, file);
    return {
      step, driver: driver.name, configFile: file, use, files, mapping: mapping.describe(text), report,
      experiments: [...experiments.values()].filter((e) => step.experiments.includes(e.experiment)),
      probes: [...experiments.values()].filter((e) => !step.experiments.includes(e.experiment)),
      checks, ok, status: ok ? 'pass' : 'fail', ...(docker ? { docker } : {}),
    };
  } finally {
    receipts.forget(tokens);
    await proxy?.stop();
  }
}

// The experiment sent again, to the containerised HAProxy beside the engine; its log says who took each request.
async function runBeside(exp: Experiment, beside: BesideProxy, opts: RunStepOptions): Promise<ExperimentRun> {
  const plan = parseCurl(exp.curl);
  const repeat = exp.repeat > 1 ? exp.repeat : plan.repeat;
  const concurrency = exp.concurrency > 1 ? exp.concurrency : plan.concurrency;
  const target = resolveTarget(plan.spec.url, { ports: { [String(beside.docPort)]: beside.hostPort } });
  const mark = beside.mark();
  const raw = await generate(plan.spec, target, { repeat, concurrency });
  const seen = await beside.traffic(mark, raw.filter((o) => o.status > 0).length);
  const tally = new Tally();
  const observations = raw.map((o, i) => {
    const a = withRecord(o, concurrency === 1 ? seen.records[i] : undefined);
    tally.add(a.who, a.status);
    return a;
  });
  opts.progress?.(`HAProxy in Docker, ${exp.curl} ×${repeat}: ${observations.map((o) => o.who).join(' ')}`);
  return { experiment: exp, target, observations, tally, logs: seen.logs, received: seen.received };
}

// An answer with who took it, by the containerised proxy's log line (in order: requests went one at a time).
function withRecord(o: Observation, r: ProxyLogRecord | undefined): AttributedObservation {
  const who = r && r.server !== '<NOSRV>' ? r.server : o.status === 0 ? 'no answer' : selfName(o.body) ?? `status ${o.status}`;
  return { ...o, ...(r ? { frontend: r.frontend, backend: r.backend, server: r.server } : {}), who };
}

async function runExperiment(
  exp: Experiment, mapping: StepMapping, who: Attributor, proxy: ProxyRun | null, opts: RunStepOptions, tokens: string[],
  proxied?: ContainerLogs,
): Promise<ExperimentRun> {
  const plan = parseCurl(exp.curl);
  const repeat = exp.repeat > 1 ? exp.repeat : plan.repeat;
  const concurrency = exp.concurrency > 1 ? exp.concurrency : plan.concurrency;
  const target = resolveTarget(plan.spec.url, mapping.portMap());
  const logStart = proxy?.logs().length ?? 0;
  const mark = proxied?.mark();
  // Each request carries a token, so the relay in front of each app can say which instance really received it.
  const mine = Array.from({ length: repeat }, () => newProbeToken());
  tokens.push(...mine);
  const raw = await generate(plan.spec, target, { repeat, concurrency, extraHeaders: (i) => [[PROBE_HEADER, mine[i]!]] });
  if (proxy) await who.waitFor(raw.filter((o) => o.localPort > 0).map((o) => ({ address: o.localAddress, port: o.localPort })));
  // A containerised proxy: its log lines, in order, name the server of each connection (the episodes that use it
  // send one request at a time; under concurrency the order is not the requests' and no server is claimed).
  const seen = proxied && mark ? await proxied.traffic(mark, raw.length) : undefined;
  const tally = new Tally();
  const observations = raw.map((o) => {
    const got = receipts.get(mine[o.index]!);
    const base = seen ? withRecord(o, concurrency === 1 ? seen.records[o.index] : undefined) : attribute(o, who, proxy !== null, mapping.apps);
    const a = { ...base, receivedBy: got.map((g) => g.instance), verbatim: got.length > 0 && got.every((g) => g.verbatim) };
    tally.add(a.who, a.status);
    opts.onObservation?.(exp, a);
    return a;
  });
  if (seen) return { experiment: exp, target, observations, tally, logs: seen.logs, received: seen.received };
  return { experiment: exp, target, observations, tally, logs: proxy ? proxy.logs().slice(logStart) : [] };
}

// Joins an answer with who handled it: the proxy's record when there is a proxy, and the app the body names.
export function attribute(o: Observation, who: Attributor, viaProxy: boolean, apps: readonly AppPlacement[]): AttributedObservation {
  const a = viaProxy && o.localPort > 0 ? who.get(o.localAddress, o.localPort) : undefined;
  const app = appFromBody(o.body, apps) ?? undefined;
  const label =
    a?.server ??
    (a?.answeredBy ? `${a.answeredBy} ${o.status}` : undefined) ??
    app ??
    (o.status === 0 ? 'no answer' : selfName(o.body) ?? `status ${o.status}`);
  return {
    ...o,
    ...(a?.frontend ? { frontend: a.frontend } : {}),
    ...(a?.backend ? { backend: a.backend } : {}),
    ...(a?.server ? { server: a.server } : {}),
    ...(a?.answeredBy ? { answeredBy: a.answeredBy } : {}),
    ...(app ? { app } : {}),
    who: label,
  };
}
