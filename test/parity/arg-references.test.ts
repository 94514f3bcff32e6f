// Names in fetch and converter arguments (backends, frontends, servers, stick tables) are resolved when the config
// loads, wherever the expression is written, with the messages of `haproxy -c` (smp_resolve_args).
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { checkBoth } from '../helpers/config-check.ts';

const config = (line: string) => `defaults
  mode http
  timeout connect 1s
  timeout client 1s
  timeout server 1s
frontend f
  bind 127.0.0.1:18001
  ${line}
  default_backend b
backend b
  stick-table type ip size 1k store http_req_rate(10s)
  server s 127.0.0.1:18002
`;

const CASES: [string, string][] = [
  ['a missing backend in an ACL', 'acl a nbsrv(nosuch) gt 0'],
  ['a missing backend for be_conn', 'acl a be_conn(nosuch) gt 0'],
  ['a missing server of a known backend', 'acl a srv_is_up(b/nosuch)'],
  ['a server of a missing backend', 'acl a srv_is_up(nosuch/s)'],
  ['a server looked up in the frontend itself', 'acl a srv_is_up(s)'],
  ['a backend where a frontend is needed', 'acl a fe_conn(b) gt 0'],
  ['a missing table in a table fetch', 'acl a table_cnt(nosuch) gt 0'],
  ['a missing table in a counter fetch', 'acl a sc_http_req_rate(0,nosuch) gt 0'],
  ['the frontend, which has no table, by default', 'acl a table_cnt gt 0'],
  ['a known table', 'acl a table_cnt(b) gt 0'],
  ['the section\'s own table, left out of a src_ fetch (mandatory, may be empty)', 'acl a src_conn_cnt gt 0'],
  ['an empty table argument of a src_ fetch', 'http-request set-header X %[src_conn_cnt()]'],
  ['an sc0_ fetch without a table (optional: the tracked one, nothing to resolve)', 'acl a sc0_conn_cnt gt 0'],
  ['a src_ fetch with an index and no table', 'http-request set-header X %[src_get_gpc(0)]'],
  ['a missing backend in a header value', 'http-request set-header X %[nbsrv(nosuch)]'],
  ['the frontend as a backend, by default, in a header value', 'http-request set-header X %[nbsrv]'],
  ['no server name in a header value', 'http-request set-header X %[srv_is_up]'],
  ['a missing server in a header value', 'http-request set-header X %[srv_is_up(b/zz)]'],
  ['a missing table in a converter', 'http-request set-header X %[src,table_http_req_rate(nosuch)]'],
  ['a missing backend in set-var', 'http-request set-var(txn.x) nbsrv(nosuch)'],
  ['a missing backend in an http-response rule', 'http-response set-header X %[nbsrv(zz)]'],
  ['a missing backend in log-format', 'log-format "%[nbsrv(zz)]"'],
  ['a missing backend in an anonymous ACL', 'http-request deny if { nbsrv(zz) lt 1 }'],
  ['a missing backend in a tcp-request content condition', 'tcp-request content accept if { be_conn(zz) gt 1 }'],
  ['a missing backend in a dynamic use_backend', 'use_backend %[nbsrv(zz)]'],
  ['a missing table of track-sc', 'http-request track-sc0 src table nosuch'],
  ['an unknown use_backend', 'use_backend nosuch'],
  ['names that all resolve', 'http-request set-header X %[nbsrv(b)]-%[srv_is_up(b/s)]-%[src,table_http_req_rate(b)]'],
];

describe.skipIf(!hasHaproxy)('names in fetch arguments are refused as haproxy -c refuses them', () => {
  for (const [name, line] of CASES) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(config(line));
      expect(engine.alerts).toEqual(haproxy.alerts);
      expect(engine.accepted).toBe(haproxy.accepted);
    });
  }

  it('the cases are not vacuous: all but three are refused by haproxy', () => {
    const refused = CASES.filter(([, line]) => !checkBoth(config(line)).haproxy.accepted);
    expect(refused.length).toBe(CASES.length - 3);
  });

  it('several unresolved names of one section make one alert, as haproxy prints it', () => {
    const { haproxy, engine } = checkBoth(config('acl a nbsrv(nosuch) gt 0\n  http-request set-header X %[srv_is_up(b/zz)]'));
    expect(haproxy.alerts).toEqual(['multiple argument resolution errors:']);
    expect(engine.alerts).toHaveLength(1);
    expect(engine.alerts[0]).toBe(
      'multiple argument resolution errors:\n' +
        "        parsing [case.cfg:8]: unable to find backend 'nosuch' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'f'.\n" +
        "        parsing [case.cfg:9]: unable to find server 'zz' in proxy 'b', referenced in arg 1 of sample fetch keyword 'srv_is_up' in http-request expression in proxy 'f'.",
    );
  });
});
