// Shared bookkeeping of a runtime handle: stage, bounded log lines and their listeners.
import type { RuntimeName, Stage } from './runtime.ts';

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
