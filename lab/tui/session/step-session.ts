// One open step: its apps on a runtime, the engine on an editable copy of its config, traffic to the mapped
// ports, live weight and backend changes, reloads from the file, and a close that stops everything it started.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError, createEngine } from '../../../proxy/index.ts';
import type { Engine, EngineSnapshot } from '../../../proxy/index.ts';
import type { Diagnostic } from '../../../proxy/index.ts';
import type { BindSpec, ServerSpec } from '../../../proxy/index.ts';
import { EventBus } from '../../../proxy/index.ts';
import type { CheckResult, Episode, EpisodeApp, Experiment, Step } from '../../episodes/schema.ts';
import { planMapping, type AppPlacement, type StepMapping } from '../../episodes/mapping.ts';
import { runStep } from '../../episodes/run-step.ts';
import { learnerDir } from '../../episodes/workspace.ts';
import { progressPath } from '../../episodes/progress.ts';
import { startApps, type AppGroup } from '../../runtimes/app-group.ts';
import { tapRuntime } from '../../runtimes/receipt-tap.ts';
import { freePort } from '../../runtimes/ports.ts';
import type { Runtime, RuntimeHandle } from '../../runtimes/runtime.ts';
import { generate } from '../../traffic/generator.ts';
import { clearPortMap, resolveTarget, writePortMap } from '../../traffic/port-map.ts';
import { parseCurl } from '../../traffic/request-spec.ts';
import type { Observation } from '../../traffic/client.ts';
import type { Exchange, FireOptions, FireResult, ReloadOutcome, ServerRow, StepSessionView } from './types.ts';
import { liveDriver } from './live-driver.ts';
import { AnsweredBy } from '../../traffic/answered-by.ts';
import { sendLine, type Side } from '../../play/send.ts';
import { startWhoService, type WhoService } from '../../traffic/who-service.ts';
import { DETAILED_PER_SECOND } from '../state/traffic.ts';
import { setServerWeight } from '../state/config-edit.ts';
import { ContainerFeed } from '../../docker/container-events.ts';
import type { DockerHold } from '../../episodes/run-step.ts';
import { DockerPrompt, type DockerLineResult } from './docker-prompt.ts';

const LOG_KEEP = 200;

export interface OpenStepOptions {
  readonly runtime: Runtime;
  readonly progress?: (line: string) => void;
  /** Publish the port map for `lab curl` (off in tests). */
  readonly publishPorts?: boolean;
  /** Events kept until the screen subscribes. */
  readonly backlog?: number;
  /**
   * Where the learner's files of this step are kept across runs (learner-files.ts): the config is edited there,
   * restored from there, and the copy that passed goes to its passed/ folder. Without it, a temp dir that close()
   * removes (tests, `lab run`).
   */
  readonly workDir?: string;
}


