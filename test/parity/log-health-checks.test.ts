// option log-health-checks against real HAProxy 2.6: every change of a check's result is logged word for word
// ("Health check for server be/s1 failed, reason: ..., status: 0/2 DOWN."), and the state sentences then go
// without their reason. A server is stopped and started again while both watch it; each server's lines are
// compared in order, with check durations masked.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option log-health-checks
    timeout connect 500ms
    timeout client 5s
    timeout server 1s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:${port} check inter 150ms rise 2 fall 2
    server s2 127.0.0.1:1 check inter 150ms rise 2 fall 2
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(port: number): Promise<net.Server> {
  const srv = net.createServer((s) => s.destroy());
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

async function watch(start: () => Promise<{ logs: string[]; stop(): Promise<void> }>, port: number): Promise<Record<string, string[]>> {
  let srv = await listen(port);
  const proxy = await start();
  try {
    await sleep(900);
    await new Promise((r) => srv.close(r));
    await sleep(900);
    srv = await listen(port);
    await sleep(900);
  } finally {
    await proxy.stop();
    await new Promise((r) => srv.close(r));
  }
  const lines = proxy.logs.filter((l) => !l.startsWith('[')).map((l) => l.replace(/check duration: \d+ms/, 'check duration: Nms'));
  return { s1: lines.filter((l) => l.includes('be/s1')), s2: lines.filter((l) => l.includes('be/s2')) };
}

describe.skipIf(!hasHaproxy)('option log-health-checks logs as HAProxy 2.6', () => {
  it('logs each change of check result and the state changes without their reason, in the same order', async () => {
    const port = await freePort();
    const expected = await watch(() => startHaproxy(CONFIG(port)), port);
    const got = await watch(() => startEngine(CONFIG(port), { healthChecks: true }), port);
    expect(expected.s1.some((l) => l.startsWith('Health check for server be/s1 failed'))).toBe(true);
    expect(got).toEqual(expected);
  }, 30_000);
});
