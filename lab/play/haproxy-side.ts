// Real HAProxy 2.6 beside the engine: the playground's config (see haproxy-copy.ts) under `haproxy -f FILE -db`,
// on its own ports, with the same servers; its output collected line by line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listensOn } from '../runtimes/ports.ts';
import { haproxyCopy, peersSections } from './haproxy-copy.ts';
import type { Placement } from './placement.ts';

/** Debian's package; `lab doctor` says how to install it. */
export const HAPROXY_BIN = process.env.LAB_HAPROXY ?? '/usr/sbin/haproxy';

export interface HaproxySide {
  /** Document port → where haproxy listens. */
  readonly ports: ReadonlyMap<number, number>;
  /** Every line haproxy printed (warnings at start-up, then log lines). */
  readonly output: string[];
  /** Lines printed after start-up: traffic logs and state changes. */
  logs(): readonly string[];
  stop(): Promise<void>;
}

// "HAProxy version 2.6.12-1 ..." or null when the binary is missing.
export function haproxyVersion(): string | null {
  const r = spawnSync(HAPROXY_BIN, ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : null;
}

// Starts haproxy on the config and waits until every bind listens; throws with haproxy's own words when it refuses.
export async function startHaproxySide(text: string, fileName: string, place: Placement, freePort: () => Promise<number>, cwd?: string): Promise<HaproxySide> {
  const ports = new Map<number, number>();
  const used = new Set(place.binds.map((b) => b.port).concat(place.servers.map((s) => s.port)));
  for (const b of place.binds) {
    if (ports.has(b.docPort)) continue;
    let p = await freePort();
    while (used.has(p)) p = await freePort();
    used.add(p);
    ports.set(b.docPort, p);
  }
  // each peers section's local peer gets a loopback port of its own: the engine listens on the document's
  const peerPorts = new Map<string, number>();
  for (const section of peersSections(text)) {
    let p = await freePort();
    while (used.has(p)) p = await freePort();
    used.add(p);
    peerPorts.set(section, p);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-play-haproxy-'));
  const file = join(dir, fileName);
  writeFileSync(file, haproxyCopy(text, place, ports, peerPorts));
  const output: string[] = [];
  let startLines = 0;
  // from the config's own directory, so relative paths in it (crt, errorfile, -f of ACLs) mean what they mean
  const child = spawn(HAPROXY_BIN, ['-f', file, '-db'], { cwd: cwd ?? dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));
  child.once('error', (e) => output.push(`[ALERT] cannot run ${HAPROXY_BIN}: ${e.message}`));
  const kill = (): void => {
    if (exited === undefined && child.pid !== undefined) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let partial = '';
  const collect = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') output.push(line.replaceAll(dir + '/', ''));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async (): Promise<void> => {
    if (exited === undefined && child.pid !== undefined) {
      child.kill('SIGTERM');
      const t = setTimeout(kill, 2000);
      await exit;
      clearTimeout(t);
    }
    process.off('exit', kill);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (const port of ports.values()) {
    while (!listensOn('127.0.0.1', port)) {
      if (exited !== undefined || Date.now() > deadline) {
        await new Promise((r) => setTimeout(r, 50));
        await stop();
        throw new Error(`real haproxy did not start on this config${exited !== undefined ? ` (it exited with ${exited})` : ''}:\n${output.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  startLines = output.length;
  return { ports, output, logs: () => output.slice(startLines), stop };
}
