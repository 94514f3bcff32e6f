// A StepSessionView without sockets: a weighted rotation answers each fired request with engine-like events.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendSnapshot, EngineSnapshot } from '../../../proxy/api.ts';
import type { Diagnostic } from '../../../proxy/config/diagnostics.ts';
import { EventBus, type EngineEvent } from '../../../proxy/events.ts';
import type { CheckResult, Episode, Step } from '../../../lab/episodes/schema.ts';
import type { Exchange, FireOptions, ReloadOutcome, ServerRow, StepSessionView } from '../../../lab/tui/session/types.ts';

const loc = { file: 'episode.yaml', line: 1, col: 1 };

export const CONFIG = [
  'frontend http_front',
  '    bind *:80',
  '    acl is_static path_beg /static',
  '    use_backend servers if is_static',
  '    default_backend servers',
  '',
  'backend servers',
  '    balance roundrobin',
  '    server server1 app1:5001 weight 2 check',
  '    server server2 app2:5002 weight 1 check',
].join('\n');

export function fakeStep(extra: Partial<Step> = {}): Step {
  return {
    id: 'weights', title: 'Weights 2 and 1', explain: 'Server1 takes two requests for each one of server2.',
    config: '/nonexistent/haproxy.cfg', solution: null, apps: ['app1', 'app2'], commands: [],
    marks: [{ line: 9, note: 'weight 2 here' }], files: [], needs: [], wrong: [], wrongFiles: [],
    experiments: [{ id: 'home', curl: 'curl http://localhost/', repeat: 6, concurrency: 1, loc }],
    checks: [{ kind: 'distribution', title: 'server1 twice server2', hint: 'weights 2 and 1', involves: ['weight'], experiment: 'home', shares: { server1: 2, server2: 1 }, tolerance: 0.05, loc }],
    loc, ...extra,
  };
}

export function fakeEpisode(steps: Step[] = [fakeStep(), fakeStep({ id: 'second', title: 'Second step' })]): Episode {
  return {
    format: 1, id: 'ep-test', title: 'Test episode', document: 'Doc', summary: 'A test.', order: 1, dir: '/x', file: '/x/episode.yaml',
    apps: [
      { name: 'app1', app: 'ep9-app1', port: 5001, addresses: ['app1:5001'], loc },
      { name: 'app2', app: 'ep9-app2', port: 5002, addresses: ['app2:5002'], loc },
    ],
    steps,
  };
}

export class FakeSession implements StepSessionView {
  readonly events = new EventBus(100);
  readonly hasEngine = true;
  readonly configPath = join(mkdtempSync(join(tmpdir(), 'lab-fake-')), 'haproxy.cfg');
  /** The file's text at each reload. */
  readonly reloads: string[] = [];
  readonly configName = 'haproxy.cfg';
  readonly fileNames: readonly string[] = [];
  selectNextFile(): string {
    return 'This step has no files of yours to edit.';
  }
  readonly mapping = ['localhost:80 → 127.0.0.1:40000'];
  curl = 'curl http://localhost/';
  weights: Record<string, number> = { server1: 2, server2: 1 };
  down = new Set<string>();
  errors: Diagnostic[] = [];
  nextReload: ReloadOutcome = { ok: true, diagnostics: [] };
  closed = false;
  fired = 0;
  private id = 0;
  private readonly rotation = ['server1', 'server2', 'server1'];

  constructor(readonly episode: Episode = fakeEpisode(), readonly stepIndex = 0) {
    writeFileSync(this.configPath, CONFIG + '\n');
  }

