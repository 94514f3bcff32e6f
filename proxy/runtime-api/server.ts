// `stats socket` listeners: a unix path or "ipv4@127.0.0.1:PORT" (also "unix@PATH", "HOST:PORT", and "fd@N", an
// inherited listening socket as VTest hands its CLI over), each connection a CLI session at the socket's level.
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Engine } from '../api.ts';
import type { StatsSocketSpec } from '../config/model.ts';
import { createCommandProcessor } from './commands.ts';
import { createCliSession } from './session.ts';

export interface StatsSockets {
  /** Where each socket listens: a path, or "127.0.0.1:PORT" with the real port. */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

export type SocketAddress = { readonly path: string } | { readonly host: string; readonly port: number } | { readonly fd: number };

// Reads a `stats socket` address as HAProxy does: "unix@/p", "/p", "ipv4@h:p", "h:p", "fd@N".
export function parseSocketAddress(address: string): SocketAddress {
  if (/^fd@\d+$/.test(address)) return { fd: Number(address.slice(3)) };
  if (address.startsWith('unix@')) return { path: address.slice(5) };
  if (address.startsWith('/') || address.startsWith('.')) return { path: address };
  const rest = address.replace(/^ipv4@/, '');
  const i = rest.lastIndexOf(':');
  const port = Number(rest.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`stats socket: expected a unix path or "ipv4@127.0.0.1:PORT", got "${address}"; write e.g. "stats socket ipv4@127.0.0.1:9999 level admin"`);
  }
  return { host: rest.slice(0, i) || '127.0.0.1', port };
}

function listen(server: Server, addr: SocketAddress, spec: StatsSocketSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      const where = `${spec.loc.file}:${spec.loc.line}`;
      reject(new Error(`[${where}] : cannot bind stats socket "${spec.address}" (${err.message}); choose a free port or path`));
    };
    server.once('error', fail);
    const done = (): void => {
      server.off('error', fail);
      const a = server.address();
      resolve(typeof a === 'string' ? a : a ? `${a.address}:${a.port}` : spec.address);
    };
    if ('fd' in addr) {
      server.listen({ fd: addr.fd }, done);
    } else if ('path' in addr) {
      // HAProxy replaces a stale socket file left by a previous run.
      if (existsSync(addr.path) && lstatSync(addr.path).isSocket()) unlinkSync(addr.path);
      server.listen(addr.path, done);
    } else {
      server.listen(addr.port, addr.host, done);
    }
  });
}

// Starts every stats socket of the global section over the engine; rejects (listening nowhere) if one cannot bind.
export async function startStatsSockets(specs: readonly StatsSocketSpec[], engine: Engine): Promise<StatsSockets> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const addresses: string[] = [];
  const closeAll = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  try {
    for (const spec of specs) {
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.setEncoding('utf8');
        const session = createCliSession(createCommandProcessor(engine, { level: spec.level }), {
          write: (text) => {
            if (!socket.destroyed) socket.write(text);
          },
          end: () => socket.end(),
        });
        socket.on('data', (d: string) => session.receive(d));
        socket.on('end', () => session.clientEnded());
        socket.on('error', () => socket.destroy());
        socket.on('close', () => sockets.delete(socket));
      });
      servers.push(server);
      addresses.push(await listen(server, parseSocketAddress(spec.address), spec));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { addresses, close: closeAll };
}
