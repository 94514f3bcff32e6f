import { describe, expect, it } from 'vitest';
import { findFetch } from '../../../proxy/sample/fetches/index.ts';
import { pathStart } from '../../../proxy/http/path.ts';
import type { ArgValue, SampleValue } from '../../../proxy/sample/sample.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { httpCtx } from '../acl/raw-http.ts';

// Every sample a fetch hands out, in order.
function samples(name: string, ctx: SampleContext, args: ArgValue[] = []): SampleValue[] {
  const def = findFetch(name);
  if (!def) throw new Error(`no fetch ${name}`);
  const out: SampleValue[] = [];
  def.compile(args, 'fe')(ctx, (v) => {
    out.push(v);
    return false;
  });
  return out;
}

const tcpCtx: SampleContext = { src: '10.0.0.9', srcPort: 5555, dst: '127.0.0.1', dstPort: 8443 };

describe('connection fetches', () => {
  it('return the addresses and ports of the client connection', () => {
    expect(samples('src', tcpCtx)).toEqual(['10.0.0.9']);
    expect(samples('src_port', tcpCtx)).toEqual([5555]);
    expect(samples('dst', tcpCtx)).toEqual(['127.0.0.1']);
    expect(samples('dst_port', tcpCtx)).toEqual([8443]);
  });

  it('always_true and always_false return constant booleans', () => {
    expect(samples('always_true', tcpCtx)).toEqual([true]);
    expect(samples('always_false', tcpCtx)).toEqual([false]);
  });

  it('HTTP fetches return nothing on a connection without an HTTP request', () => {
    for (const name of ['path', 'url', 'query', 'method', 'req.ver', 'req.proto_http', 'hdr_cnt']) {
      expect(samples(name, tcpCtx), name).toEqual([]);
    }
    expect(samples('req.hdr', tcpCtx, ['host'])).toEqual([]);
    expect(samples('url_param', tcpCtx, ['a'])).toEqual([]);
  });
});

describe('request-line fetches', () => {
  it('path excludes the query string; pathq keeps it', () => {
    const ctx = httpCtx({ uri: '/a/b?x=1' });
    expect(samples('path', ctx)).toEqual(['/a/b']);
    expect(samples('pathq', ctx)).toEqual(['/a/b?x=1']);
  });

  it('reads the path of an absolute-form target after the authority', () => {
    expect(pathStart('http://host:80/p?q')).toBe(14);
    const ctx = httpCtx({ uri: 'http://host/p?q=1', path: '' });
    expect(samples('path', ctx)).toEqual(['/p']);
    expect(samples('pathq', ctx)).toEqual(['/p?q=1']);
    expect(samples('url', ctx)).toEqual(['http://host/p?q=1']);
    expect(samples('query', ctx)).toEqual(['q=1']);
  });

  it('has no path for "*", authority-form targets and absolute URIs without a path', () => {
    expect(samples('path', httpCtx({ uri: '*', path: '' }))).toEqual([]);
    expect(samples('path', httpCtx({ uri: 'example.com:443', path: '', method: 'CONNECT' }))).toEqual([]);
    expect(samples('path', httpCtx({ uri: 'http://host', path: '' }))).toEqual([]);
  });

  it('query is absent without "?" and empty with a bare "?"', () => {
    expect(samples('query', httpCtx({ uri: '/a' }))).toEqual([]);
    expect(samples('query', httpCtx({ uri: '/a?' }))).toEqual(['']);
  });

  it('method, req.ver and req.proto_http describe the request line', () => {
    const ctx = httpCtx({ uri: '/', method: 'PURGE', version: '1.0' });
    expect(samples('method', ctx)).toEqual(['PURGE']);
    expect(samples('req.ver', ctx)).toEqual(['1.0']);
    expect(samples('req_ver', ctx)).toEqual(['1.0']);
    expect(samples('req.proto_http', ctx)).toEqual([true]);
  });
});

describe('url_param', () => {
  it('returns every value of the named parameter, in order', () => {
    const ctx = httpCtx({ uri: '/?id=1&x=2&id=3' });
    expect(samples('url_param', ctx, ['id'])).toEqual(['1', '3']);
    expect(samples('urlp', ctx, ['x'])).toEqual(['2']);
    expect(samples('url_param', ctx, ['nope'])).toEqual([]);
  });

  it('splits on "&", ";" and the delimiter, and needs "=" after the name', () => {
    expect(samples('url_param', httpCtx({ uri: '/?a=1;b=2' }), ['b'])).toEqual(['2']);
    expect(samples('url_param', httpCtx({ uri: '/?a&b=' }), ['a'])).toEqual([]);
    expect(samples('url_param', httpCtx({ uri: '/?a&b=' }), ['b'])).toEqual(['']);
    expect(samples('url_param', httpCtx({ uri: '/p;x=1;y=2' }), ['y', ';'])).toEqual(['2']);
    expect(samples('url_param', httpCtx({ uri: '/?ab=1&b=2' }), ['b'])).toEqual(['2']);
  });

  it('without a name, returns each value after an "="', () => {
    expect(samples('url_param', httpCtx({ uri: '/?a=1&b&c=3' }))).toEqual(['1', '3']);
  });

  it('urlp_val converts values to integers', () => {
    expect(samples('urlp_val', httpCtx({ uri: '/?n=42&n=7x' }), ['n'])).toEqual([42, 7]);
  });
});

