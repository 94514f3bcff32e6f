// `lab up TARGET`: start an episode's (or document's) apps, print where they listen, run until Ctrl-C or `lab down`.
import type { Command } from 'commander';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { parseRuntimeName } from '../runtimes/runtime-names.ts';

export interface UpOptions {
  readonly runtime?: RuntimeName;
  readonly portBase?: number;
  readonly quiet?: boolean;
  readonly out?: (line: string) => void;
}

// Starts the apps and resolves once they are stopped again (by a signal or `lab down`).
export async function runUp(targetId: string, opts: UpOptions = {}): Promise<void> {
  const out = opts.out ?? ((line: string) => console.log(line));
  // The runtimes (execa, dockerode) load only when apps start, not with `lab --help`.
  const [{ appById }, { startApps }, { chooseRuntime, describeChoice }, { removeUpRecord, writeUpRecord }, { resolveUpTarget }, { clearPortMap, readActivePortMap, writePortMap }] =
    await Promise.all([
      import('../runtimes/app-catalog.ts'),
      import('../runtimes/app-group.ts'),
      import('../runtimes/choose-runtime.ts'),
      import('./up-state.ts'),
      import('./up-target.ts'),
      import('../traffic/port-map.ts'),
    ]);
  const target = resolveUpTarget(targetId, opts.portBase);
  const choice = await chooseRuntime(opts.runtime, { progress: out });
  out(describeChoice(choice));
  const group = await startApps(choice.runtime, target.specs, out);
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      out(`${sig}: stopping ${target.id}...`);
      void group
        .dispose()
        .then(() => choice.runtime.dispose?.())
        .finally(() => {
          removeUpRecord();
          clearPortMap();
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', stop);
          out('stopped.');
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
  });
  writeUpRecord({
    pid: process.pid,
    target: target.id,
    runtime: choice.runtime.name,
    apps: group.handles.map((h) => ({ name: h.name, app: h.app, address: h.address })),
    startedAt: new Date().toISOString(),
  });
  const width = Math.max(...group.handles.map((h) => h.name.length));
  out(`${target.kind} ${target.id} is up on ${choice.runtime.name}:`);
  for (const h of group.handles) {
    const entry = appById(h.app);
    out(`  ${h.name.padEnd(width)} → http://${h.address}/  (apps/${entry.document}/${entry.file}, ${h.id})`);
  }
  // Moved ports: tell `lab curl http://localhost:5001/` where app1 really is, unless a running lab already did.
  const moved = target.specs.filter((s, k) => s.hostPort !== target.docPorts[k]);
  if (moved.length > 0 && !readActivePortMap()) {
    const ports = Object.fromEntries(target.specs.map((s, k) => [String(target.docPorts[k]), s.hostPort]));
    writePortMap({ episode: target.id, ports, apps: target.specs.map((s) => ({ name: s.name })) });
    out(`lab curl maps the documents' ports: ${Object.entries(ports).map(([d, p]) => `localhost:${d} → 127.0.0.1:${p}`).join(', ')}`);
  }
  out('Running until Ctrl-C or `lab down`.');
  for (const h of group.handles) {
    h.onStage((stage) => {
      if (!stopping) out(`${h.name.padEnd(width)} | [${stage}]`);
    });
    if (!opts.quiet) h.onLog((line) => out(`${h.name.padEnd(width)} | ${line}`));
  }
  await stopped;
}

// Adds `lab up` to the program.
export function registerUp(program: Command): void {
  program
    .command('up')
    .description("start an episode's backends (the documents' Flask apps) and print where they listen")
    .argument('<episode>', 'episode or document id, e.g. ep9-weighted-rr')
    .option('--runtime <name>', 'docker, process or builtin (default: builtin, as in the TUI and `lab run`)', parseRuntimeName)
    .option('--port-base <port>', 'listen on PORT, PORT+1... instead of the documents ports', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port-base: expected a port 1-65535, got '${v}'`);
      return n;
    })
    .option('-q, --quiet', "do not print the apps' logs")
    .action(async (episode: string, o: { runtime?: RuntimeName; portBase?: number; quiet?: boolean }) => {
      try {
        await runUp(episode, o);
      } catch (err) {
        console.error(`lab up: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    });
}
