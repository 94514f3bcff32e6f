// `lab down`: stop what `lab up` started, from any shell, and remove what a crashed lab left behind.
import type { Command } from 'commander';
import { pidAlive } from '../runtimes/state-dir.ts';
import { readUpRecords, removeUpRecord } from '../runtimes/up-state.ts';

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !pidAlive(pid);
}

// Signals every running `lab up` (or only TARGET's) and waits for each to clean up; returns how many stopped.
export async function runDown(target: string | undefined, out: (line: string) => void = console.log): Promise<number> {
  let stopped = 0;
  for (const rec of readUpRecords()) {
    if (target && rec.target !== target) continue;
    const names = rec.apps.map((a) => `${a.name} (${a.address})`).join(', ');
    if (!pidAlive(rec.pid)) {
      removeUpRecord(rec.pid);
      continue;
    }
    process.kill(rec.pid, 'SIGTERM');
    if (await waitGone(rec.pid, 20_000)) {
      out(`stopped ${rec.target} on ${rec.runtime} (lab up pid ${rec.pid}): ${names}`);
      removeUpRecord(rec.pid);
      stopped++;
    } else {
      out(`lab up pid ${rec.pid} (${rec.target}) did not stop within 20 s; end it with \`kill ${rec.pid}\``);
    }
  }
  // Containers of a lab killed without cleanup are found by label; an unreachable daemon has none to offer.
  const { DockerRuntime, pingDaemon } = await import('../runtimes/docker.ts');
  const docker = new DockerRuntime();
  const reachable = await pingDaemon(docker.docker, 1500).then(
    () => true,
    () => false,
  );
  if (reachable) {
    const removed = await docker.cleanupStale();
    if (removed > 0) out(`removed ${removed} container(s)/image(s) left behind by a lab that did not exit cleanly`);
    stopped += removed;
  }
  if (stopped === 0) out(target ? `nothing of ${target} is up` : 'nothing is up');
  return stopped;
}

// Adds `lab down` to the program.
export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the backends `lab up` started (from any shell)')
    .argument('[episode]', 'only this episode or document')
    .action(async (episode: string | undefined) => {
      try {
        await runDown(episode);
      } catch (err) {
        console.error(`lab down: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    });
}
