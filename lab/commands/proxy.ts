// `lab proxy`: run haproxy.cfg files in the foreground like `haproxy -f`, or check them with -c.
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import type { ConfigSource, Engine } from '../../proxy/index.ts';

interface ProxyOptions {
  file: string[];
  check?: boolean;
  map: string[];
  resolve: string[];
  anyAddress?: string;
  quiet?: boolean;
  watch?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('run haproxy.cfg files with the lab\'s engine, like `haproxy -f` (or check them with -c)')
    .requiredOption('-f, --file <cfg>', 'configuration file (repeat for several, read in order)', collect, [])
    .option('-c, --check', 'only check the configuration and exit (0 valid, 1 invalid)')
    .option('--map <from=to>', 'listen on port TO where the config binds port FROM (e.g. --map 80=8080)', collect, [])
    .option('--resolve <name=addr>', 'reach servers named NAME at ADDR (e.g. --resolve app1=127.0.0.1), like /etc/hosts', collect, [])
    .option('--any-address <ip>', "address for '*' and ':port' binds", '0.0.0.0')
    .option('-q, --quiet', 'print no warnings at start-up')
    .option('-W, --watch', 'reload when a configuration file changes (SIGHUP always reloads)')
    .addHelpText('after', `
Examples:
  lab proxy -c -f apps/ep9-weighted-rr/haproxy.cfg
  lab up ep9-weighted-rr &     # the three apps on 127.0.0.1:5001-5003
  lab proxy -f apps/ep9-weighted-rr/haproxy.cfg --map 80=8080 \
      --resolve app1=127.0.0.1 --resolve app2=127.0.0.1 --resolve app3=127.0.0.1`)
    .action(async (o: ProxyOptions) => {
      process.exitCode = await runProxy(o);
    });
}

// The engine's heap, kept small (issue 16: peak RSS <= 60 MiB under load). Left alone V8 lets the young generation
// grow to 2 x 16 MiB under a proxy's allocation rate and the old generation to a multiple of what survives, and the
// engine's RSS climbed from ~53 to 70-120 MiB under the bench's load. With the young generation at its initial
// 1 MiB semi-spaces (scavenges more often, each as cheap: they copy only what survives) and the old one collected
// once it grows by half, the bench measured 58-70 MiB (~40 MiB of it is the node binary's own pages) and no loss
// of throughput within its noise. Both flags are read when the heap grows, so setting them here still works
// (--max-semi-space-size would have to be on node's command line, before the heap is made).
function keepHeapSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=50');
}

async function runProxy(o: ProxyOptions): Promise<number> {
  if (!o.check) keepHeapSmall();
  const { createEngine, loadConfig, formatDiagnostic, ConfigError } = await import('../../proxy/index.ts');
  const { checkOutput } = await import('./proxy-check.ts');
  const source: ConfigSource = { files: o.file };
  if (o.check) {
    const out = checkOutput(loadConfig(source), { quiet: o.quiet ?? false });
    for (const l of out.stderr) console.error(l);
    for (const l of out.stdout) console.log(l);
    return out.code;
  }
  const ports = parseMap(o.map);
  const hosts = parseResolve(o.resolve);
  let engine: Engine;
  try {
    engine = createEngine({
      source,
      anyAddress: o.anyAddress,
      mapBind: (b) => ({ host: b.host ?? o.anyAddress ?? '0.0.0.0', port: ports.get(b.port) ?? b.port }),
      mapServer: (s) => ({ host: hosts.get(s.host) ?? s.host, port: s.port }),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      // The same lines haproxy prints when it refuses to start on these files.
      for (const l of checkOutput(loadConfig(source), { quiet: o.quiet ?? false }).stderr) console.error(l);
      return 1;
    }
    throw err;
  }
  if (!o.quiet) {
    for (const d of loadConfig(source).diagnostics) if (d.severity !== 'alert') console.error(formatDiagnostic(d));
  }
  try {
    await engine.start();
  } catch (err) {
    console.error(`[ALERT]    (${process.pid}) : ${(err as Error).message}`);
    return 1;
  }
  for (const fe of engine.snapshot().frontends) {
    console.error(`[NOTICE]   (${process.pid}) : lab proxy: ${fe.name} (${fe.mode}) listening on ${fe.listening.join(', ')}`);
  }
  const reload = async (why: string) => {
    const r = await engine.reload();
    if (r.ok) console.error(`[NOTICE]   (${process.pid}) : Reloaded configuration (${why}).`);
    else {
      for (const d of r.diagnostics) console.error(formatDiagnostic(d));
      console.error(`[WARNING]  (${process.pid}) : Reload refused (${why}): the configuration has errors; still serving the previous one.`);
    }
  };
  const watchers = o.watch ? await watchFiles(o.file, () => void reload('file changed')) : [];
  process.on('SIGHUP', () => void reload('SIGHUP'));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const w of watchers) w.close();
  await engine.stop();
  return 0;
}

export function parseMap(items: readonly string[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const item of items) {
    const match = /^(\d+)=(\d+)$/.exec(item);
    if (!match) throw new Error(`--map expects FROM=TO with two port numbers (e.g. 80=8080), got '${item}'`);
    m.set(Number(match[1]), Number(match[2]));
  }
  return m;
}

export function parseResolve(items: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const item of items) {
    const match = /^([^=\s]+)=(\S+)$/.exec(item);
    if (!match) throw new Error(`--resolve expects NAME=ADDR (e.g. app1=127.0.0.1), got '${item}'`);
    m.set(match[1]!, match[2]!);
  }
  return m;
}

async function watchFiles(files: readonly string[], onChange: () => void): Promise<{ close(): void }[]> {
  const { watch } = await import('node:fs');
  let timer: NodeJS.Timeout | null = null;
  // editors write in several steps: wait for the burst to settle before reloading
  const debounced = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, 150);
  };
  return files.map((f) => watch(f, debounced));
}
