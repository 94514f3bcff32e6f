// What a client session needs from the engine: the generation now serving its listener, ids, logging, events.
import type { ProxySpec } from '../config/model.ts';
import type { EventBus } from '../events.ts';
import type { SampleContext } from '../sample/context.ts';
import type { HeadLimits, RequestHead } from '../http/request-head.ts';
import type { StatsAnswer } from '../stats/handler.ts';
import type { ServerState } from '../server/server-state.ts';
import type { LiveFrontend, Generation } from './generation.ts';

export interface ListenerBinding {
  /** The frontend's name: on a reload, the session asks for the generation that now owns it. */
  readonly frontend: string;
  readonly address: string;
  readonly port: number;
  /** The port the config's bind line names (differs from `port` when the lab maps it elsewhere): what
   *  dst_port ACLs see, so a config written for port 80 decides the same way wherever it listens. */
  readonly configPort: number;
}

export interface LocalAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface SessionHost {
  readonly events: EventBus;
  /** The newest generation that still has this frontend, or null when a reload removed it. */
  resolve(frontend: string): { gen: Generation; fe: LiveFrontend } | null;
  nextId(): number;
  /** Connections open on every frontend (HAProxy's actconn). */
  readonly actconn: number;
  /** Whether a log line of this proxy would reach anyone (a target, a sink or a listener): else skip building it.
   *  `detailed` says whether the request was picked for detail events; a capped bus gets log lines only for those. */
  wantsLog(proxy: ProxySpec, detailed: boolean): boolean;
  /** Writes a traffic log line to the proxy's log targets. */
  log(proxy: ProxySpec, line: string): void;
  /** Where a server really is (the lab may map "app1:5001" to 127.0.0.1:PORT). */
  addressOf(server: ServerState): { host: string; port: number };
  readonly limits: HeadLimits;
  /** A connection that opened with HTTP/2's preface: `head` is what was read of it so far. */
  serveH2(sock: import('node:net').Socket, head: Buffer, binding: ListenerBinding): void;
  /** Whether the request is for this proxy's stats page (`stats enable`/`uri` and the path starts with it). */
  isStatsRequest(px: ProxySpec, path: string, query: string | null): boolean;
  /** The stats applet's answer (after isStatsRequest): 401, the page, the CSV, or the 303 after an admin POST
   *  whose form `body` it carries out. */
  stats(px: ProxySpec, req: RequestHead, ctx: SampleContext, body: string): StatsAnswer;
  sessionOpened(gen: Generation): void;
  sessionClosed(gen: Generation): void;
}
