// A playground's world: the config on the engine, every bind on a free 127.0.0.1 port, every server on loopback
// (stand-ins where nothing of the learner's listens). Reloads place new binds and servers the same way.
import { basename } from 'node:path';
import { createEngine, EventBus, loadConfig, type ConfigModel, type Diagnostic, type Engine } from '../../proxy/index.ts';
import { freePort, listensOn } from '../runtimes/ports.ts';
import { bindKey, placeConfig, type Placement, type PlacedServer } from './placement.ts';
import { startStandIn, type StandIn } from './stand-in.ts';
import { documentApps } from './document-apps.ts';
import { createRuntime } from '../runtimes/choose-runtime.ts';
import { startApps, type AppGroup } from '../runtimes/app-group.ts';
import type { RuntimeHandle, RuntimeName } from '../runtimes/runtime.ts';

export interface OpenWorldOptions {
  /** The config text and the name its messages use ("haproxy.cfg"). */
  readonly text: string;
  readonly name: string;
  readonly resolve?: ReadonlyMap<string, string>;
  readonly map?: ReadonlyMap<number, number>;
  readonly events?: EventBus;
  /** Every log line the engine writes (traffic, state changes). */
  readonly onLog?: (line: string) => void;
  /** Run the documents' apps the config names on this runtime instead of stand-ins. */
  readonly runtime?: RuntimeName;
  readonly progress?: (line: string) => void;
}

/** Thrown when the config has alerts: the diagnostics say where and what. */
export class PlayConfigError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super('the configuration has errors');
  }
}

export class PlayWorld {
  readonly standIns = new Map<string, StandIn>();
  /** Document apps started with --runtime, by server key. */
  readonly apps = new Map<string, RuntimeHandle>();
  private group: AppGroup | null = null;
  private deadPort = 0;
  private constructor(
    readonly engine: Engine,
    public placement: Placement,
    readonly events: EventBus,
    readonly name: string,
    private readonly opts: OpenWorldOptions,
    public text: string,
  ) {}

  // Loads the text, places it, starts stand-ins and the engine; on failure stops what it started.
  static async open(opts: OpenWorldOptions): Promise<PlayWorld> {
    const loaded = loadConfig({ text: opts.text, name: opts.name });
    if (!loaded.model) throw new PlayConfigError(loaded.diagnostics);
    const placement = await place(loaded.model, opts);
    const events = opts.events ?? new EventBus();
    let world: PlayWorld | null = null;
    const engine = createEngine({
      source: { text: opts.text, name: opts.name },
      anyAddress: '127.0.0.1',
      mapBind: (b, fe) => world!.bindAddress(fe, b.text, b.port),
      mapServer: (s, be) => world!.serverAddress(be, s.name),
      resolvers: false,
      logSink: (line) => opts.onLog?.(line),
      events,
    });
    world = new PlayWorld(engine, placement, events, opts.name, opts, opts.text);
    try {
      world.deadPort = await freePort();
      if (opts.runtime) await world.startDocumentApps(opts.runtime);
      await world.startStandIns();
      await engine.start();
    } catch (e) {
      await world.close();
      throw e;
    }
    return world;
  }

  get config(): ConfigModel {
    return this.engine.config;
  }

  /** Where the engine listens for a document port (the first bind of that port). */
  portFor(docPort: number): number | undefined {
    return this.placement.binds.find((b) => b.docPort === docPort)?.port;
  }

