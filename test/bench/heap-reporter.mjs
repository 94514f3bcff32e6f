// Preloaded into the engine by the bench (node --import): prints the V8 heap to stderr every 250 ms as one line
// `lab-bench-heap {...}`, so the bench can report heap beside RSS (which it reads from /proc itself).
// v8.getHeapStatistics(), not process.memoryUsage(): the latter also reads /proc/self for the RSS, which showed
// as 1% of the engine's busy time in a keep-alive profile. Bench-only; the lab never loads it.
import { getHeapStatistics } from 'node:v8';

const timer = setInterval(() => {
  const h = getHeapStatistics();
  process.stderr.write(`lab-bench-heap ${JSON.stringify({ t: Date.now(), heapUsed: h.used_heap_size, heapTotal: h.total_heap_size, external: h.external_memory })}\n`);
}, 250);
timer.unref();
