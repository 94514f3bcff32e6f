// Runs wrk with bench.lua and reads the one JSON line its done() prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'bench.lua');

export interface WrkResult {
  readonly requests: number;
  readonly durationUs: number;
  readonly bytes: number;
  readonly errors: { readonly connect: number; readonly read: number; readonly write: number; readonly status: number; readonly timeout: number };
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number; readonly max: number };
  /** Who answered: the body ("server1\n") or, for sized bodies, the X-Server header. */
  readonly counts: Readonly<Record<string, number>>;
  /** Responses whose body did not have the expected size. */
  readonly badSize: number;
}

export interface WrkRun {
  readonly port: number;
  readonly connections: number;
  readonly seconds: number;
  readonly path: string;
  /** Expected body size; 0 tallies by body. */
  readonly size: number;
  readonly close: boolean;
}

// One wrk run (one thread, so the load generator takes one core at most); rejects when wrk prints no result.
export function runWrk(r: WrkRun): Promise<WrkResult> {
  const args = ['-t1', '-c', String(r.connections), '-d', `${r.seconds}s`, '--timeout', '5s', '-s', SCRIPT];
  if (r.close) args.push('-H', 'Connection: close');
  args.push(`http://127.0.0.1:${r.port}`);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_PATH: r.path, BENCH_SIZE: String(r.size) },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', (err) => reject(new Error(`wrk could not start (${err.message}): install it with 'apt-get install wrk'`)));
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) {
        reject(new Error(`wrk ${args.join(' ')} exited ${code} without a BENCH_JSON line; it printed:\n${out}`));
        return;
      }
      resolve(JSON.parse(line.slice('BENCH_JSON '.length)) as WrkResult);
    });
  });
}
