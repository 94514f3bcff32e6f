// Differential test: the same ACLs and conditions in real haproxy and in our engine, the same raw requests,
// from several loopback sources; every condition must decide the same way.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../../helpers/haproxy.ts';
import { appliesTo, createAclRegistry, parseCondition, type AclParseContext } from '../../../proxy/acl/index.ts';
import type { Condition } from '../../../proxy/acl/types.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';
import { parseRequestHead, sendRaw } from './raw-http.ts';

const ACLS: readonly string[] = [
  'a_path path /foo',
  'a_path_i path -i /FOO',
  'a_beg path_beg /api',
  'a_beg_multi path_beg /x /api/v2',
  'a_beg_i path_beg -i /API',
  'a_end path_end .jpg .png',
  'a_end_i path_end -i .JPG',
  'a_sub path_sub admin',
  'a_reg path_reg ^/img/[0-9]+$',
  'a_reg_i path_reg -i ^/IMG',
  'a_dir path_dir api',
  'a_dir2 path_dir /v2/',
  'a_dir_i path_dir -i API',
  'a_dom path_dom example',
  'a_len path_len gt 5',
  'a_len_r path_len 1:4',
  'a_pathq pathq -m beg /foo?',
  'a_url url /foo?x=1',
  'a_url_beg url_beg http://',
  'a_url_sub url_sub x=1',
  'a_url_end url_end =1',
  'a_url_reg url_reg \\?.*debug',
  'a_url_dom url_dom example',
  'a_url_dir url_dir p',
  'a_url_len url_len lt 10',
  'a_urlp url_param(user) alice',
  'a_urlp_int urlp(id) -m int gt 10',
  'a_urlp_val urlp_val(id) 5:20',
  'a_urlp_sc url_param(x,;) 1',
  'a_urlp_any url_param -m found',
  'a_urlp_beg urlp_beg(user) al',
  'a_query query -m found',
  'a_query_eq query x=1',
  'a_hdr hdr(host) -i example.com',
  'a_hdr_cs hdr(host) example.com',
  'a_hdr_list hdr(x-list) b',
  'a_hdr_comma hdr(x-list) -m sub ,',
  'a_fhdr_comma req.fhdr(x-list) -m sub ,',
  'a_fhdr_b req.fhdr(x-list) b',
  'a_hdr_sub hdr_sub(user-agent) curl',
  'a_hdr_sub_i hdr_sub(user-agent) -i CURL',
  'a_hdr_beg hdr_beg(host) www.',
  'a_hdr_end hdr_end(host) .com',
  'a_hdr_dom hdr_dom(host) example',
  'a_hdr_dom_i hdr_dom(host) -i EXAMPLE',
  'a_hdr_reg hdr_reg(host) ^[a-z]+\\.test',
  'a_hdr_dir hdr_dir(referer) admin',
  'a_hdr_len hdr_len(host) 11',
  'a_hdr_len_m hdr(host) -m len 11',
  'a_hdr_cnt hdr_cnt(x-list) gt 2',
  'a_hdr_cnt0 hdr_cnt(x-missing) 0',
  'a_req_hdr_cnt req.hdr_cnt(x-list) 3',
  'a_fhdr_cnt req.fhdr_cnt(x-list) 1',
  'a_hdr_cnt_all hdr_cnt gt 4',
  'a_hdr_val hdr_val(x-num) ge 100',
  'a_hdr_val_neg hdr_val(x-num) lt 0',
  'a_hdr_bool hdr_val(x-num) -m bool',
  'a_hdr_ip hdr_ip(x-forwarded-for) 10.0.0.0/8',
  'a_hdr_ip6 hdr_ip(x-forwarded-for) 2001:db8::/32',
  'a_hdr_ip_cast req.hdr(x-forwarded-for) -m ip 10.0.0.0/8',
  'a_hdr_occ1 hdr(x-list,1) a',
  'a_hdr_occ2 req.hdr(x-list,2) b',
  'a_hdr_occm1 hdr(x-list,-1) c',
  'a_fhdr_occm1 req.fhdr(x-list,-1) -m beg c',
  'a_hdr_found hdr(x-missing) -m found',
  'a_hdr_empty hdr(x-empty) -m found',
  'a_hdr_empty_len hdr(x-empty) -m len 0',
  'a_hdr_quoted hdr(x-quoted) "a,b"',
  'a_hdr_noname hdr_sub foo',
  'a_hdr_anyname hdr() -m sub foo',
  'a_hdr_lower hdr(host),lower example.com',
  'a_method method GET',
  'a_method_i method -i get',
  'a_method_other method PURGE',
  'a_method_other_i method -i purge',
  'a_method_str method -m str -i get',
  'a_method_beg method -m beg P',
  'a_ver req.ver 1.0',
  'a_req_ver req_ver 1.1',
  'a_src src 127.0.0.2',
  'a_src_net src 127.0.0.0/30',
  'a_src_mask src 127.0.0.0/255.255.255.254',
  'a_src6 src ::ffff:127.0.0.2',
  'a_src6_net src ::ffff:127.0.0.0/126',
  'a_src_str src -m str 127.0.0.3',
  'a_src_i src -i 127.0.0.3',
  'a_srcport src_port gt 1024',
  'a_dst dst 127.0.0.1',
  'a_dstport dst_port gt 1000',
  'a_true always_true',
  'a_false always_false',
  'a_int_str path -m int 0',
  'a_cook cook(sid) abc',
  'a_cook_beg cook_beg(sid) ab',
  'a_cook_any req.cook -m found',
  'a_cook_cnt req.cook_cnt(sid) 2',
  'a_cook_cnt_all cook_cnt gt 2',
  'a_cook_val cook_val(n) gt 5',
  'a_cookie_case cookie(Sid) -m found',
  'a_cook_quoted cook_sub(sid) ;',
  'a_conn hdr(connection) -m found',
  'a_conn_tok hdr(connection) -i x-foo',
  'a_conn_full req.fhdr(connection) -m len 5',
  'a_field hdr(host),field(1,:) -i foo.test',
  'a_field_neg hdr(host),field(-1,.) com',
  'a_field_cnt path,field(2,/,0) -m beg v2/',
  'a_word path,word(2,/) users',
  'a_field_fail hdr(x-list),field(2,;) -m found',
  'a_len_conv path,length gt 8',
  'a_upper hdr(host),upper -m beg EXAMPLE',
  'a_base base example.com/foo',
  'a_base_beg base_beg www.example.com/api',
  'a_base_sub base_sub :8080/',
  'a_baseq baseq -m end ?x=1',
  'a_cl_cnt req.hdr_cnt(content-length) 1',
  'a_cl_val hdr_val(content-length) 3',
  'a_cl_full req.fhdr(content-length) 3',
  'a_str str(abc) abc',
  'a_int int(5) gt 4',
  'a_bool bool(1)',
  'a_bool_f bool(false)',
  'a_env env(HOME) -m found',
  'a_env_none env(LAB_NO_SUCH_VARIABLE) -m found',
  'a_rand rand(1) 0',
  'a_two_defs path_beg /two',
  'a_two_defs hdr(x-two) yes',
];

