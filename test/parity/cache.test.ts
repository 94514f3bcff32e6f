// The small object cache against real HAProxy 2.6: which responses are stored and which requests are answered
// from it (Cache-Control, Authorization, Pragma, HTTP/1.0, validators, Vary, status, size, unsafe methods), the
// answer a hit gets (stored head, Age, http-response rules seeing res.cache_hit / res.cache_name), 304s to
// If-None-Match / If-Modified-Since as 2.6 sends them, HEAD hits, and the <CACHE> log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, normalizeLog, serveOnLoopback, settle, type TestServer } from '../helpers/raw-http.ts';

// Each answer carries how many requests the server has seen, so a hit shows as an old number.
function startServer(): Promise<TestServer> {
  let n = 0;
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [method, path] = head.split(' ');
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (cl) buf = buf.slice(Number(cl[1]));
        n++;
        const body = path === '/big' ? 'x'.repeat(3000) : `answer ${n} for ${path}`;
        const extra: Record<string, string> = {
          '/private': 'Cache-Control: private\r\n',
          '/cookie': 'Cache-Control: max-age=30, no-cache="set-cookie"\r\nSet-Cookie: a=b\r\n',
          '/bare': '',
          '/vary': 'Cache-Control: max-age=30\r\nVary: accept-encoding\r\n',
          '/aged': 'Cache-Control: max-age=30\r\nAge: 12\r\n',
          '/too-old': 'Cache-Control: max-age=10\r\nAge: 12\r\n',
          '/expired': 'Expires: Thu, 01 Jan 2015 00:00:00 GMT\r\n',
          '/public': 'Cache-Control: public\r\nETag: "p"\r\n',
        };
        const cc = extra[path!] ?? 'Cache-Control: max-age=30\r\nLast-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\nETag: "e1"\r\n';
        const status = path === '/404' ? '404 Not Found' : '200 OK';
        sock.write(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\n${cc}Content-Length: ${body.length}\r\n\r\n${method === 'HEAD' ? '' : body}`);
      }
    });
  });
}

const CONFIG = (port: number) => `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 2s
cache small
    total-max-size 1
    max-object-size 2048
    max-age 60
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request cache-use small
    http-response cache-store small
    http-response set-header X-Hit %[res.cache_hit]/%[res.cache_name]
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

const get = (path: string, headers = '', method = 'GET', version = '1.1') => `${method} ${path} HTTP/${version}\r\nHost: x\r\n${headers}\r\n`;

const CASES: { name: string; send: string }[] = [
  { name: 'a first GET goes to the server and is stored', send: get('/a') },
  { name: 'the same GET is answered from the cache, with Age', send: get('/a') },
  { name: 'a matching If-None-Match gets a 304 with the stored head', send: get('/a', 'If-None-Match: "e1"\r\n') },
  { name: 'If-None-Match: * matches any stored answer', send: get('/a', 'If-None-Match: *\r\n') },
  { name: 'another ETag gets the stored 200', send: get('/a', 'If-None-Match: "zz"\r\n') },
  { name: 'If-Modified-Since at the stored date gets a 304', send: get('/a', 'If-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT\r\n') },
  { name: 'If-Modified-Since before the stored date gets the 200', send: get('/a', 'If-Modified-Since: Wed, 31 Dec 2025 00:00:00 GMT\r\n') },
  { name: 'a HEAD hit gets the stored head alone', send: get('/a', '', 'HEAD') },
  { name: 'Authorization keeps a request away from the cache', send: get('/a', 'Authorization: Basic eDp5\r\n') },
  { name: 'Cache-Control no-cache on the request asks the server', send: get('/a', 'Cache-Control: no-cache\r\n') },
  { name: 'Pragma no-cache without Cache-Control asks the server', send: get('/a', 'Pragma: no-cache\r\n') },
  { name: 'an HTTP/1.0 request asks the server', send: get('/a', '', 'GET', '1.0') },
  { name: 'a private response is not stored (1)', send: get('/private') },
  { name: 'a private response is not stored (2)', send: get('/private') },
  { name: 'no-cache="set-cookie" is not stored (1)', send: get('/cookie') },
  { name: 'no-cache="set-cookie" is not stored (2)', send: get('/cookie') },
  { name: 'neither freshness nor validator: not stored (1)', send: get('/bare') },
  { name: 'neither freshness nor validator: not stored (2)', send: get('/bare') },
  { name: 'Vary without process-vary: not stored (1)', send: get('/vary') },
  { name: 'Vary without process-vary: not stored (2)', send: get('/vary') },
  { name: 'a 404 is not stored (1)', send: get('/404') },
  { name: 'a 404 is not stored (2)', send: get('/404') },
  { name: 'an object over max-object-size is not stored (1)', send: get('/big') },
  { name: 'an object over max-object-size is not stored (2)', send: get('/big') },
  { name: "the server's Age is kept and grows (1)", send: get('/aged') },
  { name: "the server's Age is kept and grows (2)", send: get('/aged') },
  { name: 'an Age over max-age is not stored (1)', send: get('/too-old') },
  { name: 'an Age over max-age is not stored (2)', send: get('/too-old') },
  { name: 'an Expires in the past stores nothing usable (1)', send: get('/expired') },
  { name: 'an Expires in the past stores nothing usable (2)', send: get('/expired') },
  { name: 'Cache-Control public is stored (1)', send: get('/public') },
  { name: 'Cache-Control public is stored (2)', send: get('/public') },
  { name: 'a successful POST invalidates the stored object', send: get('/a', 'Content-Length: 0\r\n', 'POST') },
  { name: 'after the POST the GET asks the server again', send: get('/a') },
  { name: 'and the next GET is a hit again', send: get('/a') },
];

interface Seen {
  readonly bytes: string;
  readonly logs: string[];
}

// Dates and exact ages vary between runs; whether Age is small or carries the server's 12 does not.
const normalize = (s: string) =>
  s.replace(/^date: .*\r\n/gim, '').replace(/^age: (\d+)\r\n/gim, (_m, n: string) => `age: ${Number(n) >= 12 ? '12+' : 'small'}\r\n`);

async function play(p: { ports: readonly number[]; logs: string[] }): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>();
  for (const c of CASES) {
    const before = p.logs.length;
    const bytes = normalize(await exchange(p.ports[0]!, c.send, 300));
    await settle();
    out.set(c.name, { bytes, logs: p.logs.slice(before).filter((l) => l.startsWith('127.')).map(normalizeLog) });
  }
  return out;
}

describe.skipIf(!hasHaproxy)('the cache does what real HAProxy 2.6 does', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  const servers: TestServer[] = [];

  beforeAll(async () => {
    const s1 = await startServer();
    servers.push(s1);
    const real = await startHaproxy(CONFIG(s1.port));
    try {
      expected = await play(real);
    } finally {
      await real.stop();
    }
    const s2 = await startServer();
    servers.push(s2);
    const ours = await startEngine(CONFIG(s2.port));
    try {
      got = await play(ours);
    } finally {
      await ours.stop();
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  for (const c of CASES) {
    it(c.name, () => {
      expect(got.get(c.name)?.bytes).toBe(expected.get(c.name)?.bytes);
      expect(got.get(c.name)?.logs).toEqual(expected.get(c.name)?.logs);
    });
  }

  it('compares hits and misses that haproxy really made', () => {
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('answer 1 for /a');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('x-hit: 1/small');
    expect(expected.get(CASES[2]!.name)!.bytes).toMatch(/^HTTP\/1\.1 304 /);
    expect(expected.get('Authorization keeps a request away from the cache')!.bytes).toContain('x-hit: 0/');
    expect(expected.get('and the next GET is a hit again')!.logs[0]).toContain('fe/<CACHE>');
  });
});
