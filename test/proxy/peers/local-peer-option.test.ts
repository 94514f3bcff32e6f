// The engine's localPeer option is HAProxy's -L: it names this process's peer over the global "localpeer", on
// start and on every reload, so the same config can run as either peer of a section.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../proxy/index.ts';
import { freePort } from '../../helpers/haproxy.ts';

const CONFIG = (fe: number, a: number, b: number) => `global
    localpeer ignored
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
peers mesh
    peer a 127.0.0.1:${a}
    peer b 127.0.0.1:${b}
    table t type ip size 10 store gpc0
frontend fe
    bind 127.0.0.1:${fe}
    http-request return status 200
`;

function status(port: number, hello: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(hello));
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\n')) s.destroy();
    });
    s.on('close', () => resolve(got.slice(0, got.indexOf('\n') + 1)));
    s.on('error', () => resolve(''));
  });
}

describe('the localPeer engine option', () => {
  it('names the local peer over "localpeer", through a reload too', async () => {
    const [fe, a, b] = [await freePort(), await freePort(), await freePort()];
    const engine = createEngine({ source: { text: CONFIG(fe, a, b), name: 'haproxy.cfg' }, localPeer: 'b' });
    await engine.start();
    try {
      expect(engine.config.global.peers.get('mesh')).toMatchObject({ localPeer: 'b', complete: true, listen: { port: b } });
      expect(await status(b, 'HAProxyS 2.1\nb\na 1 1\n')).toBe('200\n');
      expect(await status(b, 'HAProxyS 2.1\nignored\na 1 1\n')).toBe('503\n');
      const r = await engine.reload();
      expect(r.ok).toBe(true);
      expect(engine.config.global.peers.get('mesh')?.localPeer).toBe('b');
      expect(await status(b, 'HAProxyS 2.1\nb\na 1 1\n')).toBe('200\n');
    } finally {
      await engine.stop();
    }
  });
});