// Starts the step's apps and proxy; on any failure what was started is stopped again before the error is thrown.
export async function openStepSession(episode: Episode, stepIndex: number, opts: OpenStepOptions): Promise<StepSession> {
  const step = episode.steps[stepIndex];
  if (!step) throw new Error(`episode ${episode.id} has steps 1..${episode.steps.length}, not ${stepIndex + 1}`);
  const progress = opts.progress ?? (() => {});
  const apps = step.apps.map((name) => episode.apps.find((a) => a.name === name)).filter((a): a is EpisodeApp => a !== undefined);
  const ports: number[] = [];
  for (const _ of apps) {
    let p = await freePort();
    while (ports.includes(p)) p = await freePort();
    ports.push(p);
  }
  const placements: AppPlacement[] = apps.map((a, i) => ({
    name: a.name, app: a.app, docPort: a.port, addresses: a.addresses, hostPort: ports[i]!, ...(a.answers ? { answers: a.answers } : {}),
  }));
  if (step.needs.includes('docker')) await removeCrashLeftovers(progress);
  progress(`starting ${apps.map((a) => a.name).join(', ') || 'no apps'} on the ${opts.runtime.name} runtime…`);
  // Behind receipt taps, so the step's checks can tell which instance really received each request.
  const group = await startApps(
    tapRuntime(opts.runtime),
    placements.map((p) => ({ app: p.app, name: p.name, hostPort: p.hostPort, episode: episode.id })),
    progress,
  );
  const session = new StepSession(episode, stepIndex, step, apps, placements, group, opts);
  try {
    await session.start(progress);
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}

// What a lab that crashed left on the Docker engine goes when the next one opens a Docker step (without Docker,
// nothing to do: the step says so when it runs).
async function removeCrashLeftovers(progress: (line: string) => void): Promise<void> {
  const { newDockerClient } = await import('../../runtimes/docker.ts');
  const { dockerMissing, removeLeftovers } = await import('../../episodes/docker-part.ts');
  const docker = newDockerClient();
  if (await dockerMissing(docker).catch(() => true)) return;
  const n = await removeLeftovers(docker).catch(() => 0);
  if (n > 0) progress(`removed ${n} container(s)/network(s)/image(s) left by a lab that did not exit cleanly`);
}

// The open step the episode screen drives; close() undoes everything open() started.
export class StepSession implements StepSessionView {
  readonly events: EventBus;
  engine: Engine | null = null;
  configPath: string | null = null;
  configName: string | null = null;
  fileNames: readonly string[] = [];
  mapping: string[] = [];
  curl: string;
  private tmpDir: string | null = null;
  private ownsDir = false;
  private applied: string | null = null;
  startingConfig: string | null = null;
  private errors: readonly Diagnostic[] = [];
  private mappingPlan: StepMapping | null = null;
  private readonly watchers = new Set<FSWatcher>();
  private readonly offs: (() => void)[] = [];
  private nextRequestId = 1;
  private closed = false;
  private experimentIndex = 0;
  private who: WhoService | null = null;
  private readonly answeredBy = new AnsweredBy();
  /** The engine's last log lines: the request prompt reads who answered from them. */
  private readonly logLines: string[] = [];
  /** The step's containers, as typed events (the containers table). */
  readonly containers = new ContainerFeed();
  /** EP 9's compose stack, kept up from the first check run until the step closes. */
  private readonly hold: DockerHold = { part: null };
  /** `docker build` / `docker run` typed at the prompt, and the container that runs meanwhile. */
  private dockerPrompt: DockerPrompt | null = null;
  /** Document ports of containers run from the prompt → their 127.0.0.1 ports. */
  private readonly typedPorts: Record<string, number> = {};

  constructor(
    readonly episode: Episode,
    readonly stepIndex: number,
    readonly step: Step,
    private readonly apps: readonly EpisodeApp[],
    private readonly placements: readonly AppPlacement[],
    private readonly group: AppGroup,
    private readonly opts: OpenStepOptions,
  ) {
    // explain traces for at most 200 requests a second: a burst stays cheap, the last requests stay explained
    this.events = new EventBus(opts.backlog ?? 5000, { detailedPerSecond: DETAILED_PER_SECOND });
    this.curl = step.experiments[0]?.curl ?? (apps[0] ? `curl http://localhost:${apps[0].port}/` : '');
  }

  private get ports(): Record<string, number> {
    return { ...(this.mappingPlan?.portMap().ports ?? {}), ...this.typedPorts };
  }

  get hasEngine(): boolean {
    return this.engine !== null;
  }

  private handleOf(app: string): RuntimeHandle | undefined {
    return this.group.handles.find((h) => h.name === app);
  }

  private appFor(host: string, port: number): EpisodeApp | undefined {
    const name = this.mappingPlan?.server(host, port).app;
    return name ? this.apps.find((a) => a.name === name) : undefined;
  }

  private async plan(text: string | null): Promise<void> {
    // The binds' document ports (80, 4000...) keep their lab port on every reload.
    this.mappingPlan = await planMapping(text, this.placements, {
      freePort,
      ...(this.mappingPlan ? { listeners: this.mappingPlan.listeners } : {}),
    });
  }

  /** @internal Loads the config copy and starts the engine, or wires the apps' logs when the step has none. */
  async start(progress: (line: string) => void): Promise<void> {
    if (this.step.config) {
      if (this.opts.workDir) {
        mkdirSync(this.opts.workDir, { recursive: true });
        this.tmpDir = this.opts.workDir;
      } else {
        this.tmpDir = mkdtempSync(join(tmpdir(), 'haproxy-lab-'));
        this.ownsDir = true;
      }
      this.configName = basename(this.step.config);
      this.configPath = join(this.tmpDir, this.configName);
      const start = readFileSync(this.step.config, 'utf8');
      this.startingConfig = start;
      // The learner's kept copy comes back as they left it; a first visit starts from the step's config.
      const kept = existsSync(this.configPath) ? readFileSync(this.configPath, 'utf8') : null;
      if (kept === null) writeFileSync(this.configPath, start);
      progress('starting the proxy…');
      let engine: Engine;
      let text = kept ?? start;
      try {
        engine = await this.startEngine(text);
      } catch (e) {
        // A kept file the engine refuses (saved while refused) must not lock the learner out of the step: the
        // starting config serves and the pane shows their file with its errors.
        if (kept === null || !(e instanceof ConfigError)) throw e;
        this.errors = e.diagnostics.filter((d) => d.severity === 'alert');
        text = start;
        engine = await this.startEngine(text);
      }
      this.engine = engine;
      this.applied = text;
    } else {
      if (this.step.files.length > 0) {
        // A Docker step edits the learner's own files (kept with their progress): the first is selected, `f` moves on.
        const { dir } = learnerDir(this.episode, progressPath());
        this.tmpDir = dir;
        this.fileNames = this.step.files.map((f) => f.name);
        this.selectFile(0);
      }
      await this.plan(null);
      for (const h of this.group.handles) {
        this.offs.push(h.onLog((line) => this.events.emit({ kind: 'log', line: `${h.name}: ${line}` })));
      }
    }
    this.mapping = this.describeMapping();
    if (this.step.files.length > 0) {
      const { dir } = learnerDir(this.episode, progressPath());
      this.mapping = [
        `your files: ${dir}/ (${this.step.files.map((f) => f.name).join(', ')}): edit them, then c builds and judges them`,
        ...this.mapping,
      ];
    }
    if (this.opts.publishPorts !== false) {
      // `lab curl` in another shell asks which server answered it (any status, the engine's own pages too)
      if (this.engine) this.who = await startWhoService(this.answeredBy);
      writePortMap({
        ...(this.who ? { who: this.who.port } : {}),
        episode: this.episode.id,
        step: this.step.id,
        ports: this.ports,
        apps: this.apps.map((a) => ({ name: a.name, ...(a.answers !== undefined ? { answers: a.answers } : {}) })),
      });
    }
  }

  private async startEngine(text: string): Promise<Engine> {
    await this.plan(text);
    const engine = createEngine({
      source: { text, name: this.configName ?? 'haproxy.cfg' },
      anyAddress: '127.0.0.1',
      mapBind: (b) => this.mapBind(b),
      mapServer: (s) => this.mapServer(s),
      resolvers: false,
      // Lines reach the screen as 'log' events; nothing may write to the terminal under ink. The sink only
      // notes who answered each client port, for `lab curl` in another shell.
      logSink: (line) => {
        this.answeredBy.noteLog(line);
        this.logLines.push(line);
        if (this.logLines.length > LOG_KEEP) this.logLines.splice(0, this.logLines.length - LOG_KEEP);
      },
      events: this.events,
    });
    await engine.start();
    return engine;
  }

  private mapBind(b: BindSpec): { host: string; port: number } {
    return this.mappingPlan!.bind(b.port);
  }

  // Servers the episode's apps do not answer for go to a dead loopback port: traffic never leaves 127.0.0.0/8.
  private mapServer(s: ServerSpec): { host: string; port: number } {
    const t = this.mappingPlan!.server(s.host, s.port);
    return { host: t.host, port: t.port };
  }

  configText(): string | null {
    return this.applied;
  }

  private selectFile(i: number): void {
    const f = this.step.files[i]!;
    this.configName = f.name;
    this.configPath = learnerDir(this.episode, progressPath()).files.get(f.name) ?? null;
    this.startingConfig = readFileSync(f.start, 'utf8');
    this.applied = this.readConfigFile();
    this.errors = [];
  }

  selectNextFile(): string {
    if (this.fileNames.length === 0) return 'This step has no files of yours to edit.';
    const i = (this.fileNames.indexOf(this.configName ?? '') + 1) % this.fileNames.length;
    this.selectFile(i);
    return `Editing ${this.configName} (${i + 1} of ${this.fileNames.length}: ${this.fileNames.join(', ')}): e or i edits it, c builds and judges.`;
  }

  lastErrors(): readonly Diagnostic[] {
    return this.errors;
  }

  snapshot(): EngineSnapshot | null {
    return this.engine?.snapshot() ?? null;
  }

  rows(): readonly ServerRow[] {
    const snap = this.snapshot();
    if (!snap) {
      return this.apps.map((a, index) => {
        const h = this.handleOf(a.name);
        const stage = h?.stage ?? null;
        return {
          key: `direct/${a.name}`, backend: 'direct', server: a.name, index, app: a.name,
          runtime: h?.runtime ?? null, stage,
          state: stage === 'running' ? 'UP' : stage === 'stopped' ? 'STOP' : stage === 'failed' ? 'FAIL' : 'START',
          up: stage === 'running', weight: 1, served: 0, check: '',
        };
      });
    }
    const out: ServerRow[] = [];
    let index = 0;
    for (const b of snap.backends) {
      for (const s of b.servers) {
        const spec = this.engine!.config.backends.get(b.name)?.servers.find((x) => x.name === s.name);
        const app = spec ? this.appFor(spec.host, spec.port) : undefined;
        const h = app ? this.handleOf(app.name) : undefined;
        const state = s.admin === 'maint' ? 'MAINT' : s.admin === 'drain' ? 'DRAIN' : s.op === 'up' ? 'UP' : s.op === 'down' ? 'DOWN' : s.op === 'starting' ? 'UP↑' : 'DOWN↓';
        out.push({
          key: `${b.name}/${s.name}`, backend: b.name, server: s.name, index: index++, app: app?.name ?? null,
          runtime: h?.runtime ?? null, stage: h?.stage ?? null, state,
          up: s.admin !== 'maint' && (s.op === 'up' || s.op === 'starting'),
          weight: s.weight, served: s.totalConnections, check: s.check ? (s.lastCheck?.status ?? '…') : '',
        });
      }
    }
    return out;
  }

  /** The experiment the space key sends; `u` moves to the next one. */
  currentExperiment(): Experiment | undefined {
    return this.step.experiments[this.experimentIndex];
  }

  // Moves the space key to the step's next experiment (wrapping); returns its curl.
  nextExperiment(): string {
    if (this.step.experiments.length > 0) {
      this.experimentIndex = (this.experimentIndex + 1) % this.step.experiments.length;
      this.curl = this.step.experiments[this.experimentIndex]!.curl;
    }
    return this.curl;
  }

  async fire(o: FireOptions): Promise<FireResult> {
    if (!this.curl) return { sent: 0, failed: 0, error: 'this step has no request to send' };
    const plan = parseCurl(this.curl);
    const target = resolveTarget(plan.spec.url, { ports: this.ports });
    let done = 0;
    let failed = 0;
    let error: string | undefined;
    const direct = this.engine === null;
    const results = await generate(plan.spec, target, {
      repeat: o.count,
      concurrency: o.concurrency,
      ...(o.signal ? { signal: o.signal } : {}),
      onResult: (r) => {
        done++;
        if (r.status === 0) {
          failed++;
          error = r.error;
        }
        if (direct) this.emitDirect(r, target.port);
        o.onProgress?.(done);
      },
    });
    return { sent: results.length, failed, ...(error !== undefined ? { error } : {}) };
  }

  // The request prompt: a typed curl line (-n, -c as `lab curl`) through the proxy, or straight to the app when
  // the step runs none; the answer comes back whole, with who answered (the log line, else the app's body).
  async send(line: string, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<Exchange> {
    const side: Side = {
      name: 'engine',
      ports: this.ports,
      logs: () => this.logLines,
      serverOf: (p) => this.answeredBy.byClientPort(p)?.server,
      ...(this.engine ? {} : { logging: false }),
    };
    return { line, ...(await sendLine(line, side, null, signal, onProgress)) };
  }

  // Without a proxy the lab itself reports who answered, so the traffic view works the same.
  private emitDirect(r: Observation & { server?: string; backend?: string; frontend?: string }, port: number): void {
    const app = this.apps.find((a) => this.handleOf(a.name)?.hostPort === port);
    // HAProxy in a container named the server in its own log (Docker steps); else the app that answered directly.
    const server = r.server ?? (r.status > 0 && app ? app.name : '<NOSRV>');
    this.events.emit({
      kind: 'response', id: this.nextRequestId++, frontend: r.frontend ?? '(direct)', backend: r.backend ?? 'direct', server, status: r.status,
      bytesIn: 0, bytesOut: r.body.length,
      timings: { tq: 0, tw: 0, tc: 0, tr: r.ms, tt: r.ms }, termination: r.status > 0 ? '--' : 'SC', retries: 0,
    });
  }

  // Replays the step's experiments on the config file as it is now (after a reload that starts the balancer
  // afresh, as `lab run` would), then judges the checks.
  async runChecks(_signal?: AbortSignal, onProgress?: (line: string) => void): Promise<readonly CheckResult[]> {
    const progress = onProgress ?? (() => {});
    progress(`running ${this.step.experiments.length} experiment(s)…`);
    const driver = this.engine
      ? liveDriver(this.events, async (text) => this.apply(text))
      : { name: 'none', check: async () => ({ ok: true, alerts: [], warnings: [] }), start: async () => ({ logs: () => [], stop: async () => {} }) };
    const r = await runStep({
      episode: this.episode,
      step: this.step,
      use: this.step.config && this.configPath ? { file: this.configPath } : 'start',
      ...(this.step.files.length > 0 ? { files: learnerDir(this.episode, progressPath()).files } : {}),
      apps: this.placements,
      driver,
      freePort,
      ...(this.mappingPlan ? { listeners: this.mappingPlan.listeners } : {}),
      onObservation: (exp, o) => {
        if (!this.engine) this.emitDirect(o, o.localPort === 0 ? 0 : this.portOf(exp.curl));
      },
      // Docker steps: one line per image in the busy line, each build step as a log line as it comes; what the lab
      // did (images built, network made, containers run with their ports) stays in the log pane too.
      progress: (line) => {
        progress(line);
        if (this.step.needs.includes('docker')) this.events.emit({ kind: 'log', line: `lab: ${line}` });
      },
      onBuildLine: (line) => this.events.emit({ kind: 'log', line: `docker build: ${line}` }),
      // The containers' own output (HAProxy's log, the apps' access lines, docker-compose's progress) in the log pane.
      onContainerLog: (line) => this.events.emit({ kind: 'log', line: `container ${line}` }),
      onContainer: this.containers.emit,
      hold: this.hold,
    });
    // Not run is not passed: the step stays open, and the learner is told what to install.
    if (r.status === 'skipped') throw new Error(`${(r.skipped?.why ?? 'this step cannot run here').replace(/\.$/, '')}. To run it: ${r.skipped?.fix ?? 'see `lab doctor`'}`);
    // The config that passed is kept apart, so a step marked done keeps what earned it.
    if (r.checks.length > 0 && r.checks.every((c) => c.ok) && this.step.config && this.configPath && !this.ownsDir && this.tmpDir) {
      mkdirSync(join(this.tmpDir, 'passed'), { recursive: true });
      copyFileSync(this.configPath, join(this.tmpDir, 'passed', basename(this.configPath)));
    }
    return r.checks;
  }

  // A docker line typed at the request prompt (`docker build -t flask-docker-app .`, `docker run -p 5000:5000 ...`).
  async runDockerLine(line: string, progress: (line: string) => void): Promise<DockerLineResult> {
    this.dockerPrompt ??= new DockerPrompt({
      episode: this.episode, step: this.step, freePort,
      files: () => learnerDir(this.episode, progressPath()).files,
      onContainer: this.containers.emit,
      onLog: (l) => this.events.emit({ kind: 'log', line: l }),
    });
    const r = await this.dockerPrompt.run(line, progress);
    if (r.published) {
      this.typedPorts[String(r.published.docPort)] = r.published.hostPort;
      this.mapping = [...this.mapping.filter((m) => !m.startsWith(`localhost:${r.published!.docPort} `)), `localhost:${r.published.docPort} → 127.0.0.1:${r.published.hostPort}  (the container you ran)`];
    }
    return r;
  }

  readConfigFile(): string | null {
    if (!this.configPath) return null;
    try {
      return readFileSync(this.configPath, 'utf8');
    } catch {
      return this.applied;
    }
  }

  writeConfigFile(text: string): void {
    if (!this.configPath) throw new Error('this step has no config file');
    writeFileSync(this.configPath, text);
  }

  solutionText(): string {
    if (!this.step.solution) return 'This step has no solution config.';
    try {
      return readFileSync(this.step.solution, 'utf8');
    } catch (e) {
      return `cannot read ${this.step.solution}: ${(e as Error).message}`;
    }
  }

  // Weights set live (keys, runtime API) that the serving config does not say: a reload would drop them.
  private liveWeights(): { backend: string; server: string; weight: number; file: number; line: number }[] {
    if (!this.engine) return [];
    const out: { backend: string; server: string; weight: number; file: number; line: number }[] = [];
    for (const b of this.engine.snapshot().backends) {
      const spec = this.engine.config.backends.get(b.name);
      for (const sv of b.servers) {
        const ss = spec?.servers.find((x) => x.name === sv.name);
        if (ss && ss.weight !== sv.weight) out.push({ backend: b.name, server: sv.name, weight: sv.weight, file: ss.weight, line: ss.loc.line });
      }
    }
    return out;
  }

  liveChanges(): readonly string[] {
    return this.liveWeights().map((w) => `${w.server} weight ${w.weight}, the file says ${w.file}`);
  }

  writeLiveWeights(): string {
    const changes = this.liveWeights();
    if (changes.length === 0) return 'The live weights are what the config file says: nothing to write.';
    if (!this.configPath) throw new Error('this step has no config file');
    // Written into the serving config's text (the lines the weights came from), then saved as the learner's file.
    let text = this.applied ?? this.readConfigFile() ?? '';
    for (const c of changes) text = setServerWeight(text, c.line, c.weight);
    writeFileSync(this.configPath, text);
    return `Wrote ${changes.map((c) => `weight ${c.weight} on ${c.server} (line ${c.line})`).join(', ')} into ${this.configName}: the reload keeps them now.`;
  }

  async resetStep(): Promise<void> {
    if (!this.configPath || this.startingConfig === null) return;
    writeFileSync(this.configPath, this.startingConfig);
    if (this.tmpDir && !this.ownsDir) rmSync(join(this.tmpDir, 'passed'), { recursive: true, force: true });
  }

  private portOf(curl: string): number {
    try {
      return resolveTarget(parseCurl(curl).spec.url, { ports: this.ports }).port;
    } catch {
      return 0;
    }
  }

  setWeight(key: string, weight: number): number {
    if (!this.engine) throw new Error('This step runs no proxy, so there is no weight to change.');
    const [backend, server] = splitKey(key);
    this.engine.setWeight(backend, server, weight);
    const s = this.engine.snapshot().backends.find((b) => b.name === backend)?.servers.find((x) => x.name === server);
    return s?.weight ?? weight;
  }

  async toggleApp(key: string): Promise<string> {
    const row = this.rows().find((r) => r.key === key);
    if (!row) throw new Error(`no server ${key} in the running config`);
    const h = row.app ? this.handleOf(row.app) : undefined;
    if (!h) {
      throw new Error(`server ${key} points at an address this lab did not start, so there is no backend to stop; edit the config to point it at an app`);
    }
    if (h.stage === 'running' || h.stage === 'starting') {
      await h.stop();
      return this.engine
        ? `Stopped ${h.name} (${h.runtime}): health checks will mark ${row.server} DOWN after 'fall' failed checks.`
        : `Stopped ${h.name} (${h.runtime}): requests now fail.`;
    }
    await h.restart();
    return this.engine
      ? `Started ${h.name} again: health checks bring ${row.server} back UP after 'rise' good checks.`
      : `Started ${h.name} again.`;
  }

  async reload(): Promise<ReloadOutcome> {
    if (!this.engine && this.configPath && this.fileNames.length > 0) {
      // A learner file is not applied live: it is built and judged by `c`. Saving only refreshes what is shown.
      const text = this.readConfigFile();
      const unchanged = text === this.applied;
      this.applied = text;
      return { ok: true, diagnostics: [], ...(unchanged ? { unchanged } : {}) };
    }
    if (!this.engine || !this.configPath) return { ok: false, diagnostics: [], unchanged: true };
    let text: string;
    try {
      text = readFileSync(this.configPath, 'utf8');
    } catch (e) {
      return { ok: false, diagnostics: [{ severity: 'alert', message: `cannot read ${this.configPath}: ${(e as Error).message}` }] };
    }
    if (text === this.applied && this.errors.length === 0) return { ok: true, diagnostics: [], unchanged: true };
    return this.apply(text);
  }

  private async apply(text: string): Promise<ReloadOutcome> {
    await this.plan(text);
    const r = await this.engine!.reload({ text, name: this.configName ?? 'haproxy.cfg' });
    if (r.ok) {
      this.applied = text;
      this.errors = [];
      this.mapping = this.describeMapping();
    if (this.step.files.length > 0) {
      const { dir } = learnerDir(this.episode, progressPath());
      this.mapping = [
        `your files: ${dir}/ (${this.step.files.map((f) => f.name).join(', ')}): edit them, then c builds and judges them`,
        ...this.mapping,
      ];
    }
    } else {
      this.errors = r.diagnostics.filter((d) => d.severity === 'alert');
    }
    return { ok: r.ok, diagnostics: r.diagnostics };
  }

  private describeMapping(): string[] {
    return Object.entries(this.ports).map(([doc, lab]) => `localhost:${doc} → 127.0.0.1:${lab}`);
  }

  watchConfig(fn: () => void): () => void {
    if (!this.tmpDir || !this.configName) return () => {};
    let timer: NodeJS.Timeout | null = null;
    let w: FSWatcher;
    try {
      // The directory, not the file: editors often save by writing a new file and renaming it over the old.
      w = watch(this.tmpDir, (_event, name) => {
        if (name !== null && name !== this.configName) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(fn, 150);
      });
    } catch {
      return () => {};
    }
    w.on('error', () => {});
    this.watchers.add(w);
    return () => {
      if (timer) clearTimeout(timer);
      w.close();
      this.watchers.delete(w);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers) w.close();
    this.watchers.clear();
    for (const off of this.offs.splice(0)) off();
    if (this.opts.publishPorts !== false) clearPortMap();
    await this.who?.close();
    await this.engine?.stop().catch(() => {});
    // Leaving the step takes its containers down: the compose stack kept up, a container run from the prompt.
    await Promise.allSettled([this.hold.part?.dispose(), this.dockerPrompt?.dispose()]);
    this.hold.part = null;
    await this.group.dispose();
    if (this.tmpDir && this.ownsDir) rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
