// Who answered a connection, as the engine said: its request event names the client port, its response event
// the backend and server. Kept for the last few thousand connections, so `lab curl` and the playground can name
// the server of any answer (a 404 of app2, the engine's own 503 <NOSRV>), whatever the body says.
import type { EventBus } from '../../proxy/index.ts';

export interface Answered {
  readonly frontend: string;
  readonly backend: string;
  readonly server: string;
  readonly status: number;
  readonly termination: string;
  /** The engine's request id (the explain trace's). */
  readonly id: number;
}

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
      this.byPort.delete(port);
      this.byPort.set(port, { frontend: e.frontend, backend: e.backend, server: e.server, status: e.status, termination: e.termination, id: e.id });
      if (this.byPort.size > this.keep) this.byPort.delete(this.byPort.keys().next().value!);
    });
    return () => {
      offReq();
      offRes();
    };
  }

  /** What answered the client connection from this local port (the latest one, ports are reused). */
  byClientPort(port: number): Answered | undefined {
    return this.byPort.get(port);
  }
}
