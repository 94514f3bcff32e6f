// Where a playground config's servers go: an address on 127.0.0.0/8 where something listens is used as it is,
// a host name given with --resolve too, every other one gets a stand-in; and the copy real haproxy runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../proxy/index.ts';
import { haproxyCopy } from '../../../lab/play/haproxy-copy.ts';
import { placeConfig } from '../../../lab/play/placement.ts';
import { freePort, listensOn } from '../../../lab/runtimes/ports.ts';

let mine: Server;
let port: number;
beforeAll(async () => {
  mine = createServer((_q, r) => r.end('mine'));
  await new Promise<void>((r) => mine.listen(0, '127.0.0.1', r));
  port = (mine.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => mine.close(() => r())));

const config = (deadPort: number): string => `global
    log 192.0.2.1:514 local0 info
    stats socket /var/run/haproxy.sock mode 600 level admin
    chroot /var/lib/haproxy
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
resolvers dns
    nameserver ns1 8.8.8.8:53
frontend web
    bind *:80,:8080
    default_backend app
backend app
    server mine 127.0.0.1:${port} check
    server named app1:${port}
    server nothing 127.0.0.1:${deadPort}
    server far 198.51.100.7:80 check addr 198.51.100.8 port 8081 resolvers dns
`;

describe('playground placement', () => {
  it('uses what listens on loopback as it is, and stands in for the rest', async () => {
    const dead = await freePort();
    const model = loadConfig({ text: config(dead), name: 'haproxy.cfg' }).model!;
    const p = await placeConfig(model, { freePort, listening: listensOn, resolve: new Map([['app1', '127.0.0.1']]) });
    expect(p.servers.map((s) => [s.server, s.kind, s.kind === 'listening' ? s.port : 'new'])).toEqual([
      ['mine', 'listening', port], ['named', 'listening', port], ['nothing', 'stand-in', 'new'], ['far', 'stand-in', 'new'],
    ]);
    expect(p.binds.map((b) => b.docPort)).toEqual([80, 8080]);
    expect(new Set(p.binds.map((b) => b.port)).size).toBe(2);
  });

  it('reads listening sockets without connecting: a closed port is not listening', async () => {
    expect(listensOn('127.0.0.1', port)).toBe(true);
    expect(listensOn('127.0.0.1', await freePort())).toBe(false);
  });

  it("writes haproxy's copy line for line, on the playground's addresses, with nothing that reaches past loopback", async () => {
    const dead = await freePort();
    const text = config(dead);
    const model = loadConfig({ text, name: 'haproxy.cfg' }).model!;
    const p = await placeConfig(model, { freePort, listening: listensOn });
    const copy = haproxyCopy(text, p, new Map([[80, 30001], [8080, 30002]])).split('\n');
    expect(copy).toHaveLength(text.split('\n').length);
    expect(copy[1]).toBe('    log stdout format raw local0 info');
    expect(copy[2]).toMatch(/^# lab: not run beside the engine: stats socket/);
    expect(copy[3]).toMatch(/^# lab: not run beside the engine: chroot/);
    expect(copy[10]).toBe('# nameserver ns1 8.8.8.8:53');
    expect(copy[12]).toBe('    bind 127.0.0.1:30001,127.0.0.1:30002');
    const far = p.servers.find((s) => s.server === 'far')!;
    expect(copy[18]).toBe(`    server far 127.0.0.1:${far.port} check`);
  });
});
