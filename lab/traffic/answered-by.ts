// Who answered a connection, as the engine said: its request event names the client port, its response event
// the backend and server. Kept for the last few thousand connections, so `lab curl` and the playground can name
// the server of any answer (a 404 of app2, the engine's own 503 <NOSRV>), whatever the body says.
import type { EventBus } from '../../proxy/index.ts';

export interface Answered {
  readonly frontend: string;
  readonly backend: string;
  readonly server: string;
  readonly status?: number;
  readonly termination?: string;
  /** The engine's request id (the explain trace's), when learnt from events. */
  readonly id?: number;
}

// A traffic log line's client port, frontend and backend/server (httplog, tcplog and HAProxy's default format).
const LOG_HEAD = /(?:^|\s)[\d.:a-f[\]]+:(\d+) \[[^\]]+\] (\S+) ([^\s/]+)\/(\S+) /;

export class AnsweredBy {
  private readonly portOf = new Map<number, number>();
  private readonly byPort = new Map<number, Answered>();
  constructor(private readonly keep = 5000) {}

  // Listens to the bus; returns the function that stops listening.
  attach(events: EventBus): () => void {
    const offReq = events.on('request', (e) => this.portOf.set(e.id, e.srcPort));
    const offRes = events.on('response', (e) => {
      const port = this.portOf.get(e.id);
      if (port === undefined) return;
      this.portOf.delete(e.id);
      this.remember(port, { frontend: e.frontend, backend: e.backend, server: e.server, status: e.status, termination: e.termination, id: e.id });
    });
    return () => {
      offReq();
      offRes();
    };
  }

  // Learns from a traffic log line (the engine's logSink): no event listener needed, so no backlog is consumed.
  noteLog(line: string): void {
    const m = LOG_HEAD.exec(line);
    if (!m) return;
    this.remember(Number(m[1]), { frontend: m[2]!, backend: m[3]!, server: m[4]! });
  }

  private remember(port: number, a: Answered): void {
    this.byPort.delete(port);
    this.byPort.set(port, a);
    if (this.byPort.size > this.keep) this.byPort.delete(this.byPort.keys().next().value!);
  }

  /** What answered the client connection from this local port (the latest one, ports are reused). */
  byClientPort(port: number): Answered | undefined {
    return this.byPort.get(port);
  }
}