const RULES: readonly (readonly ['if' | 'unless', string])[] = [
  ...ACLS.map((l) => ['if', l.split(' ')[0]!] as const).filter((r, i, all) => all.findIndex((x) => x[1] === r[1]) === i),
  ['if', '!a_hdr_found'],
  ['if', '!a_hdr_list'],
  ['unless', 'a_beg'],
  ['if', 'a_beg a_hdr'],
  ['if', 'a_beg || a_hdr'],
  ['if', 'a_beg or a_method_other !a_src'],
  ['if', '!!a_beg'],
  ['if', '! a_beg'],
  ['unless', 'a_beg a_src || a_ver'],
  ['if', '{ path_beg /api } { hdr(host) -i www.example.com }'],
  ['if', '{ path_end .jpg } || { method POST }'],
  ['if', '!{ src 127.0.0.1 }'],
  ['if', 'TRUE'],
  ['if', 'FALSE'],
  ['unless', 'FALSE'],
  ['if', 'LOCALHOST'],
  ['if', 'HTTP'],
  ['if', 'HTTP_1.0'],
  ['if', 'HTTP_1.1'],
  ['if', 'METH_GET'],
  ['if', 'METH_POST'],
  ['if', 'METH_HEAD'],
  ['if', 'METH_OPTIONS'],
  ['if', 'HTTP_URL_ABS'],
  ['if', 'HTTP_URL_SLASH'],
  ['if', 'HTTP_URL_STAR'],
  ['if', 'HTTP_CONTENT'],
  ['if', 'METH_GET a_beg || LOCALHOST !a_src'],
];

