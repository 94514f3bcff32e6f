// Map files, the map converters and pattern-file ACLs against real HAProxy 2.6: the same files, config and
// requests through both, the same bytes to the client. Values come back in "http-request return" answers, in a
// header set with set-header, in a variable, and as the backend a dynamic use_backend picked.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { writeMapFiles } from '../helpers/map-files.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const config = (d: string): string => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    acl api path_beg -f ${d}/prefixes.lst
    acl known_host req.hdr(host) -i -M -f ${d}/hosts.map
    acl blocked src -f ${d}/blocked.lst
    acl writes method -f ${d}/methods.lst
    acl img path -m end -M -f ${d}/ends.map
    acl spaced req.hdr(x-p) -f ${d}/prefixes.lst
    http-request return status 403 content-type text/plain string "blocked" if blocked
    http-request return status 200 content-type text/plain lf-string "str=%[path,map(${d}/paths.map,none)] beg=%[path,map_beg(${d}/paths.map,none)] sub=%[path,map_sub(${d}/paths.map,none)] dir=%[path,map_dir(${d}/paths.map,none)] end=%[path,map_end(${d}/ends.map,none)] reg=%[path,map_reg(${d}/regs.map,none)] regm=%[path,map_regm(${d}/regs.map,none)] dom=%[req.hdr(host),map_dom(${d}/doms.map,none)] nodefault=%[path,map_str(${d}/paths.map)]|" if { req.hdr(x-show) c }
    http-request return status 200 content-type text/plain lf-string "int=%[req.hdr(x-n),map_int(${d}/ints.map,none)] intint=%[req.hdr(x-n),map_int_int(${d}/ints-int.map,-1)] ip=%[src,map_ip(${d}/ips.map,none)] hdrip=%[req.hdr(x-ip),map_ip(${d}/ips.map,none)] ipint=%[src,map_ip_int(${d}/ips-int.map,7)] begip=%[path,map_beg_ip(${d}/ip-values.map,192.168.0.1)] strint=%[req.hdr(x-k),map_str_int(${d}/ints-int.map,0)]|" if { req.hdr(x-show) n }
    http-request set-header X-Api 1 if api
    http-request set-header X-Known 1 if known_host
    http-request set-header X-Writes 1 if writes
    http-request set-header X-Img 1 if img
    http-request set-header X-Spaced 1 if spaced
    http-request return status 200 content-type text/plain lf-string "api=%[req.hdr(x-api)] known=%[req.hdr(x-known)] writes=%[req.hdr(x-writes)] img=%[req.hdr(x-img)] spaced=%[req.hdr(x-spaced)]|" if { req.hdr(x-show) acl }
    http-request set-var(txn.host) req.hdr(host),lower,map_str(${d}/hosts.map,nohost)
    http-request set-header X-Tier %[path,map_beg(${d}/paths.map,default)]
    use_backend %[req.hdr(host),lower,map(${d}/hosts.map)]
    default_backend be_default
backend be_a
    http-request return status 200 content-type text/plain lf-string "be_a tier=%[req.hdr(x-tier)] var=%[var(txn.host)]|"
backend be_b
    http-request return status 200 content-type text/plain lf-string "be_b tier=%[req.hdr(x-tier)] var=%[var(txn.host)]|"
backend be_default
    http-request return status 200 content-type text/plain lf-string "be_default tier=%[req.hdr(x-tier)] var=%[var(txn.host)]|"
