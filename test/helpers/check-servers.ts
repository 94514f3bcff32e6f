// Small scripted TCP servers on 127.0.0.1 for health-check tests: a greeting on accept, then answers to what
// the check sends (a fake redis, smtp, postgres, mysql or ldap speaks just enough of its protocol).
import net from 'node:net';
import { freePort } from './haproxy.ts';

export interface ServerScript {
  /** Sent as soon as a connection is accepted. */
  readonly greet?: string | Buffer;
  /** Called with everything received so far; return bytes to send, 'close' to end, or undefined to wait. */
  readonly reply?: (received: Buffer) => string | Buffer | 'close' | undefined;
  /** Close right after the greeting (or at once without one). */
  readonly closeAfterGreet?: boolean;
}

export interface ScriptedServers {
  /** Port of each named server; a name whose script is null gets a free port nobody listens on. */
  readonly ports: Record<string, number>;
  close(): Promise<void>;
}

function serve(script: ServerScript, port: number): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    if (script.greet !== undefined) sock.write(script.greet);
    if (script.closeAfterGreet) {
      sock.end();
      return;
    }
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const r = script.reply?.(got);
      if (r === 'close') sock.end();
      else if (r !== undefined) {
        got = Buffer.alloc(0);
        sock.write(r);
      }
    });
  });
  (srv as net.Server & { sockets?: Set<net.Socket> }).sockets = sockets;
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

// Starts one server per named script (null: a closed port, for "Connection refused").
export async function startScripted(scripts: Record<string, ServerScript | null>): Promise<ScriptedServers> {
  const ports: Record<string, number> = {};
  const servers: net.Server[] = [];
  const used = new Set<number>();
  for (const [name, script] of Object.entries(scripts)) {
    let port = await freePort();
    while (used.has(port)) port = await freePort();
    used.add(port);
    ports[name] = port;
    if (script) servers.push(await serve(script, port));
  }
  return {
    ports,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              for (const sock of (s as net.Server & { sockets?: Set<net.Socket> }).sockets ?? []) sock.destroy();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/** Replaces {{chk:NAME}} with the port of the named scripted server. */
export function fillChecks(text: string, servers: ScriptedServers): string {
  return text.replace(/\{\{chk:([\w-]+)\}\}/g, (whole, name: string) => {
    const p = servers.ports[name];
    if (p === undefined) throw new Error(`fillChecks: no scripted server '${name}' for ${whole}`);
    return String(p);
  });
}
