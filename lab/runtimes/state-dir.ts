// Where the lab keeps state between shells: $XDG_STATE_HOME/haproxy-lab or ~/.local/state/haproxy-lab.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The lab state dir (created on demand); LAB_STATE_DIR overrides it, e.g. for tests.
export function stateDir(): string {
  const dir =
    process.env['LAB_STATE_DIR'] ??
    path.join(process.env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state'), 'haproxy-lab');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Whether a process with this pid exists (and is not a zombie we could still reap).
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