  get step(): Step {
    return this.episode.steps[this.stepIndex]!;
  }
  configText(): string {
    return CONFIG;
  }
  readonly startingConfig = CONFIG;
  /** Weights the file says; differing live ones count as live changes. */
  fileWeights: Record<string, number> = { server1: 2, server2: 1 };
  resets = 0;
  readConfigFile(): string {
    return readFileSync(this.configPath, 'utf8');
  }
  writeConfigFile(text: string): void {
    writeFileSync(this.configPath, text);
  }
  solutionText(): string {
    return 'This step has no solution config.';
  }
  liveChanges(): readonly string[] {
    return Object.keys(this.weights).filter((k) => this.weights[k] !== this.fileWeights[k]).map((k) => `${k} weight ${this.weights[k]}, the file says ${this.fileWeights[k]}`);
  }
  writeLiveWeights(): string {
    this.fileWeights = { ...this.weights };
    return 'Wrote the weights.';
  }
  async resetStep(): Promise<void> {
    this.resets++;
    writeFileSync(this.configPath, CONFIG + '\n');
  }
  nextExperiment(): string {
    return this.curl;
  }
  rows(): readonly ServerRow[] {
    return ['server1', 'server2'].map((s, index) => ({
      key: `servers/${s}`, backend: 'servers', server: s, index, app: `app${index + 1}`, runtime: 'builtin', stage: 'running',
      state: this.down.has(s) ? 'DOWN' : 'UP', up: !this.down.has(s), weight: this.weights[s]!, served: 0, check: 'L4OK',
    }));
  }
  snapshot(): EngineSnapshot {
    const backend: BackendSnapshot = {
      name: 'servers', id: 2, mode: 'http', algorithm: 'roundrobin', queued: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0,
      servers: ['server1', 'server2'].map((name, i) => ({
        name, id: i + 1, address: '127.0.0.1:1', weight: this.weights[name]!, effectiveWeight: this.weights[name]!,
        op: this.down.has(name) ? 'down' : 'up', admin: 'ready', backup: false, check: true, health: 4, rise: 2, fall: 3,
        served: 0, queued: 0, maxconn: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0, failedConnects: 0, lastStateChange: 0,
      })),
    };
    return { pid: 1, startedAt: 0, generation: 1, frontends: [], backends: [backend] };
  }
  lastErrors(): readonly Diagnostic[] {
    return this.errors;
  }
  // Emits what the engine emits for one request answered by the next server of the rotation.
  answer(): string {
    const id = ++this.id;
    const server = this.rotation[(id - 1) % this.rotation.length]!;
    const events: EngineEvent[] = [
      { kind: 'request', id, frontend: 'http_front', src: '127.0.0.1', srcPort: 50000 + id, method: 'GET', uri: '/', version: '1.1', headers: [], at: 0 },
      {
        kind: 'acl', id, frontend: 'http_front',
        rules: [{ rule: 'use_backend servers if is_static', loc: { file: 'haproxy.cfg', line: 4, col: 5 }, matched: false, acls: [{ name: 'is_static', negated: false, fetch: 'path_beg', values: ['/'], matched: false }] }],
      },
      { kind: 'route', id, frontend: 'http_front', decidedBy: 'default_backend', backend: 'servers' },
      {
        kind: 'balance', id, backend: 'servers', server, algorithm: 'roundrobin', reason: 'next in the weighted rotation',
        before: { algorithm: 'roundrobin', summary: 'weights 2/1', servers: [{ name: 'server1', weight: 2, usable: true }, { name: 'server2', weight: 1, usable: true }] },
        skipped: [],
      },
      { kind: 'response', id, frontend: 'http_front', backend: 'servers', server, status: 200, bytesIn: 1, bytesOut: 2, timings: { tq: 0, tw: 0, tc: 0, tr: 1, tt: 1 }, termination: '--', retries: 0 },
      { kind: 'log', line: `127.0.0.1:${50000 + id} [25/Nov/2026:10:00:00.000] http_front servers/${server} 0/0/0/1/1 200 2 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"` },
    ];
    for (const e of events) this.events.emit(e);
    return server;
  }
  async fire(o: FireOptions) {
    for (let i = 0; i < o.count && !o.signal?.aborted; i++) {
      this.answer();
      this.fired++;
      o.onProgress?.(i + 1);
    }
    return { sent: o.count, failed: 0 };
  }
  /** Lines the request prompt sent. */
  sentLines: string[] = [];
  // The prompt's request: answered by the rotation, with a body as the documents' Flask apps write it.
  async send(line: string): Promise<Exchange> {
    this.sentLines.push(line);
    const server = this.answer();
    const body = `Hello from Flask ${server === 'server1' ? 'App 1' : 'App 2'}!`;
    const engine = { status: 200, statusText: 'OK', server, serverFrom: 'log' as const, headers: [['Content-Type', 'text/html; charset=utf-8'] as const], body, logs: [], ms: 1 };
    return { line, sent: 1, failed: 0, engine, differences: [], differing: 0 };
  }
  async runChecks(): Promise<readonly CheckResult[]> {
    const check = this.step.checks[0]!;
    return [{ check, ok: false, expected: 'server1 67%, server2 33%', observed: 'server1 50%, server2 50% of 6 answers', lines: ['haproxy.cfg:9: server server1 app1:5001 weight 2 check'] }];
  }
  setWeight(key: string, weight: number): number {
    this.weights[key.split('/')[1]!] = weight;
    return weight;
  }
  async toggleApp(key: string): Promise<string> {
    const s = key.split('/')[1]!;
    if (this.down.has(s)) this.down.delete(s);
    else this.down.add(s);
    const message = `Server servers/${s} is ${this.down.has(s) ? 'DOWN' : 'UP'}`;
    // As the engine does: HAProxy's sentence as a log line, and the state change as an event.
    this.events.emit({ kind: 'log', line: message });
    this.events.emit({ kind: 'server-state', backend: 'servers', server: s, from: 'up', to: this.down.has(s) ? 'down' : 'up', message });
    return `toggled ${s}`;
  }
  async reload(): Promise<ReloadOutcome> {
    this.reloads.push(readFileSync(this.configPath, 'utf8'));
    if (!this.nextReload.ok) this.errors = this.nextReload.diagnostics.slice();
    return this.nextReload;
  }
  watchConfig(): () => void {
    return () => {};
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
