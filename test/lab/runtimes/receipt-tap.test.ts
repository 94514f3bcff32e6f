// The relay in front of an app: it records which instance received each probe token, whether the header name
// arrived as written, and it listens exactly while the app runs (so health checks see a stopped app as down).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { freePort } from '../../../lab/runtimes/ports.ts';
import { newProbeToken, receipts, tapRuntime } from '../../../lab/runtimes/receipt-tap.ts';
import type { RuntimeHandle } from '../../../lab/runtimes/runtime.ts';

const started: RuntimeHandle[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h[Symbol.asyncDispose]();
});

async function startApp(name: string): Promise<RuntimeHandle> {
  const h = await tapRuntime(new BuiltinRuntime()).start({ app: 'ep2-app', name, hostPort: await freePort() });
  started.push(h);
  return h;
}

// Writes the request in the given pieces, one write each, and resolves with the whole answer.
function exchange(port: number, pieces: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.on('connect', async () => {
      for (const p of pieces) {
        s.write(p);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });

describe('receipt tap', () => {
  it('records the instance that received a token, even when the header line is split across writes', async () => {
    const app = await startApp('flask2');
    const token = newProbeToken();
    const head = `GET / HTTP/1.1\r\nHost: localhost\r\nX-Lab-Probe: ${token}\r\nConnection: close\r\n\r\n`;
    const cut = head.indexOf('Probe') + 2;
    const answer = await exchange(app.hostPort, [head.slice(0, cut), head.slice(cut)]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toContain('Hello from Flask over TCP!');
    expect(receipts.get(token)).toEqual([{ instance: 'flask2', verbatim: true }]);
    expect(receipts.get(newProbeToken())).toEqual([]);
  });

  it('notes a header name that arrived re-written in lower case, as an HTTP proxy sends it', async () => {
    const app = await startApp('flask1');
    const token = newProbeToken();
    await exchange(app.hostPort, [`GET / HTTP/1.1\r\nhost: localhost\r\nx-lab-probe: ${token}\r\nconnection: close\r\n\r\n`]);
    expect(receipts.get(token)).toEqual([{ instance: 'flask1', verbatim: false }]);
  });

  it('stops listening while the app is stopped and listens again once it restarts', async () => {
    const app = await startApp('flask1');
    expect(await refused(app.hostPort)).toBe(false);
    await app.stop();
    expect(app.stage).toBe('stopped');
    expect(await refused(app.hostPort)).toBe(true);
    await app.restart();
    expect(app.stage).toBe('running');
    const token = newProbeToken();
    const answer = await exchange(app.hostPort, [`GET / HTTP/1.1\r\nHost: x\r\nX-Lab-Probe: ${token}\r\nConnection: close\r\n\r\n`]);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(receipts.get(token)).toHaveLength(1);
  });
});
