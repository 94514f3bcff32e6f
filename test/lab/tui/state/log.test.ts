import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LOG_KEEP, initialLog, logReducer } from '../../../../lab/tui/state/log.ts';
import { eventLine, eventLines } from '../../../../lab/tui/state/event-lines.ts';

describe('log pane state', () => {
  it('numbers lines as they arrive', () => {
    const s = logReducer(initialLog(), { type: 'append', lines: [{ text: 'a', tone: 'plain' }, { text: 'b', tone: 'ok' }] });
    expect(s.items.map((i) => [i.id, i.text])).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('past the limit keeps only the new lines and moves to a new epoch, so <Static> prints them', () => {
    let s = initialLog();
    s = logReducer(s, { type: 'append', lines: Array.from({ length: LOG_KEEP }, (_, i) => ({ text: String(i), tone: 'plain' as const })) });
    expect(s.epoch).toBe(0);
    s = logReducer(s, { type: 'append', lines: [{ text: 'new', tone: 'plain' }] });
    expect(s.epoch).toBe(1);
    expect(s.items.map((i) => i.text)).toEqual(['new']);
  });
});

describe('event lines', () => {
  it('has a view for every event kind', () => {
    expect(Object.keys(eventLines).sort()).toEqual(
      ['acl', 'balance', 'check', 'diagnostic', 'listening', 'log', 'reloaded', 'request', 'response', 'route', 'server-state'].sort(),
    );
  });

  it('shows HAProxy log lines as they are, state changes in color, and no line of its own for state or checks', () => {
    expect(eventLine({ kind: 'log', line: '127.0.0.1:1 [x] http_front servers/server1 0/0/0/1/1 200' })?.text).toMatch(/servers\/server1/);
    expect(eventLine({ kind: 'log', line: 'Server b/s is DOWN, reason: Layer4 connection problem' })?.tone).toBe('bad');
    expect(eventLine({ kind: 'log', line: 'Server b/s is UP, reason: Layer4 check passed' })?.tone).toBe('ok');
    // The engine logs HAProxy's sentence for these as a 'log' event already.
    expect(eventLine({ kind: 'server-state', backend: 'b', server: 's', from: 'up', to: 'down', message: 'Server b/s is DOWN' })).toBeNull();
    const check = { kind: 'check' as const, backend: 'servers', server: 'server1', status: 'L4CON', desc: 'Connection refused', durationMs: 1, rise: 2, fall: 3, ok: false, health: 3 };
    expect(eventLine(check)).toBeNull();
  });

  it('prints one line when a checked server goes DOWN without option log-health-checks, as HAProxy does', async () => {
    const { createEngine, EventBus } = await import('../../../../proxy/index.ts');
    const dead = await new Promise<number>((done) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => done(port));
      });
    });
    const events = new EventBus(1000);
    const lines: string[] = [];
    events.onAny((e) => {
      const l = eventLine(e);
      if (l) lines.push(l.text);
    });
    const engine = createEngine({
      source: { text: `defaults\n    mode http\n    timeout connect 200ms\nbackend servers\n    server s1 127.0.0.1:${dead} check inter 50ms fall 2 rise 2\n`, name: 't.cfg' },
      logSink: () => {},
      events,
    });
    await engine.start();
    try {
      const deadline = Date.now() + 5000;
      while (!lines.some((l) => l.includes('is DOWN')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // More failing checks after DOWN add nothing.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await engine.stop();
    }
    const about = lines.filter((l) => l.includes('servers/s1'));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/^Server servers\/s1 is DOWN/);
    expect(lines.some((l) => l.startsWith('Health check'))).toBe(false);
  });
});
