import { describe, expect, it } from 'vitest';
import { CurlArgsError, parseCurl, shellWords } from '../../../lab/traffic/request-spec.ts';

describe('curl flags', () => {
  it('splits a command line with quotes as a shell would', () => {
    expect(shellWords(`curl -A "Mozilla/5.0 (iPhone) Mobile" -H 'X-A: b c' http://localhost/`)).toEqual([
      'curl', '-A', 'Mozilla/5.0 (iPhone) Mobile', '-H', 'X-A: b c', 'http://localhost/',
    ]);
    expect(shellWords('a\\ b "c\\"d"')).toEqual(['a b', 'c"d']);
  });

  it('reads the documents\' plain GET', () => {
    expect(parseCurl('curl http://localhost/data')).toEqual({
      spec: { method: 'GET', url: 'http://localhost/data', headers: [], include: false, silent: false }, repeat: 1, concurrency: 1,
    });
  });

  it('reads method, headers, agent, data, source address, include and silent', () => {
    const p = parseCurl(['-X', 'post', '-H', 'X-Test: 1', '-A', 'Mobile', '-d', 'a=1', '-d', 'b=2', '--interface', '127.66.0.5', '-si', 'localhost:4000/x']);
    expect(p.spec).toEqual({
      method: 'POST', url: 'http://localhost:4000/x', body: 'a=1&b=2', localAddress: '127.66.0.5', include: true, silent: true,
      headers: [['X-Test', '1'], ['User-Agent', 'Mobile'], ['Content-Type', 'application/x-www-form-urlencoded']],
    });
  });

  it('makes -d a POST and -I a HEAD, as curl does', () => {
    expect(parseCurl('curl -d x=1 http://localhost/').spec.method).toBe('POST');
    expect(parseCurl('curl -I http://localhost/').spec).toMatchObject({ method: 'HEAD', include: true });
    expect(parseCurl('curl -XPUT --request=DELETE http://localhost/').spec.method).toBe('DELETE');
  });

  it('reads the lab\'s -n and -c', () => {
    expect(parseCurl('curl -n 12 -c3 http://localhost/')).toMatchObject({ repeat: 12, concurrency: 3 });
  });

  it('refuses what it cannot do, naming the flag', () => {
    expect(() => parseCurl('curl -k https://localhost/')).toThrow(/option -k: not supported/);
    expect(() => parseCurl('curl https://localhost/')).toThrow(CurlArgsError);
    expect(() => parseCurl('curl -n 0 http://localhost/')).toThrow(/option -n: expected a whole number >= 1, got "0"/);
    expect(() => parseCurl('curl -H nocolon http://localhost/')).toThrow(/expected "Name: value"/);
    expect(() => parseCurl('curl')).toThrow(/no URL given/);
    expect(() => parseCurl('curl http://a/ http://b/')).toThrow(/one URL expected/);
  });
});

describe('cookies and users, as curl sends them', () => {
  it('turns -b into a Cookie header and -u into basic authorization', () => {
    const p = parseCurl(`curl -b 'session=abc; theme=dark' -u alice:secret http://localhost/`);
    expect(p.spec.headers).toEqual([['Cookie', 'session=abc; theme=dark'], ['Authorization', `Basic ${Buffer.from('alice:secret').toString('base64')}`]]);
  });

  it('refuses a cookie file name, which it cannot read', () => {
    expect(() => parseCurl('curl -b cookies.txt http://localhost/')).toThrow(/cookie files are not supported/);
  });
});
