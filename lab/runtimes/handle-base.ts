// Shared bookkeeping of a runtime handle: stage, bounded log lines and their listeners.
import type { AppEntry } from './app-catalog.ts';
import type { AppSpec, RuntimeHandle, RuntimeName, Stage } from './runtime.ts';

const MAX_LINES = 500;

// What every runtime handle keeps the same way, so the TUI sees one behaviour.
export class HandleState {
  stage: Stage = 'starting';
  private readonly lines: string[] = [];
  private readonly logListeners = new Set<(line: string) => void>();
  private readonly stageListeners = new Set<(stage: Stage) => void>();
  private partial = '';

  constructor(
    readonly runtime: RuntimeName,
    readonly name: string,
  ) {}

  // Record one finished log line and tell the listeners.
  log(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
    for (const fn of this.logListeners) fn(line);
  }

  // Feed a chunk of output; complete lines are logged, the rest waits for its newline.
  write(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.log(p);
  }

  // Log whatever is left without a trailing newline.
  flush(): void {
    if (this.partial) this.log(this.partial);
    this.partial = '';
  }

  // Move to a stage and tell the listeners (only on change).
  set(stage: Stage): void {
    if (this.stage === stage) return;
    this.stage = stage;
    for (const fn of this.stageListeners) fn(stage);
  }

  logs(): readonly string[] {
    return [...this.lines];
  }

  // The last few lines, for error messages.
  tail(n = 8): string {
    return this.lines.slice(-n).join('\n');
  }

  onLog(fn: (line: string) => void): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  onStage(fn: (stage: Stage) => void): () => void {
    this.stageListeners.add(fn);
    return () => this.stageListeners.delete(fn);
  }
}

// What the three runtimes' handles answer the same way: names, address, stage, logs. Each adds how it starts,
// stops and identifies what it runs.
export abstract class HandleBase implements Omit<RuntimeHandle, 'id' | 'stop' | 'kill' | 'restart' | typeof Symbol.asyncDispose> {
  readonly address: string;
  protected readonly state: HandleState;

  constructor(
    readonly runtime: RuntimeName,
    protected readonly entry: AppEntry,
    protected readonly spec: AppSpec,
  ) {
    this.address = `127.0.0.1:${spec.hostPort}`;
    this.state = new HandleState(runtime, spec.name);
  }

  get name(): string {
    return this.spec.name;
  }
  get app(): string {
    return this.entry.id;
  }
  get hostPort(): number {
    return this.spec.hostPort;
  }
  get stage(): Stage {
    return this.state.stage;
  }
  logs(): readonly string[] {
    return this.state.logs();
  }
  onLog(fn: (line: string) => void): () => void {
    return this.state.onLog(fn);
  }
  onStage(fn: (stage: Stage) => void): () => void {
    return this.state.onStage(fn);
  }
}