interface Probe {
  readonly name: string;
  readonly source: string;
  readonly raw: string;
}

const crlf = (lines: readonly string[]): string => lines.join('\r\n') + '\r\n\r\n';

const PROBES: readonly Probe[] = [
  { name: 'plain GET', source: '127.0.0.1', raw: crlf(['GET /foo HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  { name: 'query and mixed-case host', source: '127.0.0.2', raw: crlf(['GET /foo?x=1 HTTP/1.1', 'Host: Example.COM', 'Connection: close']) },
  {
    name: 'api call with repeated and comma-separated headers',
    source: '127.0.0.3',
    raw: crlf(['GET /api/v2/users?user=alice&id=15 HTTP/1.1', 'Host: www.example.com', 'X-List: a, b', 'X-List: c', 'User-Agent: curl/8.0', 'Connection: close']),
  },
  {
    name: 'HTTP/1.0 POST with a number and a forwarded address',
    source: '127.0.0.1',
    raw: crlf(['POST /img/123 HTTP/1.0', 'X-Num: 150', 'X-Forwarded-For: 10.1.2.3', 'Content-Length: 0']),
  },
  { name: 'lowercase method and uppercase extension', source: '127.0.0.2', raw: crlf(['get /x.JPG HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  { name: 'unknown method', source: '127.0.0.1', raw: crlf(['PURGE /cache HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  { name: 'unknown lowercase method', source: '127.0.0.1', raw: crlf(['purge /cache HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  {
    name: 'absolute-form target',
    source: '127.0.0.1',
    raw: crlf(['GET http://example.com/p/q?debug=1 HTTP/1.1', 'Host: example.com', 'Connection: close']),
  },
  {
    name: 'referer with a directory and user agent in caps',
    source: '127.0.0.2',
    raw: crlf(['GET /admin/x HTTP/1.1', 'Host: a.test', 'Referer: http://x/admin/page', 'User-Agent: CURL/7', 'Connection: close']),
  },
  {
    name: 'HEAD with IPv6 and IPv4 forwarded addresses',
    source: '127.0.0.1',
    raw: crlf(['HEAD / HTTP/1.1', 'Host: example.com', 'X-Forwarded-For: 2001:db8::1, 10.0.0.1', 'Connection: close']),
  },
  { name: 'asterisk target', source: '127.0.0.1', raw: crlf(['OPTIONS * HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  { name: 'semicolon parameters', source: '127.0.0.3', raw: crlf(['GET /a;b?url=x;x=1 HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  { name: 'repeated url parameter', source: '127.0.0.1', raw: crlf(['GET /?id=abc&id=12&user= HTTP/1.1', 'Host: example.com', 'Connection: close']) },
  {
    name: 'quoted comma, empty value, odd numbers',
    source: '127.0.0.2',
    raw: crlf(['GET /API/Admin.Png HTTP/1.1', 'Host: foo.test:8080', 'X-Quoted: "a,b", c', 'X-Empty:', 'X-Num: 12abc', 'X-Forwarded-For: 10.0.0.5:8080', 'Connection: close']),
  },
  {
    name: 'many headers, negative number, two-definition ACL',
    source: '127.0.0.3',
    raw: crlf(['GET /x/two HTTP/1.1', 'Host: example.com', 'X-Two: yes', 'X-Num: -5', 'X-List: ,a,,b,', 'Content-Length: 3', 'X-Foo: barfoo', 'Connection: close']) + 'abc',
  },
  { name: 'one cookie line', source: '127.0.0.1', raw: crlf(['GET / HTTP/1.1', 'Host: example.com', 'Cookie: sid=abc; n=7', 'Connection: close']) },
  {
    name: 'cookies with attributes, spaces, commas and quotes',
    source: '127.0.0.2',
    raw: crlf(['GET / HTTP/1.1', 'Host: example.com', 'Cookie: $Version=1; sid = abcdef , x=1', 'Cookie: sid="q;x"; flag; sid=zz', 'Connection: close']),
  },
  { name: 'cookie without value sign', source: '127.0.0.3', raw: crlf(['GET / HTTP/1.1', 'Host: example.com', 'Cookie: flag; Sid=ab; n=3x', 'Connection: close']) },
  { name: 'a Connection header with an extra token', source: '127.0.0.1', raw: crlf(['GET / HTTP/1.1', 'Host: example.com', 'Connection: close, X-Foo']) },
  { name: 'a Connection header with only close and keep-alive', source: '127.0.0.1', raw: crlf(['GET / HTTP/1.1', 'Host: example.com', 'Connection: keep-alive, close']) },
  { name: 'a repeated Content-Length', source: '127.0.0.1', raw: crlf(['POST / HTTP/1.1', 'Host: example.com', 'Content-Length: 3', 'Content-Length: 3', 'Connection: close']) + 'abc' },
  { name: 'a Content-Length list', source: '127.0.0.1', raw: crlf(['POST / HTTP/1.1', 'Host: example.com', 'Content-Length: 3, 3', 'Connection: close']) + 'abc' },
  {
    name: 'Content-Length next to Transfer-Encoding',
    source: '127.0.0.1',
    raw: crlf(['POST / HTTP/1.1', 'Host: example.com', 'Content-Length: 3', 'Transfer-Encoding: chunked', 'Connection: close']) + '3\r\nabc\r\n0\r\n\r\n',
  },
  { name: 'path with dots and directory api', source: '127.0.0.1', raw: crlf(['GET /v1/api/v2/ HTTP/1.1', 'Host: sub.example.org', 'Connection: close']) },
  { name: 'long path, domain pattern at the end', source: '127.0.0.2', raw: crlf(['DELETE /two/example HTTP/1.1', 'Host: example', 'Connection: close']) },
];

const seg = fc.constantFrom('api', 'v2', 'img', 'admin', 'x.jpg', 'A.PNG', 'two', 'example', 'foo', '123', 'p', 'a;b', '');
const hostArb = fc.constantFrom('example.com', 'Example.COM', 'www.example.com', 'foo.test:8080', 'a.test', 'example');
const tokenArb = fc.constantFrom('a', 'b', 'c', ' b ', '"a,b"', '', 'foo', '10.0.0.5', '2001:db8::1', '10.0.0.5:80', '150', '-5', '12abc');
const headerArb = fc.tuple(
  fc.constantFrom('X-List', 'x-list', 'X-Num', 'X-Forwarded-For', 'User-Agent', 'Referer', 'X-Quoted', 'Cookie', 'X-Two', 'X-Empty', 'X-Foo'),
  fc.array(tokenArb, { minLength: 1, maxLength: 3 }),
  fc.constantFrom(',', ', ', ';', '; '),
);
const queryArb = fc.option(
  fc.array(fc.tuple(fc.constantFrom('user', 'id', 'x', 'debug', 'url', 'n'), fc.constantFrom('alice', '15', '1', '5', 'al', '', 'abc')), { maxLength: 3 }),
  { nil: undefined },
);

// One raw request (method, target, headers) that haproxy accepts, and the loopback address to send it from.
const requestArb = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'PURGE', 'get', 'purge', 'DELETE', 'OPTIONS'),
    segs: fc.array(seg, { minLength: 1, maxLength: 4 }),
    query: queryArb,
    absolute: fc.boolean(),
    version: fc.constantFrom('1.0', '1.1'),
    host: fc.option(hostArb, { nil: undefined }),
    headers: fc.array(headerArb, { maxLength: 5 }),
    source: fc.constantFrom('127.0.0.1', '127.0.0.2', '127.0.0.3'),
  })
  .map((r) => {
    const host = r.host ?? (r.version === '1.1' || r.absolute ? 'example.com' : undefined);
    const pathPart = '/' + r.segs.join('/');
    const qs = r.query === undefined ? '' : '?' + r.query.map(([k, v]) => `${k}=${v}`).join('&');
    const target = (r.absolute ? `http://${host}` : '') + pathPart + qs;
    const lines = [`${r.method} ${target} HTTP/${r.version}`];
    if (host !== undefined) lines.push(`Host: ${host}`);
    for (const [name, vals, sep] of r.headers) lines.push(`${name}: ${vals.join(sep)}`.trimEnd());
    lines.push('Connection: close');
    // HEAD answers carry no body, and our verdicts travel in a header, so every method works.
    return [crlf(lines), r.source] as const;
  });

function words(text: string, line: number): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file: 'parity.cfg', line, col } }));
}

// Our words are what the config tokenizer hands over; quotes in them must be protected in the config text.
function cfgWord(w: string): string {
  return w.includes('"') ? `'${w}'` : w;
}

function configText(): string {
  const out = [
    'defaults',
    '  mode http',
    '  timeout client 5s',
    '  timeout server 5s',
    '  timeout connect 5s',
    'frontend fe',
    '  bind 127.0.0.1:{{port}}',
    ...ACLS.map((l) => `  acl ${l.split(' ').map(cfgWord).join(' ')}`),
    ...RULES.map(([pol, cond], i) => `  http-request set-var(txn.r${i}) int(1) ${pol} ${cond}`),
    `  http-request return status 200 hdr X-R "${RULES.map((_, i) => `r${i}=%[var(txn.r${i})]`).join(';')}"`,
    '  default_backend be',
    'backend be',
    '  server s1 127.0.0.1:9',
  ];
  return out.join('\n') + '\n';
}

function compileOurs(): Condition[] {
  const warnings: string[] = [];
  const ctx: AclParseContext = { baseDir: '/tmp', mode: 'http', proxy: 'fe', warn: (m) => warnings.push(m) };
  const reg = createAclRegistry();
  ACLS.forEach((l, i) => {
    const err = reg.define(words(l, i + 1), ctx);
    if (err) throw new Error(`our parser refused "acl ${l}": ${err}`);
  });
  return RULES.map(([pol, cond], i) => {
    const r = parseCondition(pol, words(cond, 1000 + i), reg, ctx);
    if ('error' in r) throw new Error(`our parser refused "${pol} ${cond}": ${r.error}`);
    return r.cond;
  });
}

describe.skipIf(!hasHaproxy)('ACL decisions match real haproxy 2.6', () => {
  let hap: HaproxyHandle;
  let ours: Condition[];

  beforeAll(async () => {
    ours = compileOurs();
    hap = await startHaproxy(configText());
  });
  afterAll(async () => {
    await hap?.stop();
  });

  // Sends one request to haproxy and lists every condition it decided differently from us.
  async function differences(raw: string, source: string): Promise<string[]> {
    const answer = await sendRaw(hap.port, raw, source);
    if (answer.status !== 200) return [`haproxy answered ${answer.status} to ${JSON.stringify(raw)}`];
    const theirs = new Map<string, boolean>();
    for (const part of answer.headers['x-r']!.split(';')) {
      const [k, v] = part.split('=');
      theirs.set(k!, v === '1');
    }
    const ctx = { src: answer.src, srcPort: answer.srcPort, dst: '127.0.0.1', dstPort: hap.port, req: parseRequestHead(raw) };
    const diffs: string[] = [];
    RULES.forEach(([pol, cond], i) => {
      const want = theirs.get(`r${i}`);
      const got = appliesTo(ours[i]!, ctx);
      if (want !== got) diffs.push(`${pol} ${cond}: haproxy=${want} ours=${got} values=${JSON.stringify(ours[i]!.explain(ctx).acls.map((a) => a.values))}`);
    });
    return diffs;
  }

  for (const probe of PROBES) {
    it(`decides every condition like haproxy for: ${probe.name} (from ${probe.source})`, async () => {
      expect(await differences(probe.raw, probe.source)).toEqual([]);
    });
  }

  it('decides every condition like haproxy for 60 generated requests', async () => {
    const requests = fc.sample(requestArb, { numRuns: 60, seed: 20260 });
    for (const [raw, source] of requests) {
      const diffs = await differences(raw, source);
      expect(diffs, raw).toEqual([]);
    }
  });
});
