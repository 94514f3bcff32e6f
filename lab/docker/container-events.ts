// What the lab's containers do, as typed events: one started (its image, port and the 127.0.0.1 port it is
// published on), its state changing, a request seen in its own output (an app's access line, the proxy's log record
// with the server it named), and its removal. The TUI's containers table is folded from these alone.
import { ACCESS_LINE, parseProxyLog } from './log-lines.ts';

export type ContainerEvent =
  | {
      readonly kind: 'container-started';
      /** The name the learner knows it by (flask1, app2, the document's image for a lone container). */
      readonly name: string;
      readonly image: string;
      /** The port inside the container. */
      readonly port: number;
      /** Where it is published on 127.0.0.1; 0 when it is reached only on its network. */
      readonly hostPort: number;
      readonly state: string;
      readonly role: 'app' | 'proxy';
    }
  | { readonly kind: 'container-state'; readonly name: string; readonly state: string }
  /** A request in the container's own output; `server` is whom a proxy's log record named. */
  | { readonly kind: 'container-request'; readonly name: string; readonly server?: string }
  | { readonly kind: 'container-removed'; readonly name: string };

export type ContainerEventSink = (e: ContainerEvent) => void;

// The request a line of a container's output records, or null (start-up notices, warnings).
export function requestIn(name: string, role: 'app' | 'proxy', line: string): ContainerEvent | null {
  if (role === 'app') return ACCESS_LINE.test(line) ? { kind: 'container-request', name } : null;
  const r = parseProxyLog(line);
  return r ? { kind: 'container-request', name, server: r.server } : null;
}

/** Container events of one open step, kept (bounded) for a screen that subscribes later. */
export class ContainerFeed {
  private readonly listeners = new Set<ContainerEventSink>();
  private readonly backlog: ContainerEvent[] = [];

  constructor(private readonly keep = 500) {}

  emit = (e: ContainerEvent): void => {
    this.backlog.push(e);
    if (this.backlog.length > this.keep) this.backlog.splice(0, this.backlog.length - this.keep);
    for (const fn of this.listeners) fn(e);
  };

  // Subscribes; what happened before arrives first, in order.
  subscribe(fn: ContainerEventSink): () => void {
    for (const e of this.backlog) fn(e);
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
