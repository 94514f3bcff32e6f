// The lab's state dir (shared with lab/traffic's port map) and a liveness check for the pids recorded there.
import { mkdirSync } from 'node:fs';
import { labStateDir } from '../traffic/port-map.ts';

// $XDG_STATE_HOME/haproxy-lab, else ~/.local/state/haproxy-lab; created on demand.
export function stateDir(): string {
  const dir = labStateDir();
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Whether a process with this pid exists.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
