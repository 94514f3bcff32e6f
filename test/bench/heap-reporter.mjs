// Preloaded into the engine by the bench (node --import): prints the V8 heap and RSS to stderr every 250 ms as
// one line `lab-bench-heap {...}`, so the bench can report heap beside RSS. Bench-only; the lab never loads it.
const timer = setInterval(() => {
  const m = process.memoryUsage();
  process.stderr.write(`lab-bench-heap ${JSON.stringify({ t: Date.now(), heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
}, 250);
timer.unref();
