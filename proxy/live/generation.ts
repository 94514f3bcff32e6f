// One loaded config while it serves: frontends and backends with their live state. A reload builds a new
// generation; requests in flight keep the one they started on.
import { ObjectCache } from '../cache/object-cache.ts';
import { VarStore } from '../sample/vars.ts';
import type { ProxyStateView, ProxyTimeouts, ServerLoad } from '../sample/context.ts';
import type { ConfigModel, ProxySpec } from '../config/model.ts';
import { LiveBackend } from './live-backend.ts';
import { compileForwardFor, type ForwardFor } from '../http/forward-for.ts';
import { StickTable } from '../stick/stick-table.ts';

export class LiveFrontend {
  readonly name: string;
  current = 0;
  totalConnections = 0;
  requests = 0;
  denied = 0;
  /** Responses an http-response deny replaced (dresp). */
  deniedResponses = 0;
  errors = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** HTTP responses by class: 1xx..5xx, other. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  /** Where it really listens ("127.0.0.1:8080"), filled by the engine. */
  readonly listening: string[] = [];

  /** `option forwardfor`, compiled with the generation. */
  readonly forwardFor: ForwardFor | undefined;

  constructor(readonly spec: ProxySpec) {
    this.name = spec.name;
    this.forwardFor = compileForwardFor(spec.options.forwardfor);
  }
}

export class Generation implements ProxyStateView {
  readonly frontends = new Map<string, LiveFrontend>();
  readonly backends = new Map<string, LiveBackend>();
  /** Sessions still running on this generation (to know when an old one may be dropped). */
  active = 0;

  /** The proc.* variables: this generation is HAProxy's process, so a reload starts again from global set-var. */
  readonly procVars = new VarStore('proc');

  /** Stick tables by name; a reload starts them empty, as a new HAProxy process without peers does. */
  readonly tables = new Map<string, StickTable>();

  /** cache sections' objects; a reload starts them empty, as a new HAProxy process does. */
  readonly caches = new Map<string, ObjectCache>();

  constructor(readonly id: number, readonly config: ConfigModel, random?: () => number) {
    for (const [name, value] of config.global.procVars) this.procVars.set(name, value);
    for (const fe of config.frontends) this.frontends.set(fe.name, new LiveFrontend(fe));
    for (const [name, be] of config.backends) this.backends.set(name, new LiveBackend(be, random));
    // in declaration order (the order of their lines), which "show table" lists backwards
    const specs = [...config.frontends, ...config.backends.values()].flatMap((px) => (px.stickTable ? [px.stickTable] : []));
    for (const s of config.global.peers.values()) specs.push(...s.tables);
    const fileIndex = (f: string): number => config.files.indexOf(f);
    specs.sort((a, b) => fileIndex(a.loc.file) - fileIndex(b.loc.file) || a.loc.line - b.loc.line);
    for (const spec of specs) if (!this.tables.has(spec.name)) this.tables.set(spec.name, new StickTable(spec));
    for (const c of config.global.caches.values()) this.caches.set(c.name, new ObjectCache(c));
  }

  backendOf(fe: ProxySpec): LiveBackend | undefined {
    return fe.kind === 'listen' ? this.backends.get(fe.name) : undefined;
  }

  // What nbsrv(), be_conn, fe_conn, queue, srv_is_up and srv_conn read.
  nbsrv(backend: string): number | undefined {
    const be = this.backends.get(backend);
    return be ? be.servers.reduce((n, s) => n + (s.usable ? 1 : 0), 0) : undefined;
  }

  beConn(backend: string): number | undefined {
    return this.backends.get(backend)?.served;
  }

  feConn(frontend: string): number | undefined {
    return this.frontends.get(frontend)?.current;
  }

  queue(backend: string): number | undefined {
    return this.backends.get(backend)?.queue.length;
  }

  srvIsUp(backend: string, server: string): boolean | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? s.op !== 'down' && s.admin !== 'maint' : undefined;
  }

  srvConn(backend: string, server: string): number | undefined {
    return this.backends.get(backend)?.byName.get(server)?.served;
  }

  timeouts(proxy: string): ProxyTimeouts | undefined {
    return (this.backends.get(proxy)?.spec ?? this.frontends.get(proxy)?.spec)?.timeouts;
  }

  serverLoad(backend: string, server: string): ServerLoad | undefined {
    const s = this.backends.get(backend)?.byName.get(server);
    return s ? { weight: s.effectiveWeight, userWeight: s.userWeight, initialWeight: s.spec.weight, queued: s.queued } : undefined;
  }
}
