// option http-buffer-request: the rules wait for the body, or for as much of it as the buffer holds
// (http_wait_for_request_body), within timeout http-request.
import type { BufferedBody } from './request-body.ts';
import type { Txn } from './exchange.ts';
import type { ProxySpec } from '../config/model.ts';

/** What the wait needs of its session: the body held so far, the client timeout, whether `t` is still current. */
export interface BufferingSession {
  bodyNow(): BufferedBody;
  setClientTimeout(ms: number): void;
  isCurrent(t: Txn): boolean;
}

export class RequestBuffering {
  private waiting: { t: Txn; resume: () => void } | null = null;

  constructor(private readonly s: BufferingSession) {}

  get active(): boolean {
    return this.waiting !== null;
  }

  /**
   * Holds `t`'s rules until its body is buffered; false when they may run now. `wants` is the proxy whose option
   * asks for it (the frontend's, or the backend's once the stream enters it); the wait is the client's, timed by
   * the frontend's timeout http-request.
   */
  hold(t: Txn, resume: () => void, wants: ProxySpec = t.fe.spec): boolean {
    const fe = t.fe.spec;
    if (!wants.options.httpBufferRequest || !t.req.hasBody || this.buffered()) return false;
    this.waiting = { t, resume };
    this.s.setClientTimeout(fe.timeouts.httpRequest ?? fe.timeouts.client ?? 0);
    return true;
  }

  /** More of the body arrived: resume the rules once enough is held. */
  check(): void {
    const w = this.waiting!;
    if (!this.s.isCurrent(w.t)) {
      this.waiting = null;
      return;
    }
    if (!this.buffered()) return;
    this.waiting = null;
    this.s.setClientTimeout(w.t.fe.spec.timeouts.client ?? 0);
    w.resume();
  }

  /** timeout http-request struck during the wait: it ends (the session answers 408). */
  cancel(): void {
    this.waiting = null;
  }

  private buffered(): boolean {
    const b = this.s.bodyNow();
    return b.complete || b.full;
  }
}
