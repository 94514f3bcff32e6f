// The containers table folded from typed container events: rows as containers start, requests counted from each
// one's own output, who answered last, removal, and a new run's containers replacing the last run's.
import { describe, expect, it } from 'vitest';
import type { ContainerEvent } from '../../../../lab/docker/container-events.ts';
import { requestIn } from '../../../../lab/docker/container-events.ts';
import { containerCells, containersReducer, initialContainers } from '../../../../lab/tui/state/containers.ts';
import { initialScreen, pressKey, type ScreenContext } from '../../../../lab/tui/state/episode-screen.ts';

const started = (name: string, role: 'app' | 'proxy' = 'app', hostPort = 0): ContainerEvent => ({ kind: 'container-started', name, image: role === 'proxy' ? 'haproxy-tcp' : 'flask-app', port: role === 'proxy' ? 4000 : 5000, hostPort, state: 'running', role });
const fold = (events: ContainerEvent[]) => events.reduce(containersReducer, initialContainers);

describe('the containers table', () => {
  it('counts the requests in each container’s output and marks the app that answered last; the proxy shows whom it named', () => {
    const s = fold([
      started('flask1'), started('flask2'), started('haproxy', 'proxy', 41234),
      { kind: 'container-request', name: 'flask1' }, { kind: 'container-request', name: 'haproxy', server: 'flask1' },
      { kind: 'container-request', name: 'flask2' }, { kind: 'container-request', name: 'haproxy', server: 'flask2' },
      { kind: 'container-request', name: 'flask1' }, { kind: 'container-request', name: 'haproxy', server: 'flask1' },
    ]);
    expect(containerCells(s)).toEqual([
      { name: 'flask1', image: 'flask-app', state: 'running', published: 'network only', requests: '2', note: '◂ last answer' },
      { name: 'flask2', image: 'flask-app', state: 'running', published: 'network only', requests: '1', note: '' },
      { name: 'haproxy', image: 'haproxy-tcp', state: 'running', published: '127.0.0.1:41234', requests: '3', note: '→ flask1 last' },
    ]);
  });

  it('shows removed containers until the next run starts, whose containers count from 0', () => {
    let s = fold([started('flask1'), { kind: 'container-request', name: 'flask1' }, started('haproxy', 'proxy', 4100)]);
    s = containersReducer(containersReducer(s, { kind: 'container-removed', name: 'flask1' }), { kind: 'container-removed', name: 'haproxy' });
    expect(containerCells(s).map((c) => `${c.name} ${c.state} ${c.published} ${c.requests}`)).toEqual(['flask1 removed - 1', 'haproxy removed - 0']);
    s = containersReducer(s, started('flask1'));
    expect(containerCells(s).map((c) => `${c.name} ${c.state} ${c.requests}`)).toEqual(['flask1 running 0']);
    expect(s.last).toBeNull();
  });

  it('reads requests from werkzeug access lines and HAProxy log records, not from start-up lines', () => {
    expect(requestIn('app1', 'app', '172.18.0.5 - - [03/Dec/2026 15:00:00] "GET / HTTP/1.1" 200 -')).toEqual({ kind: 'container-request', name: 'app1' });
    expect(requestIn('app1', 'app', ' * Running on http://172.18.0.5:5001')).toBeNull();
    expect(requestIn('haproxy', 'proxy', '172.18.0.1:40000 [03/Dec/2026:15:00:00.123] http_front servers/server3 0/0/1/2/3 200 189 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"')).toEqual({ kind: 'container-request', name: 'haproxy', server: 'server3' });
    expect(requestIn('haproxy', 'proxy', '[NOTICE]   (1) : New worker (8) forked')).toBeNull();
  });
});

describe('the request prompt on a Docker step', () => {
  const ctx = { hasEngine: false, hasServers: false, docker: true, hasConfig: true, hasChecks: true, predicting: false, overlayOpen: false, canNext: true, canPrev: true, hasHint: true, hasSolution: false, busy: false, hasLastRequest: false, requests: 1, serverCount: 0, paneHeight: 10, paneOffset: 0, trafficRunning: false, liveChanges: [], hasEditor: false } satisfies ScreenContext;
  const type = (line: string) => {
    let s = pressKey(initialScreen(), { input: ':', key: {} }, ctx).state;
    s = pressKey(s, { input: line, key: {} }, ctx).state;
    return pressKey(s, { input: '', key: { return: true } }, ctx);
  };

  it('opens on a Docker step without servers, and hands a docker line to docker, not to curl', () => {
    expect(type('docker build -t flask-docker-app .').effects).toEqual([{ type: 'docker-line', line: 'docker build -t flask-docker-app .' }]);
    expect(type('curl http://localhost:5000/').effects).toEqual([{ type: 'send-line', line: 'curl http://localhost:5000/' }]);
  });

  it('stays shut on a step without servers that is not a Docker step', () => {
    expect(pressKey(initialScreen(), { input: ':', key: {} }, { ...ctx, docker: false }).state.request.prompt).toBeNull();
  });
});
