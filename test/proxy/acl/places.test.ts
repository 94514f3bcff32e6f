// Warnings about conditions used where their fetches cannot work, compared with haproxy -c: ACLs that never
// match at a tcp-request connection/session rule or in http-response, and L6 fetches in an HTTP proxy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../../helpers/haproxy.ts';
import { conditionConflict, createAclRegistry, l6InHttpWarning, parseCondition, type AclParseContext } from '../../../proxy/acl/index.ts';
import { type CheckPlace } from '../../../proxy/sample/index.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';

const ACLS = ['p path_beg /api', 's src 10.0.0.0/8', 'm src 10.0.0.0/8', 'm path /x', 'l req.len gt 0'];

// [rule as written, where it is checked, the rule name tcp_rules.c quotes (absent for other keywords)]
const RULES: readonly (readonly [string, CheckPlace, string?])[] = [
  ['tcp-request connection reject if { ssl_fc }', 'tcp-request connection', 'tcp-request connection'],
  ['tcp-request connection reject if p', 'tcp-request connection', 'tcp-request connection'],
  ['tcp-request connection reject if m', 'tcp-request connection', 'tcp-request connection'],
  ['tcp-request connection reject if s l', 'tcp-request connection', 'tcp-request connection'],
  ['tcp-request connection reject if { src 1.2.3.4 } { hdr(host) x } || s', 'tcp-request connection', 'tcp-request connection'],
  ['tcp-request session reject if { ssl_fc }', 'tcp-request session', 'tcp-request session'],
  ['tcp-request session reject if { method GET }', 'tcp-request session', 'tcp-request session'],
  ['tcp-request content reject if p', 'tcp-request content', 'tcp-request content'],
  ['http-request deny if p', 'http-request'],
  ['http-request deny if l', 'http-request'],
  ['http-response deny if p', 'http-response'],
  ['http-response deny if { method GET }', 'http-response'],
  ['http-response deny if l', 'http-response'],
  ['use_backend b if p m', 'use_backend'],
  ['use_backend b if l', 'use_backend'],
];

function toWords(text: string, line: number): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file: 'places.cfg', line, col } }));
}

describe.skipIf(!hasHaproxy)('warnings about where conditions are used match haproxy -c', () => {
  it('reports the same never-match and L6 warnings for every rule', () => {
    const head = ['defaults', '  mode http', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s', 'frontend f', '  bind 127.0.0.1:1'];
    const first = head.length + ACLS.length + 1;
    const lines = [...head, ...ACLS.map((a) => `  acl ${a}`), ...RULES.map(([r]) => `  ${r}`), '  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    const dir = mkdtempSync(join(tmpdir(), 'acl-places-'));
    try {
      writeFileSync(join(dir, 'places.cfg'), lines.join('\n') + '\n');
      const out = spawnSync('haproxy', ['-c', '-f', join(dir, 'places.cfg')], { encoding: 'utf8' });
      const theirs = [...(out.stdout + out.stderr).matchAll(/\[WARNING\][^:]*: config : (.*)/g)]
        .map((m) => m[1]!)
        .filter((m) => !m.includes('will still be processed before'))
        .sort();

      const ctx: AclParseContext = { baseDir: dir, mode: 'http', proxy: 'f', warn: () => undefined };
      const reg = createAclRegistry();
      ACLS.forEach((a, i) => expect(reg.define(toWords(a, head.length + 1 + i), ctx)).toBeNull());
      const ours: string[] = [];
      RULES.forEach(([rule, place, tcpRule], i) => {
        const words = toWords(rule, first + i);
        const at = words.findIndex((w) => w.text === 'if');
        const r = parseCondition('if', words.slice(at + 1), reg, ctx);
        if ('error' in r) throw new Error(r.error);
        const conflict = conditionConflict(r.cond, place, tcpRule);
        if (conflict) ours.push(`parsing [places.cfg:${first + i}] : ${conflict}`);
        const l6 = l6InHttpWarning(r.cond, 'f');
        if (l6) ours.push(l6.replace('places.cfg', join(dir, 'places.cfg')));
      });
      const normalized = theirs.map((m) => m.replace(`parsing [${join(dir, 'places.cfg')}:`, 'parsing [places.cfg:'));
      expect(normalized.length, "haproxy printed no warning at all").toBeGreaterThan(5);
      expect(ours.sort()).toEqual(normalized);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
