// Child processes for the benchmark: spawn, wait until a port accepts, read CPU and RSS from /proc, stop by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';

/** Clock ticks per second for /proc/PID/stat utime/stime (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;
const PAGE = 4096;

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Date.now() when it was spawned. */
  readonly startedAt: number;
  /** Everything it printed (stdout and stderr), for error messages. */
  readonly output: () => string;
  /** SIGTERM, then SIGKILL after graceMs (default 3 s); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

// Starts a command in its own process and keeps the last 64 KiB of what it prints.
export function startProc(name: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const startedAt = Date.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  if (child.pid === undefined) throw new Error(`${name}: could not start '${cmd}' (is it installed and on PATH?)`);
  live.add(child);
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 65536) out = out.slice(-65536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  return {
    name,
    pid: child.pid,
    child,
    startedAt,
    output: () => out,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

// Under load, ports from the ephemeral range get taken by wrk's own connections: use the lab's picker.
export { freePort } from '../../lab/runtimes/ports.ts';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// Waits until every port accepts a connection; fails naming the process and what it printed when it dies first.
export async function waitPorts(p: Proc, ports: readonly number[], timeoutMs = 20000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before listening on 127.0.0.1:${port}:\n${p.output()}`);
      }
      if (await accepts(port)) break;
      if (Date.now() > until) throw new Error(`${p.name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${p.output()}`);
      await sleep(50);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU seconds a process has used so far, in user space and in the kernel. */
export interface CpuTimes {
  readonly user: number;
  readonly sys: number;
}

// CPU seconds (utime, stime) the process has used so far, from /proc/PID/stat.
export function cpuTimes(pid: number): CpuTimes {
  const f = statFields(pid);
  return { user: Number(f[13]) / CLK_TCK, sys: Number(f[14]) / CLK_TCK };
}

// CPU seconds (user + system) the process has used so far.
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.sys;
}

// Resident set size in bytes, from /proc/PID/stat.
export function rssBytes(pid: number): number {
  return Number(statFields(pid)[23]) * PAGE;
}

function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name may hold spaces: fields start after its closing parenthesis (field 3 is the state)
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ['', '', ...rest];
}

const built = new Set<string>();

// A checkout's lab rebuilds a stale dist/ inside the process it starts: an engine started that way measured the
// build too (esbuild's memory in its RSS, 96 against 77 MiB, and a first round at 0.04 of HAProxy). `lab --help`
// rebuilds it first, in a process of its own; once per checkout and run.
export function ensureBuilt(root: string): void {
  if (built.has(root)) return;
  const r = spawnSync(process.execPath, [join(root, 'bin/lab.js'), '--help'], { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`${root}: 'lab --help' failed (exit ${r.status ?? r.signal}), so its dist/ is not usable:\n${r.stderr}${r.stdout}`);
  if (/rebuilding dist/.test(r.stderr)) process.stderr.write(`built ${root}/dist before measuring it: ${r.stderr.trim().split('\n')[0]}\n`);
  built.add(root);
}