describe('header fetches', () => {
  const headers = ['Host', 'example.com', 'X-List', 'a, b', 'x-list', 'c', 'X-Quoted', '"a,b", c', 'X-Empty', '', 'X-Num', '12abc'];
  const ctx = httpCtx({ uri: '/', headers });

  it('hdr splits values on commas and returns every occurrence of the header, names case-insensitive', () => {
    expect(samples('hdr', ctx, ['x-list'])).toEqual(['a', 'b', 'c']);
    expect(samples('req.hdr', ctx, ['X-LIST'])).toEqual(['a', 'b', 'c']);
  });

  it('hdr keeps commas inside quoted strings', () => {
    expect(samples('hdr', ctx, ['x-quoted'])).toEqual(['"a,b"', 'c']);
  });

  it('req.fhdr returns whole lines', () => {
    expect(samples('req.fhdr', ctx, ['x-list'])).toEqual(['a, b', 'c']);
  });

  it('picks one occurrence from the start or from the end', () => {
    expect(samples('hdr', ctx, ['x-list', 1])).toEqual(['a']);
    expect(samples('hdr', ctx, ['x-list', 2])).toEqual(['b']);
    expect(samples('hdr', ctx, ['x-list', -1])).toEqual(['c']);
    expect(samples('hdr', ctx, ['x-list', 4])).toEqual([]);
    expect(samples('req.fhdr', ctx, ['x-list', -2])).toEqual(['a, b']);
  });

  it('an absent header gives no sample; an empty one gives an empty string', () => {
    expect(samples('hdr', ctx, ['x-missing'])).toEqual([]);
    expect(samples('hdr', ctx, ['x-empty'])).toEqual(['']);
  });

  it('empty comma-separated members count as values', () => {
    expect(samples('hdr', httpCtx({ uri: '/', headers: ['X', ',a,,b,'] }), ['x'])).toEqual(['', 'a', '', 'b', '']);
  });

  it('hdr without parentheses has no name and returns nothing; hdr() means every header', () => {
    expect(samples('hdr', ctx, [])).toEqual([]);
    expect(samples('hdr', ctx, ['']).length).toBe(8);
  });

  it('counts values with hdr_cnt and lines with req.fhdr_cnt', () => {
    expect(samples('hdr_cnt', ctx, ['x-list'])).toEqual([3]);
    expect(samples('req.hdr_cnt', ctx, ['x-missing'])).toEqual([0]);
    expect(samples('req.fhdr_cnt', ctx, ['x-list'])).toEqual([2]);
    expect(samples('hdr_cnt', ctx, [])).toEqual([8]);
  });

  it('hdr_val reads a leading integer like strl2ic', () => {
    expect(samples('hdr_val', ctx, ['x-num'])).toEqual([12]);
    expect(samples('hdr_val', httpCtx({ uri: '/', headers: ['N', '-15'] }), ['n'])).toEqual([-15]);
  });

  it('hdr_ip returns addresses (IPv4 with an optional port, or IPv6) and skips other values', () => {
    const xff = httpCtx({ uri: '/', headers: ['X-Forwarded-For', 'unknown, 10.0.0.5:8080, 2001:db8::1, 1.2.3.4:99999'] });
    expect(samples('hdr_ip', xff, ['x-forwarded-for'])).toEqual(['10.0.0.5', '2001:db8::1']);
  });
});

describe('payload fetches', () => {
  const ctx: SampleContext = { ...tcpCtx, payload: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]) };

  it('req.len is the number of bytes buffered', () => {
    expect(samples('req.len', ctx)).toEqual([5]);
    expect(samples('req.len', tcpCtx)).toEqual([]);
  });

  it('reads the RDP cookie after the X.224 header, case-insensitively on the name', () => {
    const x224 = Buffer.from([3, 0, 0, 0x2a, 0x25, 0xe0, 0, 0, 0, 0, 0]);
    const rdp: SampleContext = { ...tcpCtx, payload: Buffer.concat([x224, Buffer.from('Cookie: mstshash=Alice\r\n')]) };
    expect(samples('req.rdp_cookie', rdp, ['MSTSHASH'])).toEqual(['Alice']);
    expect(samples('rdp_cookie', rdp, [])).toEqual(['Alice']);
    expect(samples('req.rdp_cookie_cnt', rdp, ['mstshash'])).toEqual([1]);
    expect(samples('req.rdp_cookie_cnt', rdp, ['other'])).toEqual([0]);
    const partial: SampleContext = { ...tcpCtx, payload: Buffer.concat([x224, Buffer.from('Cookie: mstshash=Al')]) };
    expect(samples('req.rdp_cookie_cnt', partial, ['mstshash'])).toEqual([]);
  });

  it('req.payload returns the slice once enough bytes are there', () => {
    expect(samples('req.payload', ctx, [0, 2])).toEqual([Buffer.from([0x16, 0x03])]);
    expect(samples('req.payload', ctx, [3, 0])).toEqual([Buffer.from([0x00, 0x05])]);
    expect(samples('req.payload', ctx, [4, 2])).toEqual([]);
  });
});

