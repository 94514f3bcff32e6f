// Runs the engine on a config with a chosen event listener, to measure what events cost:
//   LAB_BENCH_LISTENER=none  nobody listens (the engine builds no payload)
//   LAB_BENCH_LISTENER=all   events.onAny(() => {}): every payload built, then dropped
//   LAB_BENCH_LISTENER=tui   the TUI's own listener: batches every 50 ms into the traffic reducer (the explain
//                            traces) and the event-log lines, as the episode screen does
// usage: node bin/run-ts.js test/bench/engine-with-listener.ts haproxy.cfg [FROM=TO ...]   (FROM=TO as lab proxy --map)
import { createEngine, EventBus } from '../../proxy/index.ts';
import type { EngineEvent } from '../../proxy/index.ts';
import { DETAILED_PER_SECOND, initialTraffic, trafficReducer, type TrafficState } from '../../lab/tui/state/traffic.ts';
import { eventLine } from '../../lab/tui/state/event-lines.ts';

const cfg = process.argv[2];
const mode = process.env.LAB_BENCH_LISTENER ?? 'none';
if (!cfg || !['none', 'all', 'tui'].includes(mode)) {
  console.error(`usage: LAB_BENCH_LISTENER=none|all|tui engine-with-listener.ts haproxy.cfg (got file '${cfg ?? ''}', listener '${mode}')`);
  process.exit(2);
}

const ports = new Map<number, number>();
for (const m of process.argv.slice(3)) {
  const match = /^(\d+)=(\d+)$/.exec(m);
  if (!match) {
    console.error(`engine-with-listener: expected FROM=TO port pairs after the config (as lab proxy --map), got '${m}'`);
    process.exit(2);
  }
  ports.set(Number(match[1]), Number(match[2]));
}

const engine = createEngine({
  source: { files: [cfg] },
  mapBind: (b) => ({ host: b.host ?? '0.0.0.0', port: ports.get(b.port) ?? b.port }),
  // the TUI's bus: explain traces for a bounded number of requests a second
  ...(mode === 'tui' ? { events: new EventBus(0, { detailedPerSecond: DETAILED_PER_SECOND }) } : {}),
});
if (mode === 'all') engine.events.onAny(() => {});
if (mode === 'tui') tuiListener(engine.events.onAny.bind(engine.events));

// The episode screen's path: gather events, fold each 50 ms batch into the traffic state and the log lines.
function tuiListener(onAny: (fn: (e: EngineEvent) => void) => () => void): void {
  let traffic: TrafficState = initialTraffic();
  let lines = 0;
  let pending: EngineEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    const batch = pending;
    pending = [];
    traffic = trafficReducer(traffic, { type: 'events', events: batch });
    for (const e of batch) if (eventLine(e)) lines++;
  };
  onAny((e) => {
    pending.push(e);
    timer ??= setTimeout(flush, 50);
  });
  process.once('exit', () => console.error(`tui listener: ${traffic.total} responses folded, ${lines} log lines`));
}

await engine.start();
console.error(`engine-with-listener: listener=${mode}, pid ${process.pid}`);
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await engine.stop();
