// The runtime seam: docker, process and builtin start the documents' apps behind one interface.

export type RuntimeName = 'docker' | 'process' | 'builtin';
export type Stage = 'starting' | 'running' | 'stopped' | 'failed';

/** One app to start: which document's app, and where it must answer on 127.0.0.1. */
export interface AppSpec {
  /** App id as in apps/: e.g. "ep9-app1", "ep4-app2", "ep2-app", "docker-ep10-app". */
  readonly app: string;
  /** A name unique within an episode, e.g. "app1"; used in container names and the TUI. */
  readonly name: string;
  /** Host port on 127.0.0.1 to publish/listen on. */
  readonly hostPort: number;
  /** Labels for docker (episode id...). */
  readonly episode?: string;
}

export interface RuntimeHandle extends AsyncDisposable {
  readonly id: string;
  readonly name: string;
  readonly runtime: RuntimeName;
  /** "127.0.0.1:PORT" */
  readonly address: string;
  readonly stage: Stage;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Recent log lines (bounded). */
  logs(): readonly string[];
  onLog(fn: (line: string) => void): () => void;
  /** The catalog app id this handle runs (AppSpec.app). */
  readonly app: string;
  /** The port on 127.0.0.1 it answers on. */
  readonly hostPort: number;
  /** Called on every stage change (a killed app goes to "stopped"). */
  onStage(fn: (stage: Stage) => void): () => void;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Whether this runtime can work here; when not, what to install or start. */
  available(): Promise<{ ok: true; detail: string } | { ok: false; why: string; fix: string }>;
  /** Prepare (build images...) with progress; idempotent. */
  prepare?(apps: readonly string[], progress: (line: string) => void): Promise<void>;
  start(spec: AppSpec): Promise<RuntimeHandle>;
  /** Remove what a crashed lab left behind. */
  cleanupStale?(): Promise<number>;
  /** Stop and remove everything this runtime started. */
  dispose?(): Promise<void>;
}
