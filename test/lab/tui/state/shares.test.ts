import { describe, expect, it } from 'vitest';
import type { BackendSnapshot, ServerSnapshot } from '../../../../proxy/api.ts';
import { allShares, shareBar, shareRows } from '../../../../lab/tui/state/shares.ts';
import { initialTraffic, trafficReducer } from '../../../../lab/tui/state/traffic.ts';

const server = (name: string, weight: number, extra: Partial<ServerSnapshot> = {}): ServerSnapshot => ({
  name, id: 1, address: '127.0.0.1:1', weight, effectiveWeight: weight, op: 'up', admin: 'ready', backup: false, check: true,
  health: 4, rise: 2, fall: 3, served: 0, queued: 0, maxconn: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0, failedConnects: 0,
  lastStateChange: 0, ...extra,
});
const backend = (servers: ServerSnapshot[], algorithm = 'roundrobin'): BackendSnapshot => ({
  name: 'servers', id: 2, mode: 'http', algorithm, servers, queued: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0,
});
const answers = (...names: string[]) =>
  trafficReducer(initialTraffic(), {
    type: 'events',
    events: names.map((n, i) => ({
      kind: 'response' as const, id: i, frontend: 'f', backend: 'servers', server: n, status: 200, bytesIn: 0, bytesOut: 0,
      timings: { tq: 0, tw: 0, tc: 0, tr: 0, tt: 1 }, termination: '--', retries: 0,
    })),
  });

describe('shares', () => {
  it('promises each usable server its weight over the sum of weights', () => {
    const rows = shareRows(backend([server('server1', 2), server('server2', 1), server('server3', 3)]), answers('server3', 'server1', 'server3'));
    expect(rows.map((r) => r.promised)).toEqual([2 / 6, 1 / 6, 3 / 6]);
    expect(rows.map((r) => r.observed)).toEqual([1 / 3, 0, 2 / 3]);
  });

  it('promises a DOWN server nothing and spreads its share over the others', () => {
    const rows = shareRows(backend([server('server1', 2, { op: 'down' }), server('server2', 1), server('server3', 3)]), initialTraffic());
    expect(rows.map((r) => r.promised)).toEqual([0, 1 / 4, 3 / 4]);
  });

  it('promises nothing by weight for hashing algorithms', () => {
    const rows = shareRows(backend([server('a', 1), server('b', 1)], 'source'), initialTraffic());
    expect(rows.every((r) => r.promised === null)).toBe(true);
  });

  it('gives one-server backends their part of all answers', () => {
    const t = trafficReducer(answers('server1'), {
      type: 'events',
      events: [{ kind: 'response', id: 9, frontend: 'f', backend: 'static', server: 'static1', status: 200, bytesIn: 0, bytesOut: 0, timings: { tq: 0, tw: 0, tc: 0, tr: 0, tt: 1 }, termination: '--', retries: 0 }],
    });
    const m = allShares(null, ['servers/server1', 'static/static1'], t);
    expect(m.get('static/static1')).toEqual({ count: 1, observed: 0.5, promised: null });
  });

  it('draws the observed part filled and a tick where the promise ends', () => {
    expect(shareBar(0.5, 0.25, 8, '#')).toBe('#│##····');
    expect(shareBar(0, null, 4, '#')).toBe('····');
    expect(shareBar(1, 1, 4, '#')).toBe('###│');
  });
});
