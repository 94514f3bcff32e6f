// Records of running `lab up`s in the state dir, so `lab down` in another shell can find and stop them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { stateDir } from '../runtimes/state-dir.ts';

export interface UpRecord {
  readonly pid: number;
  readonly target: string;
  readonly runtime: RuntimeName;
  readonly apps: readonly { readonly name: string; readonly app: string; readonly address: string }[];
  readonly startedAt: string;
}

function upDir(): string {
  const dir = path.join(stateDir(), 'up');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Writes this process's record.
export function writeUpRecord(record: UpRecord): void {
  writeFileSync(path.join(upDir(), `${record.pid}.json`), JSON.stringify(record, null, 2) + '\n');
}

// Removes the record of a pid (this process by default).
export function removeUpRecord(pid: number = process.pid): void {
  rmSync(path.join(upDir(), `${pid}.json`), { force: true });
}

// Every record on file, alive or not; unreadable files are skipped.
export function readUpRecords(): UpRecord[] {
  const out: UpRecord[] = [];
  for (const f of readdirSync(upDir())) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(path.join(upDir(), f), 'utf8')) as UpRecord);
    } catch {
      rmSync(path.join(upDir(), f), { force: true });
    }
  }
  return out;
}
