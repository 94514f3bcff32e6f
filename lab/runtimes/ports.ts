// Loopback ports: is one free, find a free one, and wait until an HTTP server answers on one.
import http from 'node:http';
import net from 'node:net';

// A port the app needs is taken; the message says how to find and free it.
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `127.0.0.1:${port} is already in use, so the app cannot listen there.\n` +
        `  Fix: stop what holds it (\`lab down\` stops a previous \`lab up\`; \`ss -ltnp 'sport = :${port}'\` shows ` +
        `who else), or start on other ports with \`lab up ... --port-base N\`.`,
    );
    this.name = 'PortInUseError';
  }
}

// Resolves when 127.0.0.1:port can be bound right now; throws PortInUseError when it cannot.
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(port) : err);
    });
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

// A port the kernel just handed out on 127.0.0.1 (free at the time of asking).
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

// One GET / to 127.0.0.1:port; resolves with the status of any HTTP answer, rejects when none came.
export function probeHttp(port: number, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Returns a reason when waiting is pointless (the process exited...). */
  readonly gone?: () => string | undefined | Promise<string | undefined>;
}

// Polls until 127.0.0.1:port answers HTTP; throws after the timeout or when `gone` reports a reason.
export async function waitForHttp(port: number, opts: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = '';
  for (;;) {
    try {
      await probeHttp(port);
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    const why = await opts.gone?.();
    if (why) throw new Error(why);
    if (Date.now() > deadline) {
      throw new Error(`expected an HTTP answer on 127.0.0.1:${port} within ${opts.timeoutMs ?? 30_000} ms; last: ${last}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
