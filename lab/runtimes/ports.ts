// Loopback ports: is one free, find a free one, and wait until an HTTP server answers on one.
import { readFileSync } from 'node:fs';
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

// A port free on 127.0.0.1 right now. Picked at random below the kernel's ephemeral range: a port from that range
// (which is where port 0 comes from) can be taken by any outgoing connection before our listener binds it, and a
// busy machine (a benchmark, a test suite) makes thousands of those.
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  if (high - PICK_FROM >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = PICK_FROM + Math.floor(Math.random() * (high - PICK_FROM));
      if (await canBind(port)) return port;
    }
  }
  return kernelPort();
}

const PICK_FROM = 20000;

// The first port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range).
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

function canBind(port: number): Promise<boolean> {
  return assertPortFree(port).then(() => true, () => false);
}

// A port the kernel hands out for port 0 (free at the time of asking).
function kernelPort(): Promise<number> {
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

// Whether something listens on host:port (an IPv4 loopback address), read from /proc/net/tcp so that asking sends
// no packet at all (a probe connection would reach a mode-tcp backend as a client).
export function listensOn(host: string, port: number): boolean {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return false;
  // /proc shows the address as the kernel stores it: little-endian hex on x86 and arm
  const hexAddr = octets.map((o) => o.toString(16).toUpperCase().padStart(2, '0')).reverse().join('');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = new Set([`${hexAddr}:${hexPort}`, `00000000:${hexPort}`]);
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A' || !cols[1]) continue;
      // tcp6: "::" (all addresses) listens for IPv4 too
      if (wanted.has(cols[1]) || cols[1] === `00000000000000000000000000000000:${hexPort}`) return true;
    }
  }
  return false;
}
