import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../proxy/events.ts';
import { SEQUENCE_KEEP, initialTraffic, lastTrace, latencyStats, trafficReducer } from '../../../../lab/tui/state/traffic.ts';

const response = (id: number, server: string, tt = 2, status = 200, backend = 'servers'): EngineEvent => ({
  kind: 'response', id, frontend: 'http_front', backend, server, status, bytesIn: 10, bytesOut: 20,
  timings: { tq: 0, tw: 0, tc: 1, tr: 1, tt }, termination: '--', retries: 0,
});
const request = (id: number): EngineEvent => ({
  kind: 'request', id, frontend: 'http_front', src: '127.0.0.1', srcPort: 40000 + id, method: 'GET', uri: '/', version: '1.1', headers: [], at: 0,
});

describe('traffic reducer', () => {
  it('counts answers per server in the window and since the step started', () => {
    let s = initialTraffic();
    s = trafficReducer(s, { type: 'events', events: [response(1, 'server1'), response(2, 'server3'), response(3, 'server3')] });
    expect(s.window).toEqual({ 'servers/server1': 1, 'servers/server3': 2 });
    expect(s.served).toEqual(s.window);
    expect(s.sequence.map((a) => a.server)).toEqual(['servers/server1', 'servers/server3', 'servers/server3']);
    expect(s.total).toBe(3);
  });

  it('starts a new window on reset-window but keeps the served totals', () => {
    let s = trafficReducer(initialTraffic(), { type: 'events', events: [response(1, 'server1'), response(2, 'server2')] });
    s = trafficReducer(s, { type: 'reset-window', since: 'since reload #2' });
    s = trafficReducer(s, { type: 'events', events: [response(3, 'server2')] });
    expect(s.window).toEqual({ 'servers/server2': 1 });
    expect(s.served).toEqual({ 'servers/server1': 1, 'servers/server2': 2 });
    expect(s.since).toBe('since reload #2');
  });

  it('counts a response without a server (a deny, <NOSRV>) as unanswered', () => {
    const s = trafficReducer(initialTraffic(), { type: 'events', events: [response(1, '<NOSRV>', 0, 403, 'http_front')] });
    expect(s.windowUnanswered).toBe(1);
    expect(s.window).toEqual({});
    expect(s.sequence[0]).toEqual({ id: 1, server: null, status: 403, outcome: 'no-server', retries: 0 });
  });

  it('keeps only the last answers of the sequence', () => {
    const events = Array.from({ length: SEQUENCE_KEEP + 7 }, (_, i) => response(i + 1, `server${(i % 3) + 1}`));
    const s = trafficReducer(initialTraffic(), { type: 'events', events });
    expect(s.sequence).toHaveLength(SEQUENCE_KEEP);
    expect(s.sequence[s.sequence.length - 1]!.id).toBe(SEQUENCE_KEEP + 7);
  });

  it('assembles one trace per request id from its events, even across batches', () => {
    let s = trafficReducer(initialTraffic(), { type: 'events', events: [request(7), request(8)] });
    s = trafficReducer(s, {
      type: 'events',
      events: [
        { kind: 'route', id: 7, frontend: 'http_front', decidedBy: 'default_backend', backend: 'servers' },
        response(7, 'server2'),
      ],
    });
    const t = lastTrace(s)!;
    expect(t.id).toBe(7);
    expect(t.request?.srcPort).toBe(40007);
    expect(t.route?.decidedBy).toBe('default_backend');
    expect(t.response?.server).toBe('server2');
  });

  it('returns the same state for events that do not concern traffic', () => {
    const s = initialTraffic();
    expect(trafficReducer(s, { type: 'events', events: [{ kind: 'log', line: 'x' }] })).toBe(s);
  });
});

describe('latency stats', () => {
  it('summarises last, average, p95 and max', () => {
    const st = latencyStats([1, 2, 3, 4, 100])!;
    expect(st.last).toBe(100);
    expect(st.avg).toBeCloseTo(22);
    expect(st.max).toBe(100);
    expect(st.p95).toBe(100);
    expect(latencyStats([])).toBeNull();
  });
});

describe('what became of each request', () => {
  const resp = (id: number, server: string, status: number, tr: number, retries = 0, tc = 0) =>
    ({ kind: 'response', id, frontend: 'f', backend: server === '<NOSRV>' ? '<NOSRV>' : 'b', server, status, bytesIn: 0, bytesOut: 0, timings: { tq: 0, tw: 0, tc, tr, tt: 1 }, termination: '--', retries }) as const;

  it('counts as served only answers a server gave; a failed server, retries and denies are counted apart', () => {
    const s = trafficReducer(initialTraffic(), {
      type: 'events',
      events: [resp(1, 's1', 200, 1), resp(2, 's2', 503, -1, 3, -1), resp(3, '<NOSRV>', 403, -1, 0, -1), resp(4, 's1', 200, 2, 1)],
    });
    expect(s.window).toEqual({ 'b/s1': 2 });
    expect([s.windowTotal, s.windowUnanswered, s.windowFailed, s.windowRetries]).toEqual([4, 2, 1, 4]);
    expect(s.sequence.map((a) => a.outcome)).toEqual(['answered', 'failed', 'no-server', 'answered']);
  });

  it('counts a mode tcp connection a server accepted as answered', () => {
    const s = trafficReducer(initialTraffic(), { type: 'events', events: [resp(1, 's1', 0, -1, 0, 1), resp(2, 's2', 0, -1, 0, -1)] });
    expect(s.window).toEqual({ 'b/s1': 1 });
    expect(s.windowFailed).toBe(1);
  });
});
