// Stopping the engine closes every client connection, idle keep-alive ones included, as HAProxy's hard stop
// does: nothing is left to keep the process alive until a timeout runs out.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { startEngine } from '../../helpers/engine.ts';

describe('engine.stop()', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('closes an idle keep-alive client connection at once', async () => {
    const proxy = await startEngine(`
defaults
    mode http
    timeout connect 1s
    timeout client 50s
    timeout server 50s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:${backends.servers[0]!.port}
`);
    const sock = net.connect({ host: '127.0.0.1', port: proxy.port });
    const answered = new Promise<void>((resolve) => sock.once('data', () => resolve()));
    const closed = new Promise<number>((resolve) => sock.once('close', () => resolve(Date.now())));
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await answered;
    const t = Date.now();
    await proxy.stop();
    expect((await closed) - t).toBeLessThan(1000);
    expect(proxy.engine.snapshot().frontends[0]!.current).toBe(0);
  });
});
