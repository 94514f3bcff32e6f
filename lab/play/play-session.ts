// One playground: a PlayWorld (engine + stand-ins) on the learner's file, real haproxy beside it when comparing,
// requests typed as curl, who answered each and why, live weights, stand-ins stopped and started, reloads from
// the file, and a transcript of it all.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { EventBus, type Diagnostic, type EngineSnapshot } from '../../proxy/index.ts';
import { freePort } from '../runtimes/ports.ts';
import { AnsweredBy } from '../traffic/answered-by.ts';
import { haproxyVersion, startHaproxySide, type HaproxySide } from './haproxy-side.ts';
import { describePlacement } from './placement.ts';
import { PlayConfigError, PlayWorld } from './play-world.ts';
import { sendLine, type LineResult, type Side } from './send.ts';
import { Transcript } from './transcript.ts';
import { clearPortMap, writePortMap } from '../traffic/port-map.ts';
import { startWhoService, type WhoService } from '../traffic/who-service.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { initialTraffic, trafficReducer, type TrafficState } from '../tui/state/traffic.ts';
import { explainLines } from '../tui/state/explain.ts';

/** A server row as the backends table shows it (the episode screen's ServerRow shape). */
export interface PlayServerRow {
  readonly key: string;
  readonly backend: string;
  readonly server: string;
  readonly index: number;
  readonly app: string | null;
  readonly runtime: null;
  readonly stage: null;
  readonly state: string;
  readonly up: boolean;
  readonly weight: number;
  readonly served: number;
  readonly check: string;
  /** "stand-in" or "listening" (the learner's own server). */
  readonly kind: string;
}

/** What one typed request produced: the last answer of each side, how many were sent, differences. */
export interface PlayExchange extends LineResult {
  readonly line: string;
  /** The engine's request id of the last answer (for its explain trace). */
  readonly id?: number;
  /** "backend/server" of the last answer as the engine says, null for <NOSRV>. */
  readonly serverKey?: string | null;
}

export interface PlaySessionOptions {
  readonly file: string;
  readonly resolve?: ReadonlyMap<string, string>;
  readonly map?: ReadonlyMap<number, number>;
  readonly compare?: boolean;
  /** Write the transcript here after every entry (--record FILE). */
  readonly record?: string;
  /** Run the documents' apps the config names on this runtime (--runtime). */
  readonly runtime?: RuntimeName;
}

export class PlaySession {
  /** What the screen subscribes to (with a backlog until it does). */
  readonly events = new EventBus(5000, { detailedPerSecond: 200 });
  readonly transcript: Transcript;
  private readonly answered = new AnsweredBy();
  private readonly engineLogs: string[] = [];
  private haproxy: HaproxySide | null = null;
  private errors: readonly Diagnostic[] = [];
  private watcher: FSWatcher | null = null;
  private readonly offs: (() => void)[] = [];
  private comparing = false;
  private who: WhoService | null = null;
  /** A sentence for the status line when opening went partly wrong (haproxy refused the config). */
  startupNote: string | null = null;
  // the last requests' traces (request → acl → route → balance → response), for "why" in the transcript
  private traffic: TrafficState = initialTraffic();

  private constructor(readonly file: string, private world: PlayWorld, opts: PlaySessionOptions) {
    this.transcript = new Transcript(basename(file), opts.record);
  }

  // Opens the file on the engine (and haproxy with compare); throws PlayConfigError with the diagnostics when it has alerts.
  static async open(opts: PlaySessionOptions): Promise<PlaySession> {
    const text = readFileSync(opts.file, 'utf8');
    const inner = new EventBus();
    let session: PlaySession | null = null;
    const world = await PlayWorld.open({
      text, name: basename(opts.file), events: inner,
      onLog: (l) => session?.noteLog(l),
      ...(opts.resolve ? { resolve: opts.resolve } : {}), ...(opts.map ? { map: opts.map } : {}), ...(opts.runtime ? { runtime: opts.runtime } : {}),
    });
    session = new PlaySession(opts.file, world, opts);
    // one listener on the engine's bus: who answered, the transcript's health lines, and the screen's bus
    session.offs.push(session.answered.attach(inner));
    session.offs.push(inner.onAny((e) => {
      if (e.kind === 'server-state') session!.transcript.health(e.message);
      if (e.kind === 'request' || e.kind === 'acl' || e.kind === 'route' || e.kind === 'balance' || e.kind === 'response') {
        session!.traffic = trafficReducer(session!.traffic, { type: 'events', events: [e] });
      }
      session!.events.emit(e);
    }));
    session.transcript.config(text, world.config.diagnostics);
    if (opts.compare) {
      // haproxy refusing the config is worth showing, not a reason to keep the learner out
      try {
        await session.setCompare(true);
      } catch (e) {
        session.startupNote = `haproxy did not start beside the engine: ${(e as Error).message.split('\n').slice(0, 2).join(' ')}`;
      }
    }
    return session;
  }

