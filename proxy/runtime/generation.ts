// One loaded config while it serves: frontends and backends with their live state. A reload builds a new
// generation; requests in flight keep the one they started on.
import type { ConfigModel, ProxySpec } from '../config/model.ts';
import { BackendRuntime } from './backend-runtime.ts';

export class FrontendRuntime {
  readonly name: string;
  current = 0;
  totalConnections = 0;
  requests = 0;
  denied = 0;
  errors = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Where it really listens ("127.0.0.1:8080"), filled by the engine. */
  readonly listening: string[] = [];

  constructor(readonly spec: ProxySpec) {
    this.name = spec.name;
  }
}

export class Generation {
  readonly frontends = new Map<string, FrontendRuntime>();
  readonly backends = new Map<string, BackendRuntime>();
  /** Sessions still running on this generation (to know when an old one may be dropped). */
  active = 0;

  constructor(readonly id: number, readonly config: ConfigModel, random?: () => number) {
    for (const fe of config.frontends) this.frontends.set(fe.name, new FrontendRuntime(fe));
    for (const [name, be] of config.backends) this.backends.set(name, new BackendRuntime(be, random));
  }

  backendOf(fe: ProxySpec): BackendRuntime | undefined {
    return fe.kind === 'listen' ? this.backends.get(fe.name) : undefined;
  }
}
