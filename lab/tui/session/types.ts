// What the TUI's screens need from the lab, as interfaces: the real session (step-session.ts) starts apps and
// the engine; tests pass fakes, so screens render without sockets.
import type { LineResult } from '../../play/send.ts';
import type { EngineSnapshot } from '../../../proxy/index.ts';
import type { Diagnostic } from '../../../proxy/index.ts';
import type { EventBus } from '../../../proxy/index.ts';
import type { CheckResult, Episode, Step } from '../../episodes/schema.ts';
import type { RuntimeName, Stage } from '../../runtimes/runtime.ts';
import type { ContainerFeed } from '../../docker/container-events.ts';

/** One row of the backends table. */
export interface ServerRow {
  /** "backend/server". */
  readonly key: string;
  readonly backend: string;
  readonly server: string;
  /** Stable index for glyph and color. */
  readonly index: number;
  /** The episode app behind it, or null when the config points elsewhere. */
  readonly app: string | null;
  readonly runtime: RuntimeName | null;
  readonly stage: Stage | null;
  /** As health checks see it: UP, DOWN, MAINT, DRAIN, or "no check" states like "UP (no check)". */
  readonly state: string;
  readonly up: boolean;
  readonly weight: number;
  /** Requests it served since the engine started. */
  readonly served: number;
  /** The last check's status, e.g. "L7OK", or "" when it has no check. */
  readonly check: string;
}

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the file was unchanged since the last apply (nothing reloaded). */
  readonly unchanged?: boolean;
}

export interface FireOptions {
  readonly count: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  /** Called after each answer with how many are done. */
  readonly onProgress?: (done: number) => void;
}

/** A typed request's outcome as the response pane shows it. */
export interface Exchange extends LineResult {
  readonly line: string;
}

export interface FireResult {
  readonly sent: number;
  readonly failed: number;
  /** One line about the last error, when some failed. */
  readonly error?: string;
}

export interface StepSessionView {
  readonly episode: Episode;
  readonly stepIndex: number;
  readonly step: Step;
  /** Every engine event (and, for steps without a proxy, the lab's own response events). */
  readonly events: EventBus;
  readonly hasEngine: boolean;
  /** The file `e`/`i` edit: the editable copy of the step's config, or on a Docker step the learner file now
   * selected (Dockerfile, .dockerignore, app.py...); null when there is neither. */
  readonly configPath: string | null;
  /** The learner files of a step without a config, in the order `f` goes through them (empty otherwise). */
  readonly fileNames: readonly string[];
  /** Selects the step's next learner file for editing; returns a sentence saying which. */
  selectNextFile(): string;
  /** Name diagnostics use, e.g. "haproxy.cfg". */
  readonly configName: string | null;
  /** The config now serving, as text. */
  configText(): string | null;
  /** "localhost:80 → 127.0.0.1:38211" lines. */
  readonly mapping: readonly string[];
  /** The request the space key sends, as curl. */
  readonly curl: string;
  /** Moves the space key to the step's next experiment (wrapping); returns its curl. */
  nextExperiment(): string;
  rows(): readonly ServerRow[];
  snapshot(): EngineSnapshot | null;
  /** The diagnostics of the last refused reload (empty when the last one applied). */
  lastErrors(): readonly Diagnostic[];
  fire(opts: FireOptions): Promise<FireResult>;
  /** Sends a typed curl line (the request prompt) and returns the last answer in full: status, headers, body, who. */
  send(line: string, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<Exchange>;
  /** The step's containers as typed events (Docker steps; absent in fakes without Docker). */
  readonly containers?: ContainerFeed;
  /** Runs a docker line typed at the prompt (build or run of this step's image); resolves with one sentence. */
  runDockerLine?(line: string, progress: (line: string) => void): Promise<{ readonly ok: boolean; readonly message: string }>;
  /** Runs every experiment of the step, then its checks. */
  runChecks(signal?: AbortSignal, onProgress?: (line: string) => void): Promise<readonly CheckResult[]>;
  /** Changes a server's weight live; returns the new weight. Throws with HAProxy's words when refused. */
  setWeight(key: string, weight: number): number;
  /** Stops the app behind the server, or starts it again; returns a sentence saying which. */
  toggleApp(key: string): Promise<string>;
  /** The step's starting config text (marks point at its lines), null without a config. */
  readonly startingConfig: string | null;
  /** The learner's config file as it is on disk now (it may differ from what serves after a refused reload). */
  readConfigFile(): string | null;
  /** Writes the learner's config file (the watcher or a reload applies it). */
  writeConfigFile(text: string): void;
  /** The step's solution config, or a sentence saying why it cannot be shown. */
  solutionText(): string;
  /** Live changes that the file does not have and a reload would drop ("server1 weight 3"). */
  liveChanges(): readonly string[];
  /** Writes the live weights into the learner's config file; returns what it changed. */
  writeLiveWeights(): string;
  /** Puts the step's starting config back into the learner's file and forgets the kept copy. */
  resetStep(): Promise<void>;
  /** Reads the config file and reloads the engine with it. */
  reload(): Promise<ReloadOutcome>;
  /** Calls fn when the config file changes on disk; returns the unwatch function. */
  watchConfig(fn: () => void): () => void;
  /** Stops the engine and every app this session started. */
  close(): Promise<void>;
}

export interface EpisodeSummary {
  readonly id: string;
  readonly title: string;
  readonly document: string;
  readonly summary: string;
  readonly steps: number;
  readonly done: number;
  /** Index of the step the learner last had open. */
  readonly current?: number;
}

export interface EditOutcome {
  readonly ok: boolean;
  readonly message: string;
  /** No editor could be found: the screen offers its inline editor instead. */
  readonly noEditor?: boolean;
}

/** Everything the app router needs from the outside world. */
export interface LabServices {
  listEpisodes(): Promise<readonly EpisodeSummary[]>;
  loadEpisode(id: string): Promise<Episode>;
  /** Step ids the learner finished. */
  doneSteps(episodeId: string): Promise<ReadonlySet<string>>;
  markDone(episodeId: string, stepId: string): Promise<void>;
  /** Starts the step's apps and proxy; progress lines arrive while images build or apps start. */
  openStep(episode: Episode, stepIndex: number, progress: (line: string) => void): Promise<StepSessionView>;
  /** Opens the config in the learner's editor; resolves when the editor exits. */
  editFile(path: string): Promise<EditOutcome>;
  /** $EDITOR or $VISUAL is set (else `e` opens the inline editor and says why). */
  readonly editorSet?: boolean;
}