describe('cookie fetches', () => {
  const ctx = httpCtx({ uri: '/', headers: ['Cookie', '$Version=1; sid = abc , x=1', 'cookie', 'sid="q;x"; flag; n=7z', 'Cookie', 'Sid=up'] });

  it('returns every value of the named cookie, trimmed, case-sensitive on the name', () => {
    expect(samples('req.cook', ctx, ['sid'])).toEqual(['abc', '"q;x"']);
    expect(samples('cook', ctx, ['Sid'])).toEqual(['up']);
    expect(samples('req.cook', ctx, ['none'])).toEqual([]);
  });

  it('without a name returns every cookie value, skipping $attributes and cookies without "="', () => {
    expect(samples('req.cook', ctx, [])).toEqual(['abc', '1', '"q;x"', '7z', 'up']);
  });

  it('counts cookies and reads their integer value', () => {
    expect(samples('req.cook_cnt', ctx, ['sid'])).toEqual([2]);
    expect(samples('cook_cnt', ctx, [])).toEqual([5]);
    expect(samples('req.cook_val', ctx, ['n'])).toEqual([7]);
  });
});

describe('Connection header as HAProxy stores it', () => {
  it('drops close and keep-alive tokens, and the whole header when nothing else is left', () => {
    const ctx = httpCtx({ uri: '/', headers: ['Connection', 'close, X-Foo', 'Connection', 'Keep-Alive'] });
    expect(samples('hdr', ctx, ['connection'])).toEqual(['X-Foo']);
    expect(samples('req.fhdr_cnt', ctx, ['connection'])).toEqual([1]);
    expect(samples('hdr_cnt', httpCtx({ uri: '/', headers: ['Host', 'a', 'Connection', 'close'] }), [])).toEqual([1]);
  });

  it('keeps the original text of tokens before the first removed one', () => {
    expect(samples('req.fhdr', httpCtx({ uri: '/', headers: ['Connection', 'a, b, close, c'] }), ['connection'])).toEqual(['a, b,c']);
  });
});

describe('Content-Length as HAProxy stores it', () => {
  it('keeps only the first Content-Length, reduced to its first value', () => {
    const ctx = httpCtx({ uri: '/', headers: ['Content-Length', '3, 3', 'content-length', '3'] });
    expect(samples('req.fhdr', ctx, ['content-length'])).toEqual(['3']);
    expect(samples('req.hdr_cnt', ctx, ['content-length'])).toEqual([1]);
  });

  it('drops Content-Length when Transfer-Encoding is there, whatever the order', () => {
    const ctx = httpCtx({ uri: '/', headers: ['Content-Length', '3', 'Transfer-Encoding', 'chunked'] });
    expect(samples('hdr', ctx, ['content-length'])).toEqual([]);
    expect(samples('hdr_cnt', ctx, [])).toEqual([1]);
  });
});

describe('constant and random fetches', () => {
  it('str, int, bool and env give their constant or the environment', () => {
    expect(samples('str', tcpCtx, ['a b'])).toEqual(['a b']);
    expect(samples('int', tcpCtx, [42])).toEqual([42]);
    expect(samples('bool', tcpCtx, ['TRUE'])).toEqual([true]);
    expect(samples('bool', tcpCtx, ['0'])).toEqual([false]);
    expect(samples('env', tcpCtx, ['PATH'])).toEqual([process.env.PATH]);
    expect(samples('env', tcpCtx, ['LAB_NO_SUCH_VARIABLE'])).toEqual([]);
  });

  it('rand(N) spreads over [0, N)', () => {
    const seen = new Set<number>();
    let sum = 0;
    for (let i = 0; i < 4000; i++) {
      const [v] = samples('rand', tcpCtx, [10]) as number[];
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
      seen.add(v!);
      sum += v!;
    }
    expect(seen.size).toBe(10);
    expect(sum / 4000).toBeGreaterThan(4);
    expect(sum / 4000).toBeLessThan(5);
  });
});
