// tcp-check rules, the protocol check options and server-template as the config model holds them.
import { describe, expect, it } from 'vitest';
import { buildRuleset } from '../../../proxy/server/health/rulesets.ts';
import { DEFAULTS, model } from './config-helpers.ts';

describe('tcp-check in the model', () => {
  it('keeps a defaults section\'s rules for backends that write none, and replaces them for one that does', () => {
    const m = model(`${DEFAULTS}    option tcp-check\n    tcp-check send PING\n    tcp-check expect string PONG\nbackend a\n    server s 127.0.0.1:1 check\nbackend b\n    tcp-check expect string HELLO\n    server s 127.0.0.1:1 check\n`);
    const a = m.backends.get('a')!.options.tcpCheck;
    const b = m.backends.get('b')!.options.tcpCheck;
    expect(a?.kind === 'tcp-check' && a.rules.map((r) => r.kind)).toEqual(['send', 'expect']);
    expect(b?.kind === 'tcp-check' && b.rules.map((r) => (r.kind === 'expect' ? r.pattern : r.kind))).toEqual(['HELLO']);
  });

  it('lets the last check option win: httpchk after redis-check, and the other way round', () => {
    const m = model(`${DEFAULTS}backend a\n    option redis-check\n    option httpchk GET /\n    server s 127.0.0.1:1 check\nbackend b\n    option httpchk GET /\n    option smtpchk\n    server s 127.0.0.1:1 check\n`);
    expect(m.backends.get('a')!.options.tcpCheck).toBeUndefined();
    expect(m.backends.get('a')!.options.httpchk?.uri).toBe('/');
    expect(m.backends.get('b')!.options.httpchk).toBeUndefined();
    expect(m.backends.get('b')!.options.tcpCheck).toEqual({ kind: 'smtpchk', command: 'HELO localhost' });
  });

  it('numbers steps as HAProxy does: an implicit connect is step 0, comments count and name the rules after them', () => {
    const m = model(`${DEFAULTS}backend a\n    option tcp-check\n    tcp-check comment greeting\n    tcp-check expect string OK\n    tcp-check expect string READY\n    tcp-check send QUIT\n    server s 127.0.0.1:1 check\n`);
    const spec = m.backends.get('a')!.options.tcpCheck!;
    const rs = buildRuleset(spec);
    expect(rs.rules.map((r) => [r.kind, r.index, r.comment ?? null])).toEqual([
      ['connect', 0, null],
      ['expect', 1, 'greeting'],
      ['expect', 2, 'greeting'],
      ['send', 3, null],
    ]);
    expect(rs.rules[0]!.kind === 'connect' && rs.rules[0]!.implicit).toBe(true);
  });
});

describe('server-template', () => {
  it('makes one server per number of the range, each with the name to resolve', () => {
    const m = model(`${DEFAULTS}backend a\n    server-template web 3 pool.lab.test:8080 check init-addr none\nbackend b\n    server-template api 4-5 127.0.0.1:9000\n`);
    expect(m.backends.get('a')!.servers.map((s) => [s.name, s.fqdn, s.port, s.check, s.initAddr])).toEqual([
      ['web1', 'pool.lab.test', 8080, true, ['none']],
      ['web2', 'pool.lab.test', 8080, true, ['none']],
      ['web3', 'pool.lab.test', 8080, true, ['none']],
    ]);
    expect(m.backends.get('b')!.servers.map((s) => [s.name, s.id, s.fqdn ?? null])).toEqual([
      ['api4', 1, null],
      ['api5', 2, null],
    ]);
  });
});
