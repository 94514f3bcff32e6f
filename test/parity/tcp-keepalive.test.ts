// option tcpka / clitcpka / srvtcpka against real HAProxy 2.6: the kernel's keep-alive timer runs on the client
// side, the server side, both or neither of an idle connection. Read passively from /proc/net/tcp (the "tr"
// field is 2 while the keep-alive timer is armed), for the proxy's socket facing the client and facing the server.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
listen both
    bind 127.0.0.1:{{port0}}
    option tcpka
    server s1 127.0.0.1:${port}
listen client_side
    bind 127.0.0.1:{{port1}}
    option clitcpka
    server s1 127.0.0.1:${port}
listen server_side
    bind 127.0.0.1:{{port2}}
    option srvtcpka
    server s1 127.0.0.1:${port}
listen none
    bind 127.0.0.1:{{port3}}
    server s1 127.0.0.1:${port}
`;

const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');

// The "tr" (timer active) field of the socket with this local and remote port.
function timerOf(localPort: number, remotePort: number): number | null {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    if (f[1]!.endsWith(`:${hexPort(localPort)}`) && f[2]!.endsWith(`:${hexPort(remotePort)}`)) return Number(f[5]!.split(':')[0]);
  }
  return null;
}

/** For each listen: [client side timer, server side timer] of one idle connection through it. */
async function measure(proxy: { ports: readonly number[] }, serverPort: number, serverPeers: () => number[]): Promise<[number | null, number | null][]> {
  const out: [number | null, number | null][] = [];
  for (const port of proxy.ports) {
    const before = new Set(serverPeers());
    const client = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => client.once('connect', r));
    client.write('x');
    await new Promise((r) => setTimeout(r, 300));
    const peer = serverPeers().find((p) => !before.has(p));
    out.push([timerOf(port, client.localPort!), peer === undefined ? null : timerOf(peer, serverPort)]);
    client.destroy();
  }
  return out;
}

describe.skipIf(!hasHaproxy)('TCP keep-alive options set SO_KEEPALIVE where haproxy sets it', () => {
  let server: TestServer;
  const peers = new Set<number>();
  let expected: [number | null, number | null][] = [];
  let got: [number | null, number | null][] = [];

  beforeAll(async () => {
    server = await serveOnLoopback((sock) => {
      peers.add(sock.remotePort!);
      sock.on('data', () => {});
    });
    const list = () => [...peers];
    const real = await startHaproxy(CONFIG(server.port), { ports: 4 });
    try {
      expected = await measure(real, server.port, list);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(CONFIG(server.port), { ports: 4 });
    try {
      got = await measure(ours, server.port, list);
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('arms the keep-alive timer on the same sides as haproxy (tcpka, clitcpka, srvtcpka, none)', () => {
    expect(expected).toEqual([[2, 2], [2, 0], [0, 2], [0, 0]]);
    expect(got).toEqual(expected);
  });
});
