// A child process started with a listening loopback socket as its fd 3, as VTest and systemd hand sockets over:
// the parent binds and listens, the child accepts. Further fds (files) can be passed as 4, 5, ...
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface InheritedChild {
  readonly child: ChildProcess;
  /** The loopback port of the socket passed as fd 3. */
  readonly port: number;
  /** The ports of every socket passed (fd 3, 4 ...), when `listeners` asked for more than one. */
  readonly ports: readonly number[];
  /** stdout and stderr lines so far, in arrival order. */
  readonly lines: string[];
  /** Resolves with the exit code (or -1 on a signal). */
  readonly exited: Promise<number>;
  /** SIGTERM by PID, then SIGKILL after 2 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

function listening(): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

// Listens on 127.0.0.1 (ports the kernel picks), starts the command with those sockets as fds 3, 4 ... (then
// `extraFds`), and closes the parent's copies in the same tick, so only the child ever accepts on them. Nothing
// connects before the child exists: the ports are known to no one until this resolves.
export async function spawnWithListener(cmd: string, args: readonly string[], extraFds: readonly number[] = [], cwd?: string, listeners = 1): Promise<InheritedChild> {
  const servers: net.Server[] = [];
  for (let i = 0; i < listeners; i++) servers.push(await listening());
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  // Node keeps the descriptor on the listening handle; there is no public getter for it
  const fds = servers.map((s) => (s as unknown as { _handle: { fd: number } })._handle.fd);
  const port = ports[0]!;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', ...fds, ...extraFds], cwd });
  for (const s of servers) s.close();
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('latin1').split('\n')) if (line !== '') lines.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let code: number | undefined;
  const exited = new Promise<number>((res) => child.once('exit', (c, sig) => res((code = c ?? (sig ? -1 : 0)))));
  const stop = async (): Promise<void> => {
    if (code !== undefined || child.pid === undefined) return;
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        if (code === undefined) process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 2000);
    await exited;
    clearTimeout(timer);
  };
  return { child, port, ports, lines, exited, stop };
}