  private noteLog(line: string): void {
    this.engineLogs.push(line);
    if (this.engineLogs.length > 2000) this.engineLogs.splice(0, 1000);
  }

  get name(): string {
    return basename(this.file);
  }

  configText(): string {
    return this.world.text;
  }

  lastErrors(): readonly Diagnostic[] {
    return this.errors;
  }

  /** Warnings of the serving config that say a keyword is ignored, with their line. */
  unsupported(): readonly Diagnostic[] {
    return this.world.config.diagnostics.filter((d) => d.severity === 'warning' && /not supported/.test(d.message));
  }

  warnings(): readonly Diagnostic[] {
    return this.world.config.diagnostics.filter((d) => d.severity !== 'alert');
  }

  placementLines(): string[] {
    return describePlacement(this.world.placement);
  }

  ports(): Record<string, number> {
    return this.world.ports();
  }

  /** The request space sends before any was typed: a GET of the first bind. */
  defaultRequest(): string {
    const p = this.world.placement.binds[0]?.docPort ?? 80;
    return `curl http://localhost${p === 80 ? '' : `:${p}`}/`;
  }

  get compareOn(): boolean {
    return this.comparing;
  }

  /** The haproxy line for the header, or why it is not there. */
  compareStatus(): string {
    if (!this.comparing) return haproxyVersion() ? 'haproxy beside it: off (v)' : 'no haproxy installed (apt-get install haproxy)';
    return `haproxy beside it on ${[...(this.haproxy?.ports.values() ?? [])].map((p) => `:${p}`).join(' ')}`;
  }

  // Starts or stops real haproxy beside the engine; throws with haproxy's words when it refuses the config.
  async setCompare(on: boolean): Promise<void> {
    await this.haproxy?.stop();
    this.haproxy = null;
    this.comparing = false;
    if (!on) return;
    if (!haproxyVersion()) throw new Error('real haproxy is not installed here (Debian: apt-get install haproxy; `lab doctor` checks)');
    this.haproxy = await startHaproxySide(this.world.text, this.name, this.world.placement, freePort, dirname(resolve(this.file)));
    this.comparing = true;
  }

  snapshot(): EngineSnapshot {
    return this.world.engine.snapshot();
  }

  rows(): PlayServerRow[] {
    const out: PlayServerRow[] = [];
    let index = 0;
    for (const b of this.snapshot().backends) {
      for (const s of b.servers) {
        const place = this.world.placeOf(b.name, s.name);
        const state = s.admin === 'maint' ? 'MAINT' : s.admin === 'drain' ? 'DRAIN' : s.op === 'up' ? 'UP' : s.op === 'down' ? 'DOWN' : s.op === 'starting' ? 'UP↑' : 'DOWN↓';
        out.push({
          key: `${b.name}/${s.name}`, backend: b.name, server: s.name, index: index++,
          app: place?.kind === 'stand-in' ? 'stand-in' : place?.kind === 'app' ? (place.app ?? 'app') : place ? 'yours' : null, runtime: null, stage: null,
          state, up: s.admin !== 'maint' && (s.op === 'up' || s.op === 'starting'), weight: s.weight, served: s.totalConnections,
          check: s.check ? (s.lastCheck?.status ?? '…') : '', kind: place?.kind ?? 'unknown',
        });
      }
    }
    return out;
  }