  /** Document port → engine port, for mapping curl's localhost URLs. */
  ports(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const b of this.placement.binds) out[String(b.docPort)] ??= b.port;
    return out;
  }

  private bindAddress(frontend: string, written: string, docPort: number): { host: string; port: number } {
    const b = this.placement.binds.find((x) => bindKey(x.frontend, x.written) === bindKey(frontend, written)) ?? this.placement.binds.find((x) => x.docPort === docPort);
    return { host: '127.0.0.1', port: b?.port ?? 0 };
  }

  // Never anything but loopback: a server the placement did not see goes to a port where nothing listens.
  private serverAddress(backend: string, server: string): { host: string; port: number } {
    const p = this.placement.servers.find((s) => s.backend === backend && s.server === server);
    if (!p) return { host: '127.0.0.1', port: this.deadPort };
    return { host: p.host, port: p.kind === 'stand-in' ? (this.standIns.get(`${backend}/${server}`)?.port ?? p.port) : p.port };
  }

  // The documents' apps the config names, on the runtime, each on a free port; their servers point there.
  private async startDocumentApps(name: RuntimeName): Promise<void> {
    const found = documentApps(this.placement.servers.filter((s) => s.kind === 'stand-in'));
    if (found.size === 0) return;
    const runtime = createRuntime(name);
    const avail = await runtime.available();
    if (!avail.ok) throw new Error(`the ${name} runtime cannot run here: ${avail.why}\n  Fix: ${avail.fix}`);
    const specs: { key: string; app: string; name: string; hostPort: number; episode: string }[] = [];
    for (const [key, a] of found) {
      if (specs.some((x) => x.app === a.app)) continue;
      specs.push({ key, app: a.app, name: a.name, hostPort: await freePort(), episode: a.episode });
    }
    this.group = await startApps(runtime, specs.map(({ key: _k, ...s }) => s), this.opts.progress);
    const byApp = new Map(specs.map((s, i) => [s.app, { spec: s, handle: this.group!.handles[i]! }]));
    this.placement = {
      binds: this.placement.binds,
      servers: this.placement.servers.map((s) => {
        const a = found.get(`${s.backend}/${s.server}`);
        const started = a ? byApp.get(a.app) : undefined;
        if (!a || !started) return s;
        this.apps.set(`${s.backend}/${s.server}`, started.handle);
        return { ...s, kind: 'app' as const, host: '127.0.0.1', port: started.spec.hostPort, app: `${a.name} (${a.app}, ${name})` };
      }),
    };
  }

  private async startStandIns(): Promise<void> {
    for (const s of this.placement.servers) {
      const key = `${s.backend}/${s.server}`;
      if (s.kind !== 'stand-in' || this.standIns.has(key)) continue;
      this.standIns.set(key, await startStandIn({ backend: s.backend, server: s.server, written: s.written, port: s.port }));
    }
  }

  /** The place of a server: where it answers and whether it is a stand-in. */
  placeOf(backend: string, server: string): PlacedServer | undefined {
    return this.placement.servers.find((s) => s.backend === backend && s.server === server);
  }

  // Applies a new text: binds and servers already placed keep their place, new ones get one.
  async reload(text: string): Promise<{ ok: boolean; diagnostics: readonly Diagnostic[] }> {
    const loaded = loadConfig({ text, name: this.name });
    if (!loaded.model) return { ok: false, diagnostics: loaded.diagnostics };
    const fresh = await place(loaded.model, this.opts);
    const old = this.placement;
    this.placement = {
      binds: fresh.binds.map((b) => old.binds.find((o) => o.frontend === b.frontend && o.written === b.written) ?? old.binds.find((o) => o.docPort === b.docPort) ?? b),
      servers: fresh.servers.map((s) => old.servers.find((o) => o.backend === s.backend && o.server === s.server && o.written === s.written && (o.kind === s.kind || o.kind === 'app')) ?? s),
    };
    await this.startStandIns();
    const r = await this.engine.reload({ text, name: this.name });
    if (r.ok) this.text = text;
    else this.placement = old;
    return { ok: r.ok, diagnostics: r.diagnostics };
  }

  async close(): Promise<void> {
    await this.engine.stop().catch(() => {});
    await Promise.all([...this.standIns.values()].map((s) => s.close()));
    this.standIns.clear();
    await this.group?.dispose();
    await this.group?.runtime.dispose?.();
    this.group = null;
  }
}

function place(model: ConfigModel, opts: OpenWorldOptions): Promise<Placement> {
  return placeConfig(model, {
    freePort,
    listening: listensOn,
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
    ...(opts.map ? { map: opts.map } : {}),
  });
}

/** The name diagnostics use for a config file. */
export function configName(path: string): string {
  return basename(path);
}
