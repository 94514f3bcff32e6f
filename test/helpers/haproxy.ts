// Runs the real haproxy binary for parity tests: free loopback ports, a temp config, wait until it listens,
// and a stop() that always kills the process by PID and removes the temp files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lab/runtimes/ports.ts';

const probe = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });

/** True when a `haproxy` binary runs on this machine. */
export const hasHaproxy: boolean = probe.status === 0;

/** The first line of `haproxy -v`, or why there is none. */
export const haproxyVersion: string = hasHaproxy
  ? (probe.stdout.split('\n')[0] ?? '').trim()
  : 'haproxy not found on PATH';

if (!hasHaproxy) {
  // Visible once per test file that imports this helper, so a skipped parity suite never passes silently.
  console.warn('[parity] SKIPPED: real haproxy is not installed (`haproxy -v` failed); parity tests against it are skipped.');
}

export interface StartHaproxyOptions {
  /** How many free loopback ports to reserve for {{port0}}, {{port1}}, ... ({{port}} is {{port0}}). Default 1. */
  readonly ports?: number;
  /** Milliseconds to wait until every reserved port accepts connections. Default 10000. */
  readonly timeoutMs?: number;
  /** Ports that must accept connections before start resolves; default: all reserved ports. */
  readonly waitPorts?: readonly number[];
}

export interface HaproxyHandle {
  readonly pid: number;
  /** The first reserved port ({{port}}). */
  readonly port: number;
  readonly ports: readonly number[];
  /** The unix path substituted for {{sock}} (a stats socket the test may declare in its global section). */
  readonly socketPath: string;
  /** The config text as written to disk, after substitution. */
  readonly config: string;
  /** Everything haproxy printed so far (stdout and stderr, in arrival order), one entry per line. */
  readonly logs: string[];
  /** Sends one command to the {{sock}} stats socket and returns the answer. */
  runtime(command: string): Promise<string>;
  /** Kills the process (SIGTERM, then SIGKILL after 2 s) and removes the temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

// Free loopback ports come from the lab's own picker (below the ephemeral range, so outgoing connections of a
// busy test run cannot take them first).
export { freePort };

// True once something listens on the port. Reads /proc/net/tcp{,6} (passive: a probe connection would reach a
// mode tcp backend and shift the balancer's rotation); falls back to connecting where /proc is absent.
async function isListening(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let sawProc = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    sawProc = true;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      // cols[1] is local "ADDR:PORT", cols[3] the state; 0A is LISTEN.
      if (cols[3] === '0A' && cols[1]?.endsWith(':' + hexPort)) return true;
    }
  }
  if (sawProc) return false;
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

// Replaces {{port}}, {{portN}} and {{sock}} in a config template.
export function fillTemplate(text: string, ports: readonly number[], socketPath: string): string {
  return text
    .replace(/\{\{port(\d*)\}\}/g, (whole, n: string) => {
      const i = n === '' ? 0 : Number(n);
      const p = ports[i];
      if (p === undefined) {
        throw new Error(`startHaproxy: the config uses ${whole} but only ${ports.length} port(s) were reserved; pass { ports: ${i + 1} }`);
      }
      return String(p);
    })
    .replace(/\{\{sock\}\}/g, socketPath);
}

// Starts `haproxy -f cfg -db` on the config (with {{port}}/{{portN}}/{{sock}} filled) and waits until it listens.
export async function startHaproxy(cfgText: string, opts: StartHaproxyOptions = {}): Promise<HaproxyHandle> {
  if (!hasHaproxy) throw new Error('startHaproxy: haproxy is not installed; guard the suite with describe.skipIf(!hasHaproxy)');
  const count = opts.ports ?? 1;
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-haproxy-'));
  const socketPath = join(dir, 'admin.sock');
  const config = fillTemplate(cfgText, ports, socketPath);
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, config);

  const logs: string[] = [];
  const child = spawn('haproxy', ['-f', cfgPath, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : 0);
      live.delete(child);
      resolve();
    });
  });
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        if (exited === undefined && child.pid !== undefined) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }, 2000);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const runtime = (command: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const sock = connect({ path: socketPath });
      let out = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => (out += d));
      sock.on('end', () => resolve(out));
      sock.on('error', (e) => reject(new Error(`runtime "${command}": cannot reach ${socketPath} (${e.message}); declare "stats socket {{sock}} level admin" in global`)));
      sock.on('connect', () => sock.write(command + '\n'));
    });

  const waitFor = opts.waitPorts ?? ports;
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  try {
    for (const p of waitFor) {
      for (;;) {
        if (exited !== undefined) {
          throw new Error(`haproxy exited with code ${exited} before listening on ${p}:\n${logs.join('\n')}\n--- config ---\n${config}`);
        }
        if (await isListening(p)) break;
        if (Date.now() > deadline) throw new Error(`haproxy did not listen on 127.0.0.1:${p} within ${opts.timeoutMs ?? 10_000} ms:\n${logs.join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return { pid: child.pid!, port: ports[0]!, ports, socketPath, config, logs, runtime, stop };
}
