// Cookie persistence against real HAProxy 2.6: the server a cookie names (and the one it no longer can), what the
// server sees of the Cookie header, the Set-Cookie and Cache-Control sent back byte for byte, and the cookie
// letters of the log's termination state (--NI, --VN, --DI, ...), on every mode and the options around them.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// An app server that names itself and echoes the Cookie header it received; some paths answer with a Set-Cookie
// or cache headers of their own.
function echoServer(name: string): Promise<TestServer> {
  return serveOnLoopback((sock: net.Socket) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        const cookies = head.split('\r\n').filter((l) => /^cookie:/i.test(l)).map((l) => l.slice(7).trim());
        const body = `${name} saw [${cookies.join(' | ')}]`;
        let extra = '';
        if (path.includes('/setck')) extra += 'Set-Cookie: SRV=app1; path=/\r\n';
        if (path.includes('/setother')) extra += 'Set-Cookie: theme=dark\r\nSet-Cookie: SRV = fromapp ; Max-Age=60\r\n';
        if (path.includes('/public')) extra += 'Cache-Control: public\r\n';
        if (path.includes('/private')) extra += 'Cache-Control: private, max-age=60\r\n';
        if (path.includes('/fresh')) extra += 'Cache-Control: max-age=60\r\n';
        if (path.includes('/etag')) extra += 'ETag: "v1"\r\n';
        if (path.includes('/pragma')) extra += 'Pragma: no-cache\r\nExpires: Thu, 01 Jan 2037 00:00:00 GMT\r\n';
        if (path.startsWith('/created')) {
          sock.write(`HTTP/1.1 201 Created\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`);
          continue;
        }
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`);
      }
    });
  });
}

const CONFIG = (a: number, b: number, c: number, dead: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
listen insert_indirect
    bind 127.0.0.1:{{port0}}
    cookie SRV insert indirect nocache
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b} cookie b2
    server s3 127.0.0.1:${c} cookie c3 disabled
listen rewrite
    bind 127.0.0.1:{{port1}}
    cookie SRV rewrite
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b} cookie b2
listen prefix
    bind 127.0.0.1:{{port2}}
    cookie JSESSIONID prefix
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b} cookie b2
listen insert_attrs
    bind 127.0.0.1:{{port3}}
    cookie SRV insert preserve httponly secure domain .example.com domain .example.org attr SameSite=Lax attr Partitioned
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b}
listen persist
    bind 127.0.0.1:{{port4}}
    option persist
    cookie SRV insert postonly
    force-persist if { hdr(x-force) yes }
    server s1 127.0.0.1:${a} cookie a1
    server s3 127.0.0.1:${c} cookie c3 disabled
listen dynamic
    bind 127.0.0.1:{{port5}}
    dynamic-cookie-key this-secret-key-is-longer-than-thirty-two-bytes
    cookie SRV insert dynamic
    server s1 127.0.0.1:${a}
    server s2 127.0.0.2:${b} cookie fixed
listen ignore
    bind 127.0.0.1:{{port6}}
    cookie SRV insert indirect
    ignore-persist if { path_beg /static }
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b} cookie b2
listen redispatch
    bind 127.0.0.1:{{port8}}
    option redispatch
    retries 1
    cookie SRV insert indirect
    http-request deny if { path /deny }
    server dead 127.0.0.1:${dead} cookie d
    server s1 127.0.0.1:${a} cookie a1
listen passive
    bind 127.0.0.1:{{port7}}
    cookie SRV
    server s1 127.0.0.1:${a} cookie a1
    server s2 127.0.0.1:${b} cookie b2
`;

const get = (path: string, ...headers: string[]) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;

const CASES: RawCase[] = [
  // insert indirect nocache
  { name: 'insert: no cookie, the balancer picks and a cookie is inserted (--NI)', send: get('/') },
  { name: 'insert: the next request without a cookie goes to the other server', send: get('/') },
  { name: 'insert: a valid cookie goes to its server, removed from the request (--VN)', send: get('/', 'Cookie: SRV=a1') },
  { name: 'insert: the cookie among others is cut out of the middle', send: get('/', 'Cookie: a=1; SRV=b2;  b=2') },
  { name: 'insert: the cookie at the end of the header', send: get('/', 'Cookie: a=1;SRV=a1') },
  { name: 'insert: two cookie headers, the persistence one alone is dropped', send: get('/', 'Cookie: SRV=b2', 'Cookie: x=y') },
  { name: 'insert: an unknown value is invalid and re-inserted (--II)', send: get('/', 'Cookie: SRV=zz') },
  { name: 'insert: the cookie of a server in maintenance (--DI)', send: get('/', 'Cookie: SRV=c3') },
  { name: 'insert: an empty value', send: get('/', 'Cookie: SRV=') },
  { name: 'insert: spaces around the equal sign', send: get('/', 'Cookie: other = 1 ; SRV = a1') },
  { name: 'insert: nocache on a public response without freshness adds nothing', send: get('/public') },
  { name: 'insert: nocache on a response with max-age adds cache-control private', send: get('/fresh') },
  { name: 'insert: nocache on a response with an ETag adds cache-control private', send: get('/etag') },
  { name: 'insert: nocache with Pragma no-cache adds nothing', send: get('/pragma') },
  { name: 'insert: nocache on a private response adds nothing', send: get('/private') },
  { name: 'insert: nocache on a 201 (not cacheable) adds nothing', send: get('/created/etag') },
  { name: "insert: the server's own Set-Cookie of that name is deleted", send: get('/setck') },
  { name: 'insert: a direct hit with the server setting the cookie (--VD)', send: get('/setck', 'Cookie: SRV=a1') },
  { name: 'insert: a POST is treated the same', send: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' },
  // rewrite
  { name: 'rewrite: no Set-Cookie from the server, nothing to rewrite (--NN)', send: get('/'), port: 1 },
  { name: "rewrite: the server's Set-Cookie gets the server's value (--NR)", send: get('/setck'), port: 1 },
  { name: 'rewrite: a valid cookie stays in the request (--VR)', send: get('/setck', 'Cookie: SRV=b2'), port: 1 },
  { name: 'rewrite: spaces in the Set-Cookie are removed first', send: get('/setother'), port: 1 },
  // prefix
  { name: 'prefix: the server value is stripped from the cookie before the server sees it', send: get('/', 'Cookie: JSESSIONID=b2~abc123; x=1'), port: 2 },
  { name: 'prefix: a cookie without a prefix is invalid', send: get('/', 'Cookie: JSESSIONID=abc123'), port: 2 },
  // insert with attributes and preserve, a server without cookie
  { name: 'insert attrs: domain, HttpOnly, Secure and attr in order', send: get('/'), port: 3 },
  { name: 'insert attrs: a server without a cookie gets the removal cookie', send: get('/'), port: 3 },
  { name: "insert preserve: the server's own cookie is kept and nothing is added (--NP)", send: get('/setck'), port: 3 },
  // option persist, postonly, force-persist
  { name: 'persist: option persist follows a cookie to a server in maintenance', send: get('/', 'Cookie: SRV=c3'), port: 4 },
  { name: 'persist: postonly inserts nothing on a GET', send: get('/'), port: 4 },
  { name: 'persist: postonly inserts on a POST', send: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', port: 4 },
  { name: 'persist: force-persist with option persist', send: get('/', 'Cookie: SRV=c3', 'X-Force: yes'), port: 4 },
  // dynamic
  { name: 'dynamic: the hashed cookie of the first server', send: get('/'), port: 5 },
  { name: 'dynamic: a server with a cookie of its own keeps it', send: get('/'), port: 5 },
  // ignore-persist
  { name: 'ignore-persist: the cookie is not used (--UN) and kept in the request', send: get('/static/x', 'Cookie: SRV=b2'), port: 6 },
  { name: 'ignore-persist: outside the rule the cookie leads', send: get('/', 'Cookie: SRV=b2'), port: 6 },
  // a cookie's server refusing the connection, with option redispatch; a denied request's cookie is logged
  { name: 'redispatch: the cookie of a refusing server is redispatched and a new cookie set', send: get('/', 'Cookie: SRV=d'), port: 8 },
  { name: 'redispatch: a denied request still logs its cookie letter', send: get('/deny', 'Cookie: SRV=a1'), port: 8 },
  // passive
  { name: 'passive: a cookie with no mode still picks its server, logs no letters', send: get('/', 'Cookie: SRV=b2'), port: 7 },
];

describe.skipIf(!hasHaproxy)('cookie persistence does what real HAProxy 2.6 does', () => {
  const servers: TestServer[] = [];
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    for (const n of ['app-a', 'app-b', 'app-c']) servers.push(await echoServer(n));
    const [a, b, c] = servers.map((s) => s.port) as [number, number, number];
    // nothing listens there: connections to it are refused
    const dead = await freePort();
    ({ expected, got } = await playThroughBoth(CONFIG(a, b, c, dead), CASES, 9));
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw the behaviour the cases are about (they are not vacuous)', () => {
    const seen = (start: string) => expected.get(CASES.find((c) => c.name.startsWith(start))!.name)!;
    const bytes = (start: string) => seen(start).bytes;
    const log = (start: string) => seen(start).logs.join('\n');
    expect(bytes('insert: no cookie')).toContain('set-cookie: SRV=a1; path=/\r\n');
    expect(log('insert: no cookie')).toContain(' --NI ');
    expect(bytes('insert: a valid cookie')).toContain('app-a saw []');
    expect(log('insert: a valid cookie')).toContain(' --VN ');
    expect(log('insert: the cookie of a server in maintenance')).toContain(' --DI ');
    expect(bytes('insert: nocache on a response with max-age')).toContain('cache-control: private\r\n');
    expect(bytes('insert attrs: domain')).toContain('; domain=.example.com; domain=.example.org; HttpOnly; Secure; SameSite=Lax; Partitioned');
    expect(bytes('persist: option persist')).toContain('app-c saw');
    expect(bytes("rewrite: the server's Set-Cookie")).toContain('set-cookie: SRV=b2; path=/\r\n');
    expect(bytes('prefix: the server value is stripped')).toContain('app-b saw [JSESSIONID=abc123; x=1]');
    expect(bytes('dynamic: the hashed cookie')).toMatch(/set-cookie: SRV=[0-9a-f]{16}; path=\//);
    expect(log('redispatch: the cookie of a refusing')).toContain(' --DI ');
    expect(log('redispatch: a denied request')).toContain('redispatch/s1 ');
  });
});

// maxidle/maxlife put dates in the cookie: the 5-character stamps differ between two runs a second apart, so
// they are compared by shape, and expiry by the log letters.
const DATED = (a: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
listen dated
    bind 127.0.0.1:{{port0}}
    cookie SRV insert indirect maxidle 30m maxlife 8h
    server s1 127.0.0.1:${a} cookie a1
`;

const STAMP = /\|[A-Za-z0-9+/]{5}/g;

const DATED_CASES: RawCase[] = [
  { name: 'dated: a new cookie carries last-seen and first-seen dates', send: get('/') },
  { name: 'dated: a cookie idle since 1970 has expired (--EI)', send: get('/', 'Cookie: SRV=a1|AAAAB') },
  { name: 'dated: a cookie first seen in 1970 is too old (--OI)', send: get('/', 'Cookie: SRV=a1|zzzzz|AAAAB') },
  { name: 'dated: a cookie without dates is refreshed with them (--VU)', send: get('/', 'Cookie: SRV=a1') },
];

describe.skipIf(!hasHaproxy)('cookie maxidle and maxlife do what real HAProxy 2.6 does', () => {
  let server: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    server = await echoServer('app-a');
    ({ expected, got } = await playThroughBoth(DATED(server.port), DATED_CASES, 1));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  for (const c of DATED_CASES) {
    it(c.name, () => {
      expect(got.get(c.name)!.bytes.replace(STAMP, '|DATE')).toBe(expected.get(c.name)!.bytes.replace(STAMP, '|DATE'));
      expect(got.get(c.name)!.logs).toEqual(expected.get(c.name)!.logs);
    });
  }

  it('the stamps are the ones of now, on both', () => {
    const stamp = Math.floor((Math.floor(Date.now() / 1000) + 3) / 4);
    for (const m of [expected, got]) {
      const v = /SRV=a1\|([A-Za-z0-9+/]{5})\|([A-Za-z0-9+/]{5})/.exec(m.get(DATED_CASES[0]!.name)!.bytes);
      expect(v).not.toBeNull();
      const decode = (s: string) => [...s].reduce((n, ch) => n * 64 + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(ch), 0);
      expect(Math.abs(decode(v![1]!) - stamp)).toBeLessThanOrEqual(30);
      expect(v![1]).toBe(v![2]);
    }
  });
});
