// The stick-table keywords through `haproxy -c` and our loader: the same alerts, word for word at the same
// file:line, and the same verdict (valid or not), as test/proxy/config/differential.test.ts checks the others.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../proxy/config/diagnostics.ts';
import { loadConfig } from '../../../proxy/load-config.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const HEAD = `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
`;

function fe(lines: string[], be: string[] = ['server s1 127.0.0.1:8001']): string {
  return `${HEAD}frontend f\n    bind 127.0.0.1:8000\n${lines.map((l) => `    ${l}\n`).join('')}    default_backend b\nbackend b\n${be.map((l) => `    ${l}\n`).join('')}`;
}

const TABLE = 'stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur,gpc0,gpt0';

const CASES: Record<string, string> = {
  'valid: rate limiting, counters, gpc/gpt actions, fetches and converters': fe([
    TABLE,
    'tcp-request connection track-sc1 src',
    'tcp-request session track-sc2 src',
    'tcp-request content track-sc0 src',
    'http-request track-sc0 src',
    'http-request track-sc1 req.hdr(x-user) table t2',
    'http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }',
    'http-request sc-inc-gpc0(0) if { path_beg /x }',
    'http-request sc-set-gpt0(1) 5',
    'http-request set-header X-A %[src_conn_cur] if { sc0_get_gpc0 ge 0 } { src,table_gpc0(f) ge 0 } { src,in_table(f) }',
    'http-response track-sc2 src',
    'http-response sc-inc-gpc1(2)',
  ], ['stick-table type ip size 1k expire 30m', 'stick on src', 'server s1 127.0.0.1:8001']) + 'backend t2\n    stick-table type string len 32 size 1k store gpc0\n',
  'valid: every table type and store option': fe([
    'stick-table type string len 10 size 1m expire 1h nopurge store gpc1,gpc1_rate(1s),conn_cnt,conn_rate(1m),sess_cnt,sess_rate(1s),http_req_cnt,http_err_cnt,http_err_rate(1s),http_fail_cnt,http_fail_rate(1s),bytes_in_cnt,bytes_in_rate(1s),bytes_out_cnt,bytes_out_rate(1s),server_id',
  ], ['stick-table type binary len 8 size 10 store gpc(3),gpc_rate(2,1s),gpt(2)', 'server s1 127.0.0.1:8001']) +
    'backend t3\n    stick-table type ipv6 size 5\nbackend t4\n    stick-table type integer size 5 store gpt0\n',
  'a store option given twice warns': fe(['stick-table type ip size 10 store gpc0,gpc0']),
  'stick-table without size': fe(['stick-table type ip expire 30s']),
  'stick-table without type': fe(['stick-table size 10']),
  'stick-table of an unknown type': fe(['stick-table type ipv4 size 10']),
  'an unknown store option': fe(['stick-table type ip size 10 store gpc9']),
  'a rate without its period': fe(['stick-table type ip size 10 store http_req_rate']),
  'a counter given a period': fe(['stick-table type ip size 10 store gpc0(10s)']),
  'an unknown stick-table argument': fe(['stick-table type ip size 10 lifetime 5s']),
  'a bad size': fe(['stick-table type ip size 10x']),
  'gpc with gpc0': fe(['stick-table type ip size 10 store gpc(2),gpc0']),
  'stick-table in defaults': `${HEAD}    stick-table type ip size 10\n${fe([])}`,
  'track-sc3 does not exist': fe([TABLE, 'http-request track-sc3 src']),
  'track-sc into a missing table': fe([TABLE, 'http-request track-sc0 src table nosuch']),
  'track-sc without a table of its own': fe(['http-request track-sc0 src']),
  'tcp-request connection track-sc of request contents': fe([TABLE, 'tcp-request connection track-sc0 req.hdr(host)']),
  'sc-inc-gpc0 of a counter that does not exist': fe([TABLE, 'http-request sc-inc-gpc0(5)']),
  'sc-set-gpt0 of a bad counter': fe([TABLE, 'http-request sc-set-gpt0(x) 1']),
  'stick without a method': fe([], ['stick-table type ip size 10', 'stick', 'server s1 127.0.0.1:8001']),
  'stick without a fetch': fe([], ['stick-table type ip size 10', 'stick on', 'server s1 127.0.0.1:8001']),
  'stick match into a missing table': fe([], ['stick match src table nosuch', 'server s1 127.0.0.1:8001']),
  'stick in a frontend is ignored with a warning': fe([TABLE, 'stick on src']),
};

interface Line {
  severity: 'alert' | 'warning' | 'notice';
  text: string;
}

const PREFIX = /^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\) : (?:config : )?/;
const SUMMARY = /^(Error\(s\) found in configuration file|Fatal errors found in configuration|Some warnings|Warnings were found)/;

function haproxyLines(stderr: string): Line[] {
  const out: Line[] = [];
  for (const raw of stderr.split('\n')) {
    const m = PREFIX.exec(raw);
    if (m) {
      const text = raw.slice(m[0].length);
      const severity = m[1] === 'NOTICE' ? 'notice' : m[1] === 'ALERT' ? 'alert' : 'warning';
      if (!SUMMARY.test(text) && severity !== 'notice') out.push({ severity, text });
    } else if (out.length > 0 && raw.trim() !== '' && !raw.startsWith('[NOTICE]') && !raw.startsWith('Configuration file') && !raw.startsWith('Warnings were found')) {
      out[out.length - 1]!.text += `\n${raw}`;
    }
  }
  return out;
}

function ourLines(file: string): Line[] {
  return loadConfig({ files: [file] })
    .diagnostics.filter((d) => d.severity !== 'notice')
    .map((d) => ({ severity: d.severity as Line['severity'], text: formatDiagnostic(d, 0).replace(PREFIX, '') }));
}

const dir = hasHaproxy ? mkdtempSync(join(tmpdir(), 'cfg-stick-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasHaproxy)('stick-table configs: our alerts match `haproxy -c`', () => {
  Object.entries(CASES).forEach(([name, text], i) => {
    it(name, () => {
      const file = join(dir, `case-${i}.cfg`);
      writeFileSync(file, text);
      const real = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
      const theirs = haproxyLines(real.stderr + real.stdout);
      const ours = ourLines(file);
      const theirAlerts = theirs.filter((l) => l.severity === 'alert').map((l) => l.text);
      const ourAlerts = ours.filter((l) => l.severity === 'alert').map((l) => l.text);
      for (const a of theirAlerts) expect(ourAlerts).toContain(a);
      expect(ourAlerts.length === 0).toBe(real.status === 0);
      if (theirAlerts.length === 0) {
        const ourWarnings = ours.filter((l) => l.severity === 'warning').map((l) => l.text);
        for (const w of theirs.filter((l) => l.severity === 'warning')) expect(ourWarnings).toContain(w.text);
      }
    });
  });
});
