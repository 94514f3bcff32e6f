import { describe, expect, it } from 'vitest';
import { plainWhy, unevaluated } from '../../../../lab/tui/state/explain.ts';
import { logLegendLines } from '../../../../lab/tui/state/log-legend.ts';

const balance = (server: string | null, algorithm = 'roundrobin', usable = [true, true, true]) => ({
  kind: 'balance' as const, id: 1, backend: 'servers', server, algorithm, reason: server ? 'x' : 'no-usable-server',
  before: { algorithm, summary: 'weights 2/1/3, position 5 of window 96', servers: ['server1', 'server2', 'server3'].map((name, i) => ({ name, weight: [2, 1, 3][i]!, usable: usable[i]! })) },
  skipped: [],
});

describe('explain in plain words', () => {
  it('says why round robin chose a server before any numbers', () => {
    const why = plainWhy(balance('server3'));
    expect(why).toContain('round robin: each round of 6 turns is shared by weight (server1 2, server2 1, server3 3)');
    expect(why).toContain('server3’s turn came up next in this round, its 3 of 6');
    expect(why).not.toMatch(/position|window|eweight/);
  });

  it('says plainly when no server is usable', () => {
    expect(plainWhy(balance(null, 'roundrobin', [false, false, false]))).toContain('none is usable');
  });

  it('names the ACLs an AND stopped before', () => {
    expect(unevaluated('use_backend post_backend if is_post_method is_submit_path', ['is_post_method'])).toEqual(['is_submit_path']);
    expect(unevaluated('http-request deny if !ok or { src 10.0.0.0/8 }', ['ok'])).toEqual([]);
  });
});

describe('log line legend', () => {
  it('explains each field of an httplog line with its value', () => {
    const text = logLegendLines('127.0.0.1:50001 [03/Dec/2026:09:30:26.101] http_front servers/<NOSRV> 0/-1/-1/-1/0 403 192 - - PR-- 1/1/0/0/0 0/0 "GET /admin HTTP/1.1"', 80)
      .map((l) => l.text)
      .join('\n');
    expect(text).toMatch(/^TR +0 +· 0 ms: to receive the whole request/m);
    expect(text).toMatch(/^Tc +-1 +· -1: no connection to a server was made/m);
    // A meaning that wraps continues under itself.
    const joined = text.replace(/\n +· /g, ' ');
    expect(joined).toContain('P = the proxy itself stopped it');
    expect(joined).toContain('R = while waiting for the client’s request');
    expect(text).toMatch(/^conns +1\/1\/0\/0\/0/m);
    expect(text).toMatch(/^request +"GET \/admin HTTP\/1\.1"/m);
  });

  it('explains a tcplog line and says when a line has neither format', () => {
    const tcp = logLegendLines('127.0.0.1:5 [03/Dec/2026:09:30:26.101] tcp_front servers/server1 0/1/12 300 -- 1/1/0/0/0 0/0', 80).map((l) => l.text).join('\n');
    expect(tcp).toMatch(/^Tt +12 +· 12 ms/m);
    expect(tcp.replace(/\n +· /g, ' ')).toContain('- = normal end');
    expect(logLegendLines('custom line', 80).map((l) => l.text).join('\n')).toContain('neither in httplog nor in tcplog format');
  });
});
