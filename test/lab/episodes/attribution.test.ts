import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../proxy/events.ts';
import { Attributor, parseLogLine } from '../../../lab/episodes/attribution.ts';

describe('attribution', () => {
  it('reads client, frontend, backend, server and status from an httplog line', () => {
    const p = parseLogLine('127.0.0.1:54216 [25/Nov/2026:14:56:39.889] http_front servers/server3 0/0/0/0/0 200 188 - - ---- 1/1/0/0/0 0/0 "GET /data HTTP/1.1"');
    expect(p).toEqual({ client: '127.0.0.1', clientPort: 54216, mode: 'http', frontend: 'http_front', backend: 'servers', server: 'server3', status: 200 });
  });

  it('reads a tcplog line (no status) and a denied request (no backend, no server)', () => {
    expect(parseLogLine('127.0.0.1:40352 [25/Nov/2026:14:56:43.889] tcp_front flask_backend/flask1 1/0/4 212 -- 1/1/0/0/0 0/0')).toMatchObject({ mode: 'tcp', backend: 'flask_backend', server: 'flask1' });
    const denied = parseLogLine('127.66.0.5:41234 [25/Nov/2026:14:56:43.889] http_front http_front/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"');
    expect(denied).toMatchObject({ client: '127.66.0.5', status: 403, answeredBy: 'frontend http_front' });
    expect(denied!.backend).toBeUndefined();
    expect(denied!.server).toBeUndefined();
  });

  it('ignores lines that are not request logs', () => {
    expect(parseLogLine('[WARNING]  (1) : Server servers/server1 is DOWN, reason: Layer4 connection problem')).toBeNull();
  });

  it('joins engine events of one request by id and files them under the client address', () => {
    const bus = new EventBus();
    const a = new Attributor();
    a.attach(bus);
    bus.emit({ kind: 'request', id: 7, frontend: 'f', src: '::ffff:127.10.0.7', srcPort: 5555, method: 'GET', uri: '/admin', version: '1.1', headers: [], at: 0 });
    bus.emit({ kind: 'route', id: 7, frontend: 'f', decidedBy: 'use_backend', backend: 'web_backend' });
    bus.emit({ kind: 'balance', id: 7, backend: 'web_backend', server: 'web1', algorithm: 'roundrobin', reason: 'next', before: { algorithm: 'roundrobin', summary: '', servers: [] }, skipped: [] });
    expect(a.get('127.10.0.7', 5555)).toEqual({ frontend: 'f', backend: 'web_backend', server: 'web1' });
    bus.emit({ kind: 'request', id: 8, frontend: 'f', src: '127.66.0.5', srcPort: 6000, method: 'GET', uri: '/', version: '1.1', headers: [], at: 0 });
    bus.emit({ kind: 'route', id: 8, frontend: 'f', decidedBy: 'deny' });
    expect(a.get('127.66.0.5', 6000)).toEqual({ frontend: 'f', answeredBy: 'deny' });
  });

  it('waits for late log lines, and gives up at the timeout', async () => {
    const a = new Attributor();
    setTimeout(() => a.noteLog('127.0.0.1:1000 [x] fe be/s1 0/0/0/0/0 200 1 - - ---- 0/0/0/0/0 0/0 "GET / HTTP/1.1"'), 20);
    await a.waitFor([{ address: '127.0.0.1', port: 1000 }], 2000);
    expect(a.get('127.0.0.1', 1000)?.server).toBe('s1');
    const t0 = Date.now();
    await a.waitFor([{ address: '127.0.0.1', port: 1001 }], 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it("keeps the engine's account of a request when its log line arrives later", () => {
    const bus = new EventBus();
    const a = new Attributor();
    a.attach(bus);
    bus.emit({ kind: 'request', id: 1, frontend: 'http_front', src: '127.66.0.5', srcPort: 7000, method: 'GET', uri: '/', version: '1.1', headers: [], at: 0 });
    bus.emit({ kind: 'route', id: 1, frontend: 'http_front', decidedBy: 'http-request deny' });
    a.noteLog('127.66.0.5:7000 [25/Nov/2026:14:56:43.889] http_front http_front/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"');
    expect(a.get('127.66.0.5', 7000)).toEqual({ frontend: 'http_front', answeredBy: 'http-request deny', status: 403, ended: true });
  });

  it('stops waiting for a tcp connection as soon as its tcplog line is read (a tcplog line has no status)', async () => {
    const a = new Attributor();
    const t0 = Date.now();
    const waiting = a.waitFor([{ address: '127.0.0.1', port: 43164 }], 5000);
    a.noteLog('127.0.0.1:43164 [25/Nov/2026:18:51:53.295] tcp_front flask_backend/flask1 1/0/7 212 -- 1/1/0/0/0 0/0');
    await waiting;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(a.get('127.0.0.1', 43164)).toMatchObject({ frontend: 'tcp_front', backend: 'flask_backend', server: 'flask1', ended: true });
  });
});
