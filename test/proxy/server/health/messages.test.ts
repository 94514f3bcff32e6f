// The state sentences for runtime changes (drain, maintenance, health from the CLI), built with our
// formatters for a model of the backend, against what haproxy 2.6 logs for the same commands.
import { describe, expect, it } from 'vitest';
import {
  countUsable,
  drainEnterMessage,
  drainLeaveMessage,
  maintEnterMessage,
  maintFromDownMessage,
  maintLeaveMessage,
  noServerAvailableMessage,
  serverDownMessage,
  serverUpMessage,
} from '../../../../proxy/server/health/messages.ts';
import { ServerState } from '../../../../proxy/server/server-state.ts';
import { proxySpec } from '../../../helpers/fake-engine.ts';
import { freePort, hasHaproxy, startHaproxy } from '../../../helpers/haproxy.ts';
import { socat } from '../../runtime-api/socat.ts';

// The backend b (s1, s2, backup k1) and, per command, what the engine would log after applying it.
function expectedLines(): { command: string; lines: string[] }[] {
  const spec = proxySpec({ kind: 'backend', name: 'b', servers: [{ name: 's1', port: 1 }, { name: 's2', port: 2 }, { name: 'k1', port: 3, backup: true }] }, 3);
  const [s1, s2, k1] = spec.servers.map((s) => new ServerState(s, 'b')) as [ServerState, ServerState, ServerState];
  const all = [s1, s2, k1];
  const set = (s: ServerState, change: Partial<Pick<ServerState, 'op' | 'admin' | 'effectiveWeight'>>) => Object.assign(s, change);
  const steps: { command: string; lines: string[] }[] = [];
  const step = (command: string, apply: () => string[]) => steps.push({ command, lines: apply() });

  step('set server b/s1 state drain', () => (set(s1, { admin: 'drain', effectiveWeight: 0 }), [drainEnterMessage(s1, countUsable(all))]));
  step('set server b/s1 state ready', () => (set(s1, { admin: 'ready', effectiveWeight: 1 }), [drainLeaveMessage(s1, true)]));
  step('set server b/s1 health down', () => (set(s1, { op: 'down' }), [serverDownMessage(s1, 'changed from CLI', countUsable(all))]));
  step('set server b/s1 state maint', () => (set(s1, { admin: 'maint' }), [maintFromDownMessage(s1)]));
  step('set server b/s1 state ready', () => (set(s1, { admin: 'ready', op: 'up' }), [maintLeaveMessage(s1, true, false)]));
  step('set server b/s2 state maint', () => (set(s2, { admin: 'maint', op: 'down' }), [maintEnterMessage(s2, countUsable(all))]));
  step('set server b/s1 state maint', () => (set(s1, { admin: 'maint', op: 'down' }), [maintEnterMessage(s1, countUsable(all))]));
  step('set server b/k1 health down', () => (set(k1, { op: 'down' }), [serverDownMessage(k1, 'changed from CLI', countUsable(all)), noServerAvailableMessage('b')]));
  step('set server b/k1 health up', () => (set(k1, { op: 'up' }), [serverUpMessage(k1, 'changed from CLI', countUsable(all))]));
  step('enable server b/s1', () => (set(s1, { admin: 'ready', op: 'up' }), [maintLeaveMessage(s1, true, false)]));
  return steps;
}

describe('state sentences for runtime changes', () => {
  it('reads as HAProxy words them', () => {
    const lines = expectedLines().flatMap((s) => s.lines);
    expect(lines).toContain('Server b/s1 enters drain state. 1 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.');
    expect(lines).toContain('Server b/s1 was DOWN and now enters maintenance.');
    expect(lines).toContain('Server b/s1 is going DOWN for maintenance. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.');
    expect(lines).toContain('Backup Server b/k1 is UP, changed from CLI. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.');
  });

  it.skipIf(!hasHaproxy)('matches haproxy 2.6 line for line, command by command', async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    const h = await startHaproxy(`global
  log stdout format raw local0
  stats socket {{sock}} level admin
defaults
  mode http
  log global
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend f
  bind 127.0.0.1:{{port}}
  default_backend b
backend b
  server s1 127.0.0.1:${p1}
  server s2 127.0.0.1:${p2}
  server k1 127.0.0.1:${p3} backup
`);
    try {
      const raw = () => h.logs.filter((l) => !l.startsWith('['));
      for (const { command, lines } of expectedLines()) {
        const before = raw().length;
        await socat(h.socketPath, command + '\n');
        const deadline = Date.now() + 3000;
        while (raw().length < before + lines.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 30));
        expect({ command, lines: raw().slice(before) }).toEqual({ command, lines });
      }
    } finally {
      await h.stop();
    }
  });
});
