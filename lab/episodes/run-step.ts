// Runs one step headless: map its addresses, start the proxy on its config, replay every experiment, judge checks.
import { readFileSync } from 'node:fs';
import { generate } from '../traffic/generator.ts';
import { resolveTarget } from '../traffic/port-map.ts';
import { parseCurl } from '../traffic/request-spec.ts';
import { Tally } from '../traffic/tally.ts';
import { appFromBody, selfName } from '../traffic/who.ts';
import type { Observation } from '../traffic/client.ts';
import { Attributor } from './attribution.ts';
import { evaluateChecks, type AttributedObservation, type ExperimentRun, type StepObservations } from './checks.ts';
import { planMapping, type AppPlacement, type StepMapping } from './mapping.ts';
import type { ConfigReport, ProxyDriver, ProxyRun } from './proxy-driver.ts';
import type { CheckResult, Episode, Experiment, Step } from './schema.ts';
import type Docker from 'dockerode';
import { dockerMissing, runDockerPart, type DockerObservations, type DockerPart, type Skipped } from './docker-part.ts';
import { createWorkspace, type FileOverrides, type Workspace } from './workspace.ts';

/** Which config of a step to run: the starting one, the solution (where there is one), or a file. */
export type ConfigChoice = 'start' | 'solution' | { readonly file: string };

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
}

export type StepStatus = 'pass' | 'fail' | 'skipped';

export interface StepResult {
  readonly step: Step;
  readonly driver: string;
  /** The config file that ran, or null (apps-only step). */
  readonly configFile: string | null;
  readonly use: 'start' | 'solution' | 'file';
  /** How the documents' addresses were moved. */
  readonly mapping: readonly string[];
  readonly report: ConfigReport | null;
  readonly experiments: readonly ExperimentRun[];
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
  /** pass, fail, or skipped: what the step needs is missing here (then ok is false and no check ran). */
  readonly status: StepStatus;
  readonly skipped?: Skipped;
  /** The learner files the step used (name → source file), for Docker steps. */
  readonly files?: ReadonlyMap<string, string>;
  readonly docker?: DockerObservations;
}

// A step that could not run here: no check ran, so it neither passes nor fails.
export function skippedStep(step: Step, driver: string, skipped: Skipped): StepResult {
  return { step, driver, configFile: null, use: 'start', mapping: [], report: null, experiments: [], checks: [], ok: false, status: 'skipped', skipped };
}

// The config file a choice selects for a step.
export function configFor(step: Step, use: ConfigChoice): { file: string | null; use: StepResult['use'] } {
  if (typeof use === 'object') return { file: use.file, use: 'file' };
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
  }
  const workspace = opts.workspace ?? createWorkspace(opts.episode);
  let part: DockerPart | null = null;
  try {
    const files = workspace.prepare(step, opts.use, opts.files);
    if (step.docker) {
      part = await runDockerPart({
        docker, step, episodeId: opts.episode.id, dir: workspace.dir, freePort: opts.freePort,
        ...(opts.imagePrefix !== undefined ? { imagePrefix: opts.imagePrefix } : {}),
        ...(opts.labels ? { labels: opts.labels } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.onBuildLine ? { onBuildLine: opts.onBuildLine } : {}),
      });
    }
    const r = await runProxyStep(opts, part);
    return { ...r, files };
  } finally {
    await part?.dispose();
    if (!opts.workspace) workspace.dispose();
  }
}

async function runProxyStep(opts: RunStepOptions, part: DockerPart | null): Promise<StepResult> {
  const { step, driver } = opts;
  const { file, use } = step.config || !step.files.length ? configFor(step, opts.use) : { file: null, use: opts.use === 'start' ? 'start' as const : 'solution' as const };
  const text = file ? readFileSync(file, 'utf8') : null;
  const apps = [...opts.apps.filter((a) => step.apps.includes(a.name)), ...(part?.placements ?? [])];
  let mapping = await planMapping(text, apps, { freePort: opts.freePort, ...(opts.listeners ? { listeners: opts.listeners } : {}) });
  const who = new Attributor();
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
    for (const exp of step.experiments) {
      experiments.set(exp.id, await runExperiment(exp, mapping, who, proxy, opts));
    }
    const logs = proxy?.logs() ?? [];
    const docker = part ? await part.settle() : undefined;
    const obs: StepObservations = { configFile: file, configText: text, report, experiments, logs: [...logs], ...(docker ? { docker } : {}) };
    const checks = evaluateChecks(step.checks, obs);
    const ok = checks.every((c) => c.ok);
    return {
      step, driver: driver.name, configFile: file, use, mapping: mapping.describe(text), report,
      experiments: [...experiments.values()], checks, ok, status: ok ? 'pass' : 'fail', ...(docker ? { docker } : {}),
    };
  } finally {
    await proxy?.stop();
  }
}

async function runExperiment(exp: Experiment, mapping: StepMapping, who: Attributor, proxy: ProxyRun | null, opts: RunStepOptions): Promise<ExperimentRun> {
  const plan = parseCurl(exp.curl);
  const repeat = exp.repeat > 1 ? exp.repeat : plan.repeat;
  const concurrency = exp.concurrency > 1 ? exp.concurrency : plan.concurrency;
  const target = resolveTarget(plan.spec.url, mapping.portMap());
  const logStart = proxy?.logs().length ?? 0;
  const raw = await generate(plan.spec, target, { repeat, concurrency });
  if (proxy) await who.waitFor(raw.filter((o) => o.localPort > 0).map((o) => ({ address: o.localAddress, port: o.localPort })));
  const tally = new Tally();
  const observations = raw.map((o) => {
    const a = attribute(o, who, proxy !== null, mapping.apps);
    tally.add(a.who, a.status);
    opts.onObservation?.(exp, a);
    return a;
  });
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