`;

const req = (show: string, path: string, headers = '', host = 'x', method = 'GET'): string =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${show ? `X-Show: ${show}\r\n` : ''}${headers}${method === 'PUT' ? 'Content-Length: 0\r\n' : ''}\r\n`;
const CASES: RawCase[] = [
  { name: 'map_beg takes the longest prefix; map (exact) finds nothing for a longer path', send: req('c', '/api/v2/users') },
  { name: 'an exact key gives its value with inner blanks kept and trailing ones dropped', send: req('c', '/api/v2') },
  { name: 'a duplicate key gives the first entry', send: req('c', '/dup') },
  { name: 'map_sub, map_dir and map_end take the first entry in file order', send: req('c', '/img/static/a.png') },
  { name: 'map_reg and map_regm: the first regex that matches, map_regm with its captures', send: req('c', '/u/bob/42') },
  { name: 'map_regm with a regex without captures', send: req('c', '/r/x') },
  { name: 'map_dom matches whole domain words', send: req('c', '/', '', 'www.example.com') },
  { name: 'with no match and no default the converter fails and the expression is empty', send: req('c', '/nothing/here') },
  { name: 'map_int takes ranges; map_int_int parses values as integers', send: req('n', '/n', 'X-N: 7\r\nX-K: 20\r\n') },
  { name: 'an input that is no integer gives the default', send: req('n', '/b', 'X-N: abc\r\nX-K: 1\r\n') },
  { name: 'map_ip picks the longest prefix; map_beg_ip values are addresses', send: req('n', '/a', 'X-N: 20\r\nX-Ip: 127.0.0.2\r\n') },
  { name: 'map_ip with an IPv6 sample', send: req('n', '/n', 'X-Ip: ::1\r\n'), from: '127.5.0.5' },
  { name: 'map_ip with a non-contiguous mask, which HAProxy keeps in a list after the trees', send: req('n', '/n', 'X-Ip: 192.7.2.9\r\n') },
  { name: 'ACLs from pattern files: -f, -i -M -f, methods from a file', send: req('acl', '/admin/x', '', 'WWW.Example.com') },
  { name: 'an ACL file pattern with spaces is one pattern; -m end -M -f', send: req('acl', '/a.css', 'X-P: /with space here\r\n', 'x', 'PUT') },
  { name: 'a pattern file line keeps its inner spaces, so a shorter value does not match', send: req('acl', '/a.png', 'X-P: /with space\r\n') },
  { name: 'src against a file of addresses and networks', send: req('c', '/'), from: '127.0.1.7' },
  { name: 'use_backend %[...map(...)] picks the backend the map names', send: req('', '/api/x', '', 'Example.com') },
  { name: 'use_backend with a name no backend has falls to default_backend', send: req('', '/static/x', '', 'other.org') },
  { name: 'use_backend with no match (empty name) falls to default_backend too', send: req('', '/dup') },
];

describe.skipIf(!hasHaproxy)('map files, map converters and pattern-file ACLs as real HAProxy 2.6', () => {
  let dir = '';
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    dir = writeMapFiles();
    ({ expected, got } = await playThroughBoth(config(dir), CASES));
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the values it was written for (the cases are not vacuous)', () => {
    const body = (start: string): string => expected.get(CASES.find((c) => c.name.startsWith(start))!.name)!.bytes;
    expect(body('map_beg takes')).toContain('str=none beg=api-v2  with words ');
    expect(body('an exact key')).toContain('str=api-v2  with words beg=');
    expect(body('a duplicate key')).toContain('str=first');
    expect(body('map_reg and')).toContain('reg=user-\\1-\\2 regm=user-bob-42');
    expect(body('with no match')).toContain('nodefault=|');
    expect(body('map_int takes')).toContain('int=five-to-ten intint=510');
    expect(body('map_ip with an IPv6')).toContain('hdrip=v6lo');
    expect(body('map_ip with a non-contiguous')).toContain('hdrip=noncontiguous2');
    expect(body('ACLs from pattern files')).toContain('api=1 known=1 writes= img=');
    expect(body('an ACL file pattern')).toContain('writes=1 img=1 spaced=1|');
    expect(body('a pattern file line')).toContain('img=1 spaced=|');
    expect(body('src against')).toContain('blocked');
    expect(body('use_backend %[')).toContain('be_a tier=api var=be_a|');
    expect(body('use_backend with a name')).toContain('be_default tier=static var=be_missing|');
  });
});