  // Sends a typed curl line (its -n and -c too) through the engine, and haproxy when comparing.
  async send(line: string, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<PlayExchange> {
    const engineSide: Side = { name: 'engine', ports: this.world.ports(), logs: () => this.engineLogs, serverOf: (p) => this.answered.byClientPort(p)?.server };
    const realSide: Side | null = this.haproxy
      ? { name: 'haproxy', ports: Object.fromEntries([...this.haproxy.ports].map(([d, p]) => [String(d), p])), logs: this.haproxy.logs }
      : null;
    const l = await sendLine(line, engineSide, realSide, signal, onProgress);
    const { sent, failed, differing } = l;
    const said = l.engine.clientPort ? this.answered.byClientPort(l.engine.clientPort) : undefined;
    const id = said?.id;
    const serverKey = said ? (said.server === '<NOSRV>' ? null : `${said.backend}/${said.server}`) : undefined;
    const ex: PlayExchange = { line, sent, failed, engine: l.engine, ...(l.haproxy ? { haproxy: l.haproxy } : {}), differences: l.differences, differing, ...(id !== undefined ? { id } : {}), ...(serverKey !== undefined ? { serverKey } : {}) };
    this.transcript.request({ line, sent, engine: l.engine, ...(l.haproxy ? { haproxy: l.haproxy } : {}), differences: l.differences, why: this.why(id) });
    return ex;
  }

  /** The explain text of the engine's request `id` (empty when its trace is gone). */
  why(id: number | undefined): string[] {
    const t = id === undefined ? undefined : this.traffic.traces.find((x) => x.id === id);
    return t ? explainLines(t, 110, () => undefined).map((l) => l.text) : [];
  }

  setWeight(key: string, weight: number): number {
    const [backend, server] = splitKey(key);
    this.world.engine.setWeight(backend, server, weight);
    const w = this.snapshot().backends.find((b) => b.name === backend)?.servers.find((s) => s.name === server)?.weight ?? weight;
    this.transcript.note(`set weight ${key} ${w} (live)`);
    return w;
  }

  // Stops a stand-in (health checks see it DOWN) or starts it again; the learner's own servers are theirs.
  async toggle(key: string): Promise<string> {
    const h = this.world.apps.get(key);
    if (h) {
      if (h.stage === 'running' || h.stage === 'starting') {
        await h.stop();
        this.transcript.note(`stopped ${h.name} (${h.runtime}) behind ${key}`);
        return `Stopped ${h.name} (${h.runtime}): health checks mark it DOWN after 'fall' failed checks.`;
      }
      await h.restart();
      this.transcript.note(`started ${h.name} (${h.runtime}) behind ${key} again`);
      return `Started ${h.name} again: health checks bring it back UP after 'rise' good checks.`;
    }
    const s = this.world.standIns.get(key);
    if (!s) throw new Error(`${key} is your own server (something listening on loopback): stop it where you started it`);
    if (s.running()) {
      await s.stop();
      this.transcript.note(`stopped the stand-in of ${key}`);
      return `Stopped the stand-in of ${key}: health checks mark it DOWN after 'fall' failed checks (without check, requests to it fail).`;
    }
    await s.start();
    this.transcript.note(`started the stand-in of ${key} again`);
    return `Started the stand-in of ${key} again: health checks bring it back UP after 'rise' good checks.`;
  }

  // Reads the file and applies it; haproxy (when comparing) restarts on the new one.
  async reload(): Promise<{ ok: boolean; diagnostics: readonly Diagnostic[]; unchanged?: boolean; compareError?: string }> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      return { ok: false, diagnostics: [{ severity: 'alert', message: `cannot read ${this.file}: ${(e as Error).message}` }] };
    }
    if (text === this.world.text && this.errors.length === 0) return { ok: true, diagnostics: [], unchanged: true };
    const r = await this.world.reload(text);
    this.errors = r.ok ? [] : r.diagnostics.filter((d) => d.severity === 'alert');
    if (!r.ok) return r;
    this.transcript.config(text, r.diagnostics);
    if (this.who) await this.publish();
    let compareError: string | undefined;
    if (this.comparing) {
      try {
        await this.setCompare(true);
      } catch (e) {
        compareError = (e as Error).message;
      }
    }
    return { ...r, ...(compareError ? { compareError } : {}) };
  }

  watch(fn: () => void): () => void {
    let timer: NodeJS.Timeout | null = null;
    try {
      // the directory, not the file: editors often save by renaming a new file over the old one
      this.watcher = watch(dirname(this.file), (_e, name) => {
        if (name !== null && name !== basename(this.file)) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(fn, 150);
      });
      this.watcher.on('error', () => {});
    } catch {
      return () => {};
    }
    return () => {
      if (timer) clearTimeout(timer);
      this.watcher?.close();
    };
  }

  // Publishes the ports (and who answered) so `lab curl http://localhost/` in another shell reaches the playground.
  async publish(): Promise<void> {
    this.who ??= await startWhoService(this.answered);
    writePortMap({ episode: `play ${this.name}`, ports: this.world.ports(), who: this.who.port });
  }

  async close(): Promise<void> {
    if (this.who) {
      clearPortMap();
      await this.who.close();
      this.who = null;
    }
    this.watcher?.close();
    for (const off of this.offs.splice(0)) off();
    await this.haproxy?.stop();
    await this.world.close();
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export { PlayConfigError };
