import { describe, expect, it } from 'vitest';
import { compileMatch, parseIntRange, type AnyMatch, type CompiledMatch } from '../../../proxy/acl/match.ts';
import { castSample } from '../../../proxy/sample/cast.ts';
import { matchIp, parseIpNet, scanIpv4 } from '../../../proxy/sample/ip.ts';
import type { SampleValue } from '../../../proxy/sample/sample.ts';

function m(method: AnyMatch, patterns: string[], icase = false): CompiledMatch {
  const c = compileMatch(method, patterns, icase);
  if ('error' in c) throw new Error(c.error);
  return c;
}

const hits = (c: CompiledMatch, v: SampleValue): string | null => {
  const i = c.match(v);
  return i < 0 ? null : c.patterns[i]!;
};

describe('string match methods', () => {
  it('str needs the whole string, case-sensitively unless -i', () => {
    expect(hits(m('str', ['/a', '/b']), '/b')).toBe('/b');
    expect(hits(m('str', ['/a']), '/A')).toBeNull();
    expect(hits(m('str', ['/a']), '/ab')).toBeNull();
    expect(hits(m('str', ['/A']), '/a')).toBeNull();
    expect(hits(m('str', ['/A'], true), '/a')).toBe('/A');
  });

  it('beg, end and sub look at the start, the end and anywhere', () => {
    expect(hits(m('beg', ['/api']), '/api/v1')).toBe('/api');
    expect(hits(m('beg', ['/api']), '/ap')).toBeNull();
    expect(hits(m('beg', ['/API'], true), '/api/v1')).toBe('/API');
    expect(hits(m('end', ['.jpg', '.png']), '/x.png')).toBe('.png');
    expect(hits(m('end', ['.JPG'], true), '/x.jpg')).toBe('.JPG');
    expect(hits(m('end', ['.jpg']), '/x.JPG')).toBeNull();
    expect(hits(m('sub', ['adm']), '/x/admin')).toBe('adm');
    expect(hits(m('sub', ['ADM'], true), '/x/Admin')).toBe('ADM');
    expect(hits(m('sub', ['admin']), '/adm')).toBeNull();
  });

  it('dir matches whole slash-delimited segments, ignoring slashes around the pattern', () => {
    const dir = m('dir', ['api']);
    expect(hits(dir, '/api')).toBe('api');
    expect(hits(dir, '/v1/api/users')).toBe('api');
    expect(hits(dir, '/apix')).toBeNull();
    expect(hits(dir, '/xapi/')).toBeNull();
    expect(hits(m('dir', ['/v2/']), '/api/v2/x')).toBe('/v2/');
    expect(hits(m('dir', ['a/b']), '/x/a/b?q')).toBe('a/b');
    expect(hits(m('dir', ['/']), '/')).toBeNull();
    expect(hits(m('dir', ['API'], true), '/api/')).toBe('API');
  });

  it('dom matches dot-delimited labels, also across ":" and "/"', () => {
    const dom = m('dom', ['example']);
    expect(hits(dom, 'www.example.com')).toBe('example');
    expect(hits(dom, 'example:8080')).toBe('example');
    expect(hits(dom, 'myexample.com')).toBeNull();
    expect(hits(m('dom', ['.example.com.']), 'a.example.com')).toBe('.example.com.');
    expect(hits(m('dom', ['EXAMPLE'], true), 'www.Example.org')).toBe('EXAMPLE');
  });

  it('len compares the length against ranges', () => {
    expect(hits(m('len', ['11']), 'example.com')).toBe('11');
    expect(hits(m('len', ['1:4']), 'abcde')).toBeNull();
    expect(hits(m('len', ['6:']), 'abcdef')).toBe('6:');
  });

  it('reg uses a regular expression, -i making it case-insensitive', () => {
    expect(hits(m('reg', ['^/img/[0-9]+$']), '/img/42')).toBe('^/img/[0-9]+$');
    expect(hits(m('reg', ['^/img/[0-9]+$']), '/img/4a')).toBeNull();
    expect(hits(m('reg', ['^/IMG'], true), '/img/')).toBe('^/IMG');
    expect(hits(m('reg', ['(?i)^/IMG']), '/img/')).toBe('(?i)^/IMG');
  });

  it('reports an invalid regex with PCRE2 wording', () => {
    expect(compileMatch('reg', ['(['], false)).toEqual({ error: "regex '([' is invalid (error=missing terminating ] for character class, erroffset=2)" });
  });
});

describe('int, bool, found and bin', () => {
  it('parses int patterns as values and ranges as pat_parse_int does', () => {
    expect(parseIntRange('5')).toEqual({ min: 5, max: 5 });
    expect(parseIntRange('1:100')).toEqual({ min: 1, max: 100 });
    expect(parseIntRange('1-100')).toEqual({ min: 1, max: 100 });
    expect(parseIntRange(':7')).toEqual({ max: 7 });
    expect(parseIntRange('7:')).toEqual({ min: 7 });
    expect(parseIntRange('-3')).toEqual({ max: 3 });
    expect(parseIntRange('x')).toBe("'x' is not a number");
    expect(parseIntRange('9:1')).toBe("'9:1' is not a valid number range");
  });

  it('int matches when the value falls in any range', () => {
    const c = m('int', ['1:3', '10', '20:']);
    expect(hits(c, 2)).toBe('1:3');
    expect(hits(c, 10)).toBe('10');
    expect(hits(c, 11)).toBeNull();
    expect(hits(c, 99)).toBe('20:');
  });

  it('bool ignores patterns and matches non-zero values; found matches anything', () => {
    expect(hits(m('bool', []), 0)).toBeNull();
    expect(m('bool', []).match(7)).toBe(0);
    expect(m('found', []).match('')).toBe(0);
  });

  it('bin compares bytes with hex patterns', () => {
    const c = m('bin', ['1603']);
    expect(c.match(Buffer.from([0x16, 0x03]))).toBe(0);
    expect(c.match(Buffer.from([0x16, 0x04]))).toBe(-1);
    expect(compileMatch('bin', ['4x'], false)).toEqual({ error: "an hex digit is expected (found 'x')" });
  });
});

