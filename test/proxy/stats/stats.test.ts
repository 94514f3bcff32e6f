import { describe, expect, it } from 'vitest';
import type { ServerSnapshot } from '../../../proxy/api.ts';
import { STAT_COLUMNS } from '../../../proxy/stats/columns.ts';
import { defaultFullconn, renderStatsCsv } from '../../../proxy/stats/csv.ts';
import { handleStatsRequest, matchesStatsUri, pageAnswer } from '../../../proxy/stats/handler.ts';
import { humanDuration, renderStatsHtml } from '../../../proxy/stats/html.ts';
import { backendTotals, serverStatusText } from '../../../proxy/stats/status.ts';
import { configModel, FakeEngine } from '../../helpers/fake-engine.ts';

function lab(): FakeEngine {
  return new FakeEngine(
    configModel({
      maxconn: 1000,
      proxies: [
        { kind: 'frontend', name: 'web', binds: ['127.0.0.1:8080'], defaultBackend: 'servers', stats: { enabled: true, uri: '/stats' } },
        {
          kind: 'backend',
          name: 'servers',
          servers: [
            { name: 'app<1>', port: 5001, weight: 3, check: true },
            { name: 'app2', port: 5002, check: true },
            { name: 'spare', port: 5003, backup: true },
          ],
        },
        { kind: 'listen', name: 'db', mode: 'tcp', binds: ['127.0.0.1:3306'], servers: [{ name: 'db1', port: 3307 }] },
      ],
    }),
  );
}

const srv = (over: Partial<ServerSnapshot>): ServerSnapshot => ({
  name: 's', id: 1, address: '127.0.0.1:1', weight: 1, effectiveWeight: 1, op: 'up', admin: 'ready', backup: false, check: true,
  health: 4, rise: 2, fall: 3, served: 0, queued: 0, maxconn: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0, failedConnects: 0,
  lastStateChange: 0, ...over,
});

describe('server status as the stats show it', () => {
  it.each([
    [{}, 'UP'],
    [{ health: 3 }, 'UP 2/3'],
    [{ health: 2 }, 'UP 1/3'],
    [{ op: 'down', health: 0 }, 'DOWN'],
    [{ op: 'down', health: 1 }, 'DOWN 1/2'],
    [{ admin: 'drain' }, 'DRAIN'],
    [{ admin: 'drain', health: 3 }, 'DRAIN 2/3'],
    [{ admin: 'maint', op: 'down', health: 0 }, 'MAINT'],
    [{ check: false }, 'no check'],
    [{ check: false, op: 'down' }, 'DOWN'],
  ] as const)('%j reads %s', (over, want) => {
    expect(serverStatusText(srv(over as Partial<ServerSnapshot>))).toBe(want);
  });
});

describe('backend totals', () => {
  const b = (servers: ServerSnapshot[]) => ({ name: 'b', id: 1, mode: 'http' as const, algorithm: 'roundrobin', servers, queued: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 });
  it('counts active servers only while one is usable', () => {
    expect(backendTotals(b([srv({ weight: 3, effectiveWeight: 3 }), srv({ backup: true, weight: 5, effectiveWeight: 5 })]))).toEqual({ active: 1, backup: 1, totalWeight: 3, userWeight: 3 });
  });
  it('falls back to the first backup, or all backups with allbackups', () => {
    const all = [srv({ op: 'down' }), srv({ backup: true, weight: 2, effectiveWeight: 2 }), srv({ backup: true, weight: 5, effectiveWeight: 5 })];
    expect(backendTotals(b(all)).totalWeight).toBe(2);
    expect(backendTotals(b(all), true).totalWeight).toBe(7);
  });
});

