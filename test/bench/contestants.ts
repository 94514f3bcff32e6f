// The contestants: real HAProxy, our engine (through `lab proxy`, or the listener runner), and the direct
// ceiling (no proxy: the load generator straight to server1). Each proxy runs in its own process.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { ensureBuilt, startProc, waitPorts, type Proc } from './procs.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type ContestantId = 'haproxy' | 'engine' | 'direct' | 'engine-none' | 'engine-all' | 'engine-tui';

export interface ContestantSpec {
  readonly id: ContestantId;
  readonly label: string;
  /** The command line, for the report (null for direct). */
  readonly command: string | null;
}

export const CONTESTANTS: Record<ContestantId, ContestantSpec> = {
  haproxy: { id: 'haproxy', label: 'HAProxy 2.6 (nbthread 1)', command: 'haproxy -f haproxy.cfg -db' },
  engine: { id: 'engine', label: 'lab engine', command: 'node --import test/bench/heap-reporter.mjs bin/lab.js proxy -f haproxy.cfg --map HTTP=PORT --map TCP=PORT' },
  direct: { id: 'direct', label: 'direct (ceiling)', command: null },
  'engine-none': { id: 'engine-none', label: 'engine, no listener', command: 'LAB_BENCH_LISTENER=none node bin/run-ts.js test/bench/engine-with-listener.ts haproxy.cfg HTTP=PORT TCP=PORT' },
  'engine-all': { id: 'engine-all', label: 'engine, onAny(() => {})', command: 'LAB_BENCH_LISTENER=all node bin/run-ts.js test/bench/engine-with-listener.ts haproxy.cfg HTTP=PORT TCP=PORT' },
  'engine-tui': { id: 'engine-tui', label: "engine, the TUI's listener", command: 'LAB_BENCH_LISTENER=tui node bin/run-ts.js test/bench/engine-with-listener.ts haproxy.cfg HTTP=PORT TCP=PORT' },
};

/** Where a contestant listens: HAProxy on the config's ports, each engine on its own (--map), direct on server1. */
export interface FrontPorts {
  readonly http: number;
  readonly tcp: number;
}

/** One reading of the engine's memory by test/bench/heap-reporter.mjs (bytes; t in ms since the epoch). */
export interface HeapSample {
  readonly t: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers). */
  readonly external: number;
}

export interface Running {
  readonly spec: ContestantSpec;
  readonly ports: FrontPorts;
  /** null for direct. */
  readonly proc: Proc | null;
  /** The engine's heap readings since time t (empty for HAProxy and direct). */
  heapSince(t: number): readonly HeapSample[];
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchOptions {
  readonly cfgPath: string;
  /** The ports the config binds. */
  readonly cfgPorts: FrontPorts;
  /** Where this contestant listens (an engine maps the config's ports here, as `lab proxy --map` does). */
  readonly ports: FrontPorts;
  /** Extra node flags for the engine (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

// Starts one contestant and waits until it listens on every port.
export async function launch(id: ContestantId, o: LaunchOptions): Promise<Running> {
  const spec = CONTESTANTS[id];
  if (id === 'direct') return { spec, ports: o.ports, proc: null, heapSince: () => [], stop: async () => {} };
  if (id !== 'haproxy') ensureBuilt(ROOT);
  const flags = o.nodeFlags ?? [];
  const map = [`${o.cfgPorts.http}=${o.ports.http}`, `${o.cfgPorts.tcp}=${o.ports.tcp}`];
  let proc: Proc;
  if (id === 'haproxy') {
    if (o.ports.http !== o.cfgPorts.http || o.ports.tcp !== o.cfgPorts.tcp) throw new Error('haproxy listens where the config says: give it the config\'s ports');
    proc = startProc(id, 'haproxy', ['-f', o.cfgPath, '-db']);
  } else if (id === 'engine') {
    proc = startProc(id, process.execPath, [...flags, '--import', HEAP_REPORTER, join(ROOT, 'bin/lab.js'), 'proxy', '-f', o.cfgPath, ...map.flatMap((m) => ['--map', m])]);
  } else {
    const listener = id.slice('engine-'.length);
    proc = startProc(id, process.execPath, [...flags, join(ROOT, 'bin/run-ts.js'), join(ROOT, 'test/bench/engine-with-listener.ts'), o.cfgPath, ...map], {
      LAB_BENCH_LISTENER: listener,
    });
  }
  const heap = heapReadings(proc);
  try {
    await waitPorts(proc, [o.ports.http, o.ports.tcp]);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { spec, ports: o.ports, proc, heapSince: (t) => heap.filter((h) => h.t >= t), stop: (graceMs) => proc.stop(graceMs) };
}

const HEAP_REPORTER = pathToFileURL(join(ROOT, 'test/bench/heap-reporter.mjs')).href;
const HEAP_LINE = /^lab-bench-heap (\{.*\})$/;

// Collects the heap reporter's lines (the last 20 minutes of them) as the engine prints them.
function heapReadings(proc: Proc): HeapSample[] {
  const samples: HeapSample[] = [];
  let partial = '';
  proc.child.stderr!.on('data', (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = HEAP_LINE.exec(line);
      if (m) samples.push(JSON.parse(m[1]!) as HeapSample);
    }
    if (samples.length > 4800) samples.splice(0, samples.length - 4800);
  });
  return samples;
}