describe('ip match', () => {
  it('parses addresses, bit masks and dotted masks, and refuses the rest', () => {
    expect(parseIpNet('10.0.0.0/8')).toMatchObject({ v: 4, addr: 0x0a000000, mask: 0xff000000 });
    expect(parseIpNet('10.1.2.3/255.255.0.0')).toMatchObject({ v: 4, addr: 0x0a010000, mask: 0xffff0000 });
    expect(parseIpNet('2001:db8::/32')).toMatchObject({ v: 6, prefix: 32 });
    expect(parseIpNet('10.0.0.1/33')).toBeNull();
    expect(parseIpNet('foo')).toBeNull();
    expect(compileMatch('ip', ['foo'], false)).toEqual({ error: "'foo' is not a valid IPv4 or IPv6 address" });
  });

  it('matches IPv4 samples against IPv4 networks and IPv6 networks as ::ffff:a.b.c.d', () => {
    const nets = ['127.0.0.0/8', '::ffff:10.0.0.0/104'].map((t) => parseIpNet(t)!);
    expect(matchIp('127.1.2.3', nets)).toBe(0);
    expect(matchIp('10.9.9.9', nets)).toBe(1);
    expect(matchIp('11.0.0.1', nets)).toBe(-1);
  });

  it('matches mapped, compatible and 6to4 IPv6 samples against IPv4 networks', () => {
    const nets = [parseIpNet('192.168.0.0/16')!];
    expect(matchIp('::ffff:192.168.1.1', nets)).toBe(0);
    expect(matchIp('::192.168.1.1', nets)).toBe(0);
    expect(matchIp('2002:c0a8:0101::1', nets)).toBe(0);
    expect(matchIp('2001:db8::1', nets)).toBe(-1);
  });

  it('matches IPv6 samples against IPv6 prefixes', () => {
    const nets = [parseIpNet('2001:db8::/32')!, parseIpNet('::1')!];
    expect(matchIp('2001:db8:1::5', nets)).toBe(0);
    expect(matchIp('::1', nets)).toBe(1);
    expect(matchIp('2001:db9::1', nets)).toBe(-1);
  });

  it('does not let ::1 match 127.0.0.1/8 (HAProxy reads ::1 as 0.0.0.1)', () => {
    expect(matchIp('::1', [parseIpNet('127.0.0.1/8')!])).toBe(-1);
    expect(matchIp('::1', [parseIpNet('0.0.0.0/8')!])).toBe(0);
  });

  it('reads IPv4 addresses leniently like buf2ip: leading zeros, stop at the first other character', () => {
    expect(scanIpv4('10.0.0.5:8080')).toEqual({ addr: 0x0a000005, end: 8 });
    expect(scanIpv4('010.000.000.001')).toEqual({ addr: 0x0a000001, end: 15 });
    expect(scanIpv4('10.0.0')).toBeNull();
    expect(scanIpv4('256.0.0.1')).toBeNull();
  });
});

describe('method match (the "method" ACL keyword)', () => {
  it('compares well-known methods as tokens, so -i cannot make "get" match GET', () => {
    expect(hits(m('meth', ['GET']), 'GET')).toBe('GET');
    expect(hits(m('meth', ['GET']), 'get')).toBeNull();
    expect(hits(m('meth', ['get'], true), 'GET')).toBeNull();
  });

  it('compares other methods as strings, -i making it case-insensitive', () => {
    expect(hits(m('meth', ['PURGE']), 'PURGE')).toBe('PURGE');
    expect(hits(m('meth', ['PURGE']), 'purge')).toBeNull();
    expect(hits(m('meth', ['purge'], true), 'PURGE')).toBe('purge');
    expect(hits(m('meth', ['get'], true), 'Get')).toBe('get');
  });
});

describe('sample casts', () => {
  it('turns samples into what the method expects, failing like sample_casts', () => {
    expect(castSample(42, 'int', 'str')).toBe('42');
    expect(castSample(true, 'bool', 'str')).toBe('1');
    expect(castSample('12abc', 'str', 'int')).toBe(12);
    expect(castSample('', 'str', 'int')).toBeUndefined();
    expect(castSample('10.0.0.5:80', 'str', 'addr')).toBe('10.0.0.5');
    expect(castSample('nope', 'str', 'addr')).toBeUndefined();
    expect(castSample('127.0.0.1', 'ip', 'int')).toBe(0x7f000001);
    expect(castSample('::1', 'ip', 'int')).toBeUndefined();
    expect(castSample('GET', 'meth', 'str')).toBe('GET');
    expect(castSample(Buffer.from([0x41, 0x42, 0, 0x43]), 'bin', 'str')).toBe('AB');
  });
});
