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

  it('shows HAProxy log lines as they are and server state changes in color', () => {
    expect(eventLine({ kind: 'log', line: '127.0.0.1:1 [x] http_front servers/server1 0/0/0/1/1 200' })?.text).toMatch(/servers\/server1/);
    expect(eventLine({ kind: 'server-state', backend: 'b', server: 's', from: 'up', to: 'down', message: 'Server b/s is DOWN' })).toEqual({ text: 'Server b/s is DOWN', tone: 'bad' });
  });

  it('hides steady passing checks and shows failing ones with their status', () => {
    const base = { kind: 'check' as const, backend: 'servers', server: 'server1', status: 'L7OK', desc: 'Layer7 check passed', durationMs: 1, rise: 2, fall: 3 };
    expect(eventLine({ ...base, ok: true, health: 4 })).toBeNull();
    const failing = eventLine({ ...base, ok: false, status: 'L4CON', desc: 'Connection refused', health: 3 });
    expect(failing?.text).toContain('failed, reason: Connection refused');
    expect(failing?.text).toContain('2/3 UP');
  });
});
