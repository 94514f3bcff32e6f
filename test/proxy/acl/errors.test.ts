// Config errors and warnings about ACLs read exactly as haproxy 2.6 prints them: one config with every
// faulty line goes through `haproxy -c`, and each alert is compared with what our parser says for that line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../../helpers/haproxy.ts';
import { createAclRegistry, parseCondition, type AclParseContext } from '../../../proxy/acl/index.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';

const BAD_LINES: readonly string[] = [
  'acl x foo',
  'acl x',
  'acl x$ path /',
  'acl or path /',
  'acl x path(foo) /',
  'acl x hdr(host /',
  'acl x req.hdr(host /',
  'acl x hdr(host,-11) a',
  'acl x req.hdr(host,-11) a',
  'acl x hdr(host,abc) a',
  'acl x path,foo /',
  'acl x req.hdr(host),foo /',
  'acl x path,lower(1) /',
  'acl x path -m foo /',
  'acl x method -m int 1',
  'acl x req.payload(0,1) 12',
  'acl x req.payload(0)',
  'acl x path -f /nonexistent/patterns.lst',
  'acl x src foo',
  'acl x src 10.0.0.1/33',
  'acl x hdr_cnt gt x',
  'acl x hdr_cnt 1-x',
  'acl x path -x /',
  'acl x url_param(a,b,c) 1',
  'acl x path -m bin 4x',
  'acl x path -m bin abc',
  'acl x path -f /dev/null -m str',
  'acl x path -u abc /',
  'acl x src -n localhost',
  'acl x path_reg ([',
  'acl x path_reg (',
  'acl x path_reg a{2,1}',
  'acl x path_reg \\',
  'acl x path_reg )',
  'acl x path_reg *a',
  'acl x path_reg a**',
  'acl x path_reg [b-a]',
  'acl x hdr(host),field(1) a',
  'acl x hdr(host),field(0,:) a',
  'acl x hdr(host),field(1,) a',
  'acl x hdr(host),field(a,:) a',
  'acl x req.hdr(host),field(1) a',
  'acl x bool(maybe)',
  'acl x int(abc) 1',
  'use_backend b if nope',
  'use_backend b if { path /',
  'use_backend b if { foo }',
  'use_backend b if { path -m nope x }',
];

const GOOD_LINES: readonly string[] = [
  'acl x src -m str 1',
  'acl x src -m int 1',
  'acl x path_beg -m found',
  'acl x hdr_cnt -m found',
  'acl x path /a -m str',
  'acl x src localhost',
  'acl x2 src localhost/8',
  'acl x3 src -n 127.0.0.1',
  'acl y path -i -m beg -- -dash',
  'acl z method -m beg G',
  'acl w path,field(1,/),length 3',
  'acl r rand(100) lt 10',
  'acl e env(HOME) -m found',
  'acl s str abc',
  'acl v src,lower 1',
  'use_backend b if TRUE || { always_false } !HTTP_1.0',
];

function toWords(text: string, line: number): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file: 'errors.cfg', line, col } }));
}

// What our parser says for one line of the frontend (null when it accepts it).
function ours(line: string, lineNo: number, warnings: string[]): string | null {
  const ctx: AclParseContext = { baseDir: '/tmp', mode: 'http', proxy: 'f', warn: (m) => warnings.push(m) };
  const reg = createAclRegistry();
  const words = toWords(line, lineNo);
  if (words[0]!.text === 'acl') return reg.define(words.slice(1), ctx);
  const ifAt = words.findIndex((w) => w.text === 'if');
  const r = parseCondition('if', words.slice(ifAt + 1), reg, ctx);
  return 'error' in r ? `error detected while parsing switching rule : ${r.error}.` : null;
}

function header(): string[] {
  return ['defaults', '  mode http', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s', 'frontend f', '  bind 127.0.0.1:1'];
}

describe.skipIf(!hasHaproxy)('ACL config messages are worded like haproxy -c', () => {
  let dir: string;
  const alerts = new Map<number, string>();
  let goodOutput = '';
  const FIRST = header().length + 1;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acl-errors-'));
    const bad = [...header(), ...BAD_LINES.map((l) => `  ${l}`), '  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    writeFileSync(join(dir, 'bad.cfg'), bad.join('\n') + '\n');
    const out = spawnSync('haproxy', ['-c', '-f', join(dir, 'bad.cfg')], { encoding: 'utf8' });
    for (const m of (out.stdout + out.stderr).matchAll(/parsing \[[^:]+:(\d+)\] : (.*)/g)) alerts.set(Number(m[1]), m[2]!);
    const good = [...header(), ...GOOD_LINES.map((l) => `  ${l}`), '  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    writeFileSync(join(dir, 'good.cfg'), good.join('\n') + '\n');
    const g = spawnSync('haproxy', ['-c', '-f', join(dir, 'good.cfg')], { encoding: 'utf8' });
    goodOutput = g.stdout + g.stderr;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  BAD_LINES.forEach((line, i) => {
    it(`refuses "${line}" with haproxy's message`, () => {
      const lineNo = FIRST + i;
      const theirs = alerts.get(lineNo);
      expect(theirs, `haproxy reported nothing for line ${lineNo}`).toBeDefined();
      expect(ours(line, lineNo, [])).toBe(theirs);
    });
  });

  it('accepts every line haproxy accepts', () => {
    expect(goodOutput).toContain('Configuration file is valid');
    for (const [i, line] of GOOD_LINES.entries()) expect(ours(line, i + 1, []), line).toBeNull();
  });

  it('warns about an ACL without patterns exactly as haproxy does', () => {
    const cfg = [...header(), '  acl x path', '  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    writeFileSync(join(dir, 'warn.cfg'), cfg.join('\n') + '\n');
    const out = spawnSync('haproxy', ['-c', '-f', join(dir, 'warn.cfg')], { encoding: 'utf8' });
    const warnings: string[] = [];
    expect(ours('acl x path', 8, warnings)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(out.stdout + out.stderr).toContain(`config : ${warnings[0]}`);
  });

  it('warns about a space before a parenthesis exactly as haproxy does', () => {
    const cfg = [...header(), '  acl x path (a)', '  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    writeFileSync(join(dir, 'paren.cfg'), cfg.join('\n') + '\n');
    const out = spawnSync('haproxy', ['-c', '-f', join(dir, 'paren.cfg')], { encoding: 'utf8' });
    const warnings: string[] = [];
    expect(ours('acl x path (a)', 8, warnings)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(out.stdout + out.stderr).toContain(`config : ${warnings[0]}`);
  });
});
