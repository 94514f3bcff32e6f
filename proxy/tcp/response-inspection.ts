// Holding a server's response while a backend's tcp-response content rules decide (AN_RES_INSPECT). The rules
// first run once the server is connected, with nothing received yet, then on each read, and a last time when the
// response can no longer change their answer: the server closed, the buffer is full (tune.bufsize less
// tune.maxrewrite), the mode http message is complete, or the inspect delay (counted from the connection) is over.
// Without an inspect delay the first evaluation is already the final one, as in HAProxy.
import type { SampleContext } from '../sample/context.ts';
import type { TcpResponseRule } from '../config/model.ts';
import { responseVerdict, type ResponseProgress } from './tcp-response-rules.ts';

export type InspectionEnd = 'accept' | 'reject' | 'close';

export interface ResponseInspectionSpec {
  readonly rules: readonly TcpResponseRule[];
  readonly delay: number;
  /** Bytes after which the buffer counts as full. */
  readonly fullAt: number;
  /** The rules' context on what is held so far. */
  context(held: Buffer): SampleContext;
  /** Whether what is held is a whole message already (mode http); mode tcp: never. */
  complete(held: Buffer): boolean;
  /** The stream came to this backend from another frontend. */
  readonly backend: boolean;
}

export class ResponseInspection {
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly progress: ResponseProgress = { at: 0 };
  private decided = false;

  constructor(
    private readonly spec: ResponseInspectionSpec,
    /** Called once, with what was held: the caller forwards it (accept, close) or drops it (reject). */
    private readonly onEnd: (end: InspectionEnd, held: Buffer) => void,
  ) {}

  get active(): boolean {
    return !this.decided;
  }

  /** The server is connected: the first evaluation, and the inspect delay's timer. */
  start(): void {
    if (this.spec.delay > 0) this.timer = setTimeout(() => this.evaluate(true), this.spec.delay);
    this.evaluate(this.spec.delay <= 0);
  }

  /** Bytes from the server while the rules have not decided. */
  push(d: Buffer): void {
    this.chunks.push(d);
    this.size += d.length;
    this.evaluate(false);
  }

  /** The server closed its side: the rules decide on what came. */
  serverEnded(): void {
    this.evaluate(true);
  }

  /** The stream ended first: nothing more is decided. */
  cancel(): void {
    this.decided = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private held(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private evaluate(final: boolean): void {
    if (this.decided) return;
    const held = this.held();
    const last = final || this.size >= this.spec.fullAt || this.spec.complete(held);
    const verdict = responseVerdict(this.spec.rules, this.spec.context(held), last, this.progress, this.spec.backend);
    if (verdict === 'wait') return;
    this.cancel();
    this.onEnd(verdict, held);
  }
}