describe('CSV', () => {
  it('prints the header, then FRONTEND, servers and BACKEND rows per proxy in id order, every field comma-terminated', () => {
    const csv = renderStatsCsv(lab().snapshot(), { config: lab().config });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('# ' + STAT_COLUMNS.join(',') + ',');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join('/'))).toEqual([
      'web/FRONTEND', 'servers/app<1>', 'servers/app2', 'servers/spare', 'servers/BACKEND', 'db/FRONTEND', 'db/db1', 'db/BACKEND',
    ]);
    for (const l of lines.slice(1)) expect(l.split(',')).toHaveLength(STAT_COLUMNS.length + 1);
  });

  it('uses a tenth of the routing frontends\' maxconn as fullconn, at least 1', () => {
    const e = lab();
    expect(defaultFullconn(e.config, 'servers')).toBe(100);
    expect(defaultFullconn(e.config, 'nobody')).toBe(1);
  });

  it('hides servers that are not up with "up", and quotes fields holding commas', () => {
    const e = lab();
    e.setServerHealth('servers', 'app2', 'down');
    e.server('servers', 'app<1>').lastCheck = { status: 'L7STS', code: 500, desc: 'Oops, broken', durationMs: 2, at: 0 };
    const csv = renderStatsCsv(e.snapshot(), { config: e.config, upOnly: true });
    expect(csv).not.toContain('servers,app2,');
    expect(csv).toContain(',"Oops, broken",');
    expect(csv).toMatch(/^servers,BACKEND,.*,UP \(2\/3\),/m);
  });
});

describe('stats page', () => {
  it('serves the HTML page with a row per server showing status, weight and the last check', () => {
    const e = lab();
    e.server('servers', 'app2').lastCheck = { status: 'L4CON', desc: 'Connection refused', durationMs: 0, at: 0 };
    const r = handleStatsRequest('/stats', e.snapshot(), { uri: '/stats', config: e.config, refresh: 5 });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('text/html');
    // the refresh travels in HAProxy's "refresh" header (see pageAnswer), not in the page
    expect(pageAnswer(r, 5).headers).toEqual(['cache-control', 'no-cache', 'content-type', 'text/html', 'refresh', '5']);
    // HAProxy's row for a server going down: its class, its status with the arrow, the last check and its tip
    expect(r.body).toContain('<tr class="active_going_down">');
    expect(r.body).toMatch(/<a class=lfsb href="#servers\/app2">app2<\/a><\/td>/);
    expect(r.body).toMatch(/<td class=ac>\d+s UP 1\/3 &darr;<\/td><td class=ac><u> L4CON in 0ms<div class=tips>Layer4 connection problem: Connection refused<\/div><\/u><\/td>/);
    expect(r.body).toContain('<a name="db"></a><a class=px href="#db">db</a>');
  });

  it('serves the CSV with ";csv" and drops the refresh with ";norefresh"', () => {
    const e = lab();
    const csv = handleStatsRequest('/stats;csv', e.snapshot(), { uri: '/stats', config: e.config });
    expect(csv.contentType).toBe('text/plain');
    expect(csv.body.startsWith('# pxname,svname,')).toBe(true);
    expect(csv.headers['Cache-Control']).toBe('no-cache');
    expect(handleStatsRequest('/stats;norefresh', e.snapshot(), { uri: '/stats', refresh: 5 }).body).not.toContain('http-equiv="refresh"');
  });

  it('matches the stats uri as a prefix, as HAProxy does', () => {
    expect(matchesStatsUri('/stats;csv', '/stats')).toBe(true);
    expect(matchesStatsUri('/haproxy?stats')).toBe(true);
    expect(matchesStatsUri('/stat', '/stats')).toBe(false);
  });

  it('writes durations the short way', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(65_000)).toBe('1m05s');
    expect(humanDuration(3_720_000)).toBe('1h02m');
    expect(humanDuration(90_000_000)).toBe('1d1h');
  });

  it('renders a page for an engine with no proxies', () => {
    const html = renderStatsHtml({ pid: 1, startedAt: 0, generation: 1, frontends: [], backends: [] }, { uri: '/s', now: 1000 });
    expect(html).toContain('<title>Statistics Report for HAProxy</title>');
    expect(html).toContain('<h2>Statistics Report for pid 1</h2>');
    expect(html).toContain('<b>uptime = </b> 0d 0h00m01s<br>');
    expect(html).not.toContain('<table class="tbl"');
  });
});
