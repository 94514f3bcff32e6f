// Spawns the detached reaper that removes a stack by its label when the lab exits.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REAPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stack-reaper.mjs');

export function spawnReaper(stackId: string): void {
  spawn(process.execPath, [REAPER, stackId], { detached: true, stdio: 'ignore' }).unref();
}
