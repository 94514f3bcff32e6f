import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appliesTo,
  conditionConflict,
  createAclRegistry,
  parseCondition,
  type AclParseContext,
  type AclRegistry,
  type CompiledCondition,
} from '../../../proxy/acl/index.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { httpCtx } from './raw-http.ts';

const dir = mkdtempSync(join(tmpdir(), 'acl-cond-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function w(text: string, line = 1): Word[] {
  return text.split(' ').filter((t) => t !== '').map((t, col) => ({ text: t, loc: { file: 'c.cfg', line, col } }));
}

function setup(acls: string[], mode: 'http' | 'tcp' = 'http'): { reg: AclRegistry; ctx: AclParseContext; warnings: string[] } {
  const warnings: string[] = [];
  const ctx: AclParseContext = { baseDir: dir, mode, proxy: 'fe', warn: (m) => warnings.push(m) };
  const reg = createAclRegistry();
  acls.forEach((a, i) => {
    const err = reg.define(w(a, i + 1), ctx);
    if (err) throw new Error(err);
  });
  return { reg, ctx, warnings };
}

function cond(acls: string[], text: string, polarity: 'if' | 'unless' = 'if'): CompiledCondition {
  const { reg, ctx } = setup(acls);
  const r = parseCondition(polarity, w(text, 99), reg, ctx);
  if ('error' in r) throw new Error(r.error);
  return r.cond;
}

const api = httpCtx({ uri: '/api/users', headers: ['Host', 'example.com'] }, { src: '10.0.0.1' });
const home = httpCtx({ uri: '/', headers: ['Host', 'example.com'] }, { src: '192.168.1.5' });

describe('condition logic', () => {
  const acls = ['is_api path_beg /api', 'internal src 10.0.0.0/8', 'is_host hdr(host) -i example.com'];

  it('ANDs terms written side by side', () => {
    const c = cond(acls, 'is_api internal');
    expect(c.test(api)).toBe(true);
    expect(c.test(httpCtx({ uri: '/api' }, { src: '1.2.3.4' }))).toBe(false);
  });

  it('ORs suites separated by "||" or "or"', () => {
    expect(cond(acls, 'is_api || internal').test(home)).toBe(false);
    expect(cond(acls, 'is_api or is_host').test(home)).toBe(true);
    expect(cond(acls, 'is_api OR is_host').test(home)).toBe(true);
  });

  it('negates with "!", also as a separate word and twice', () => {
    expect(cond(acls, '!is_api').test(home)).toBe(true);
    expect(cond(acls, '! is_api').test(home)).toBe(true);
    expect(cond(acls, '!!is_api').test(home)).toBe(false);
  });

  it('test() gives the ACL result before polarity; appliesTo() inverts it for unless', () => {
    const u = cond(acls, 'is_api internal', 'unless');
    expect(u.test(api)).toBe(true);
    expect(appliesTo(u, api)).toBe(false);
    expect(appliesTo(u, home)).toBe(true);
    expect(appliesTo(cond(acls, 'is_api internal'), api)).toBe(true);
  });

  it('accepts anonymous ACLs between braces, negated or not', () => {
    expect(cond([], '{ path_beg /api } { src 10.0.0.0/8 }').test(api)).toBe(true);
    expect(cond([], '!{ path_beg /api }').test(api)).toBe(false);
    expect(cond([], '{ path_end .png } || { hdr(host) example.com }').test(home)).toBe(true);
  });

  it('an empty condition never matches', () => {
    expect(cond([], '').test(api)).toBe(false);
    expect(appliesTo(cond([], '', 'unless'), api)).toBe(true);
  });

  it('keeps the text and location of the condition', () => {
    const c = cond(acls, 'is_api  !internal');
    expect(c.text).toBe('is_api !internal');
    expect(c.loc).toEqual({ file: 'c.cfg', line: 99, col: 0 });
    expect(c.polarity).toBe('if');
  });
});

describe('ACL definitions', () => {
  it('ORs several patterns of one ACL', () => {
    const c = cond(['static path_end .css .js .png'], 'static');
    expect(c.test(httpCtx({ uri: '/a.js' }))).toBe(true);
    expect(c.test(httpCtx({ uri: '/a.html' }))).toBe(false);
  });

  it('ORs several acl lines with the same name, even lines after the condition', () => {
    const { reg, ctx } = setup(['a path /x']);
    const r = parseCondition('if', w('a'), reg, ctx);
    if ('error' in r) throw new Error(r.error);
    expect(r.cond.test(httpCtx({ uri: '/y' }))).toBe(false);
    expect(reg.define(w('a path /y'), ctx)).toBeNull();
    expect(r.cond.test(httpCtx({ uri: '/y' }))).toBe(true);
    expect(r.cond.test(httpCtx({ uri: '/x' }))).toBe(true);
  });

  it('a declared ACL hides the pre-defined one of the same name', () => {
    expect(cond(['TRUE always_false'], 'TRUE').test(api)).toBe(false);
    expect(cond([], 'TRUE').test(api)).toBe(true);
  });

  it('knows the pre-defined ACLs', () => {
    const get = httpCtx({ uri: '/', method: 'HEAD', version: '1.0' }, { src: '127.0.0.1' });
    for (const [name, want] of [
      ['TRUE', true], ['FALSE', false], ['LOCALHOST', true], ['HTTP', true], ['HTTP_1.0', true], ['HTTP_1.1', false],
      ['METH_GET', true], ['METH_HEAD', true], ['METH_POST', false], ['HTTP_URL_SLASH', true], ['HTTP_URL_ABS', false],
      ['HTTP_URL_STAR', false], ['HTTP_CONTENT', false],
    ] as const) {
      expect(cond([], name).test(get), name).toBe(want);
    }
    expect(cond([], 'HTTP_CONTENT').test(httpCtx({ uri: '/', headers: ['Content-Length', '5'] }))).toBe(true);
    expect(cond([], 'REQ_CONTENT').test({ ...api, payload: Buffer.from('x') })).toBe(true);
  });

  it('names an unknown ACL in the error', () => {
    const { reg, ctx } = setup([]);
    expect(parseCondition('if', w('is_admin'), reg, ctx)).toEqual({ error: "no such ACL : 'is_admin'" });
    expect(parseCondition('if', w('{ path /a'), reg, ctx)).toEqual({ error: "missing closing '}' in condition" });
  });

  it('treats a missing header as no sample: the ACL is false and its negation true', () => {
    const c = cond(['ua hdr_sub(user-agent) bot'], 'ua');
    const n = cond(['ua hdr_sub(user-agent) bot'], '!ua');
    expect(c.test(home)).toBe(false);
    expect(n.test(home)).toBe(true);
  });

  it('in mode tcp, HTTP fetches find nothing so their ACLs are false', () => {
    const tcp: SampleContext = { src: '10.0.0.1', srcPort: 1, dst: '127.0.0.1', dstPort: 2 };
    expect(cond(['p path_beg /'], 'p').test(tcp)).toBe(false);
    expect(cond(['p path_beg /'], '!p').test(tcp)).toBe(true);
    expect(cond(['i src 10.0.0.0/8'], 'i').test(tcp)).toBe(true);
  });
});

describe('ACL flags', () => {
  it('-i makes string patterns case-insensitive and changes nothing for ip', () => {
    expect(cond(['h hdr(host) -i EXAMPLE.COM'], 'h').test(api)).toBe(true);
    expect(cond(['h hdr(host) EXAMPLE.COM'], 'h').test(api)).toBe(false);
    expect(cond(['i src -i 10.0.0.1'], 'i').test(api)).toBe(true);
  });

  it('-m picks the match method, including found', () => {
    expect(cond(['x path -m beg /api'], 'x').test(api)).toBe(true);
    expect(cond(['x hdr(host) -m found'], 'x').test(api)).toBe(true);
    expect(cond(['x hdr(x-nope) -m found'], 'x').test(api)).toBe(false);
    expect(cond(['x hdr(host) -m len 11'], 'x').test(api)).toBe(true);
  });

  it('-- ends the options so a pattern may start with "-"', () => {
    expect(cond(['x url_param(q) -- -1'], 'x').test(httpCtx({ uri: '/?q=-1' }))).toBe(true);
    const { reg, ctx } = setup([]);
    expect(reg.define(w('x url_param(q) -1'), ctx)).toBe(
      "error detected while parsing ACL 'x' : '-1' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.",
    );
  });

  it('-f reads one pattern per line, skipping comments, blank lines and leading blanks', () => {
    writeFileSync(join(dir, 'paths.lst'), '# static things\n/static\n   /assets\n\n/img\n');
    const c = cond(['s path_beg -f paths.lst'], 's');
    expect(c.test(httpCtx({ uri: '/assets/x.css' }))).toBe(true);
    expect(c.test(httpCtx({ uri: '/img/1' }))).toBe(true);
    expect(c.test(httpCtx({ uri: '/api' }))).toBe(false);
    expect(c.test(httpCtx({ uri: '#' }))).toBe(false);
  });

  it('-i applies to a file only when it comes before -f; inline patterns still join', () => {
    writeFileSync(join(dir, 'hosts.lst'), 'EXAMPLE.COM\n');
    expect(cond(['h hdr(host) -i -f hosts.lst'], 'h').test(api)).toBe(true);
    expect(cond(['h hdr(host) -f hosts.lst -i'], 'h').test(api)).toBe(false);
    expect(cond(['h hdr(host) -f hosts.lst other.org example.com'], 'h').test(api)).toBe(true);
  });

  it('reports a bad pattern in a file with its line number', () => {
    writeFileSync(join(dir, 'nets.lst'), '10.0.0.0/8\nnot-an-ip\n');
    const { reg, ctx } = setup([]);
    expect(reg.define(w('n src -f nets.lst'), ctx)).toBe(
      "error detected while parsing ACL 'n' : 'not-an-ip' is not a valid IPv4 or IPv6 address at line 2 of file 'nets.lst'.",
    );
  });

  it('int operators rewrite into ranges: gt, ge, lt, le, eq', () => {
    const n = (v: string): SampleContext => httpCtx({ uri: '/', headers: ['X-N', v] });
    const c = (p: string): CompiledCondition => cond([`x hdr_val(x-n) ${p}`], 'x');
    expect(c('gt 3').test(n('4'))).toBe(true);
    expect(c('gt 3').test(n('3'))).toBe(false);
    expect(c('ge 3').test(n('3'))).toBe(true);
    expect(c('lt 3').test(n('3'))).toBe(false);
    expect(c('le 3').test(n('3'))).toBe(true);
    expect(c('gt 10 eq 2').test(n('2'))).toBe(true);
    expect(c('1:100').test(n('100'))).toBe(true);
  });

  it('warns when an ACL has no pattern, unless its fetch is boolean', () => {
    expect(setup(['x path']).warnings).toHaveLength(1);
    expect(setup(['x always_true']).warnings).toHaveLength(0);
    expect(setup(['x path --']).warnings).toHaveLength(0);
  });

  it('applies converters before matching', () => {
    expect(cond(['h hdr(host),lower example.com'], 'h').test(httpCtx({ uri: '/', headers: ['Host', 'EXAMPLE.com'] }))).toBe(true);
    expect(cond(['h hdr(host),length 11'], 'h').test(api)).toBe(true);
  });
});

describe('explain', () => {
  const acls = ['is_api path_beg /api /v2', 'internal src 10.0.0.0/8', 'ua hdr(user-agent) -m sub bot'];

  it('reports each ACL evaluated with the values its fetch saw and the pattern that matched', () => {
    const t = cond(acls, 'is_api internal').explain(api);
    expect(t.result).toBe(true);
    expect(t.acls).toEqual([
      { name: 'is_api', negated: false, fetch: 'path_beg', values: ['/api/users'], matched: true, pattern: '/api', loc: { file: 'c.cfg', line: 1, col: 0 } },
      { name: 'internal', negated: false, fetch: 'src', values: ['10.0.0.1'], matched: true, pattern: '10.0.0.0/8', loc: { file: 'c.cfg', line: 2, col: 0 } },
    ]);
  });

  it('stops where test() stops: after a failing term, and after a passing suite', () => {
    const c = cond(acls, 'internal is_api || ua');
    const t = c.explain(home);
    expect(t.acls.map((a) => a.name)).toEqual(['internal', 'ua']);
    expect(t.result).toBe(false);
    expect(t.acls[1]!.values).toEqual([]);
    expect(cond(acls, 'is_api || ua').explain(api).acls.map((a) => a.name)).toEqual(['is_api']);
  });

  it('shows negation: an ACL trace is before "!", the trace result after it and before polarity', () => {
    const c = cond(acls, '!internal', 'unless');
    const t = c.explain(api);
    expect(t.acls[0]).toMatchObject({ name: 'internal', negated: true, matched: true });
    expect(t.result).toBe(false);
    expect(appliesTo(c, api)).toBe(true);
  });

  it('names anonymous ACLs "{ ... }" and gives their fetch as written', () => {
    const t = cond([], '{ hdr(host) -i EXAMPLE.com }').explain(api);
    expect(t.acls[0]).toMatchObject({ name: '{ ... }', fetch: 'hdr(host)', values: ['example.com'], pattern: 'EXAMPLE.com' });
  });

  it('agrees with test() on every request', () => {
    const c = cond(acls, 'is_api !internal || ua');
    for (const ctx of [api, home, httpCtx({ uri: '/v2', headers: ['User-Agent', 'a bot'] }, { src: '10.1.1.1' })]) {
      expect(c.explain(ctx).result).toBe(c.test(ctx));
    }
  });
});

describe('where a condition is used', () => {
  it('says which conditions use HTTP (HAProxy http_needed)', () => {
    expect(cond(['p path /'], 'p').usesHttp).toBe(true);
    expect(cond(['s src 1.2.3.4'], 's').usesHttp).toBe(false);
  });

  it('warns when an ACL can never match at a tcp-request connection rule', () => {
    const c = cond(['p path_beg /api', 's src 10.0.0.0/8'], 'p s');
    expect(conditionConflict(c, 'tcp-request connection', 'tcp-request connection')).toBe(
      "acl 'p' will never match in 'tcp-request connection' because it only involves keywords that are incompatible with 'frontend tcp-request connection rule'",
    );
    expect(conditionConflict(cond([], '{ hdr(host) foo }'), 'tcp-request connection', 'tcp-request connection')).toBe(
      "anonymous acl will never match in 'tcp-request connection' because it uses keyword 'hdr' which is incompatible with 'frontend tcp-request connection rule'",
    );
    expect(conditionConflict(c, 'tcp-request content')).toBeNull();
    expect(conditionConflict(c, 'use_backend')).toBeNull();
  });

  it('names a partly usable ACL', () => {
    const { reg, ctx } = setup(['m src 10.0.0.0/8', 'm path /x']);
    const r = parseCondition('if', w('m'), reg, ctx);
    if ('error' in r) throw new Error(r.error);
    expect(conditionConflict(r.cond, 'tcp-request connection')).toBe(
      "acl 'm' involves keywords 'path' which is incompatible with 'frontend tcp-request connection rule'",
    );
  });
});

describe('map files as pattern lists', () => {
  it('-M -f takes the first word of each line as the pattern', () => {
    writeFileSync(join(dir, 'hosts.map'), '# host backend\nexample.com  web\napi.example.com\tapi\n');
    const c = cond(['m hdr(host) -M -f hosts.map'], 'm');
    expect(c.test(httpCtx({ uri: '/', headers: ['Host', 'api.example.com'] }))).toBe(true);
    expect(c.test(httpCtx({ uri: '/', headers: ['Host', 'web'] }))).toBe(false);
  });
});

describe('partial evaluation for tcp-request content', () => {
  const tcp = (bytes: string): SampleContext => ({ src: '10.0.0.1', srcPort: 1, dst: '127.0.0.1', dstPort: 2, payload: Buffer.from(bytes) });
  const acls = ['ping req.payload(0,4) -m str PING', 'big req.len gt 8', 'internal src 10.0.0.0/8'];

  it('answers undefined while more bytes could change an ACL, and decides once they cannot', () => {
    expect(cond(acls, 'ping').testPartial(tcp('PI'))).toBeUndefined();
    expect(cond(acls, 'ping').testPartial(tcp('PING'))).toBe(true);
    expect(cond(acls, 'ping').testPartial(tcp('PONG'))).toBe(false);
    expect(cond(acls, 'big').testPartial(tcp('123456789'))).toBe(true);
    expect(cond(acls, 'big').testPartial(tcp('1234'))).toBeUndefined();
  });

  it('keeps "not yet" through negation, and lets a sure term decide AND and OR', () => {
    expect(cond(acls, '!ping').testPartial(tcp('PI'))).toBeUndefined();
    expect(cond(acls, '!internal ping').testPartial(tcp('PI'))).toBe(false);
    expect(cond(acls, 'ping || internal').testPartial(tcp('PI'))).toBe(true);
    expect(cond(acls, 'ping || !internal').testPartial(tcp('PI'))).toBeUndefined();
  });

  it('WAIT_END waits during partial evaluations and is true once the evaluation is final', () => {
    const c = cond([], 'WAIT_END');
    expect(c.testPartial(tcp('x'))).toBeUndefined();
    expect(c.test(tcp('x'))).toBe(true);
  });

  it('agrees with test() when nothing can change', () => {
    const c = cond(acls, 'internal !ping');
    expect(c.testPartial(tcp('PONG'))).toBe(c.test(tcp('PONG')));
    expect(c.testPartial(httpCtx({ uri: '/' }, { src: '10.1.1.1' }))).toBe(true);
  });
});
