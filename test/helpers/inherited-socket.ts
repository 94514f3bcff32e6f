// A child process started with a listening loopback socket as its fd 3, as VTest and systemd hand sockets over:
// the parent binds and listens, the child accepts. Further fds (files) can be passed as 4, 5, ...
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface InheritedChild {
  readonly child: ChildProcess;
  /** The loopback port of the socket passed as fd 3. */
  readonly port: number;
  /** stdout and stderr lines so far, in arrival order. */
  readonly lines: string[];
  /** Resolves with the exit code (or -1 on a signal). */
  readonly exited: Promise<number>;
  /** SIGTERM by PID, then SIGKILL after 2 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

// Listens on 127.0.0.1 (a port the kernel picks), starts the command with that socket as fd 3 (and `extraFds` as
// 4, 5 ...), then closes the parent's copy in the same tick, so only the child ever accepts on it.
export function spawnWithListener(cmd: string, args: readonly string[], extraFds: readonly number[] = [], cwd?: string): Promise<InheritedChild> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const port = (server.address() as net.AddressInfo).port;
      // Node keeps the descriptor on the listening handle; there is no public getter for it
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', fd, ...extraFds], cwd });
      server.close();
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
      resolve({ child, port, lines, exited, stop });
    });
  });
}
