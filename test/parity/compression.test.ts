// `compression` against real HAProxy 2.6 (Debian's build compresses with libslz, so compressed bytes differ
// from node:zlib's): for each request, the same head to the client (Content-Encoding, Content-Length removed,
// Transfer-Encoding, weak ETag, Vary), the same framing and encoding, the same decompressed body, the same
// Accept-Encoding reaching the server, and the same log line (res.comp / res.comp_algo in it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, serveOnLoopback, settle, type TestServer } from '../helpers/raw-http.ts';
import { decodeResponse, type DecodedResponse } from '../helpers/decoded-response.ts';

const HTML = '<html>' + 'compress me please, '.repeat(40) + '</html>';
const BIG = Array.from({ length: 6000 }, (_, i) => `line ${i} of a long text body\n`).join('');

// What the server answers for a path; every answer says which Accept-Encoding reached it.
function answer(path: string, ae: string): string {
  const seen = `X-Got-AE: ${ae}\r\n`;
  const len = (body: string, extra = '', status = '200 OK', type = 'text/html') =>
    `HTTP/1.1 ${status}\r\n${type ? `Content-Type: ${type}\r\n` : ''}${extra}${seen}Content-Length: ${body.length}\r\n\r\n${body}`;
  switch (path) {
    case '/chunked':
      return `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n${seen}Transfer-Encoding: chunked\r\n\r\n10\r\n${HTML.slice(0, 16)}\r\n${(HTML.length - 16).toString(16)}\r\n${HTML.slice(16)}\r\n0\r\n\r\n`;
    case '/chunked-trailers':
      return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n${seen}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 5\r\n\r\n`;
    case '/big':
      return len(BIG, '', '200 OK', 'text/plain; charset=utf-8');
    case '/json':
      return len('{"a":"' + 'x'.repeat(300) + '"}', '', '200 OK', 'application/json');
    case '/multipart':
      return len(HTML, '', '200 OK', 'multipart/mixed; boundary=x');
    case '/notype':
      return len(HTML, '', '200 OK', '');
    case '/encoded':
      return len(HTML, 'Content-Encoding: br\r\n');
    case '/no-transform':
      return len(HTML, 'Cache-Control: public, no-transform\r\n');
    case '/etag':
      return len(HTML, 'ETag: "v1"\r\n');
    case '/weak-etag':
      return len(HTML, 'ETag: W/"v1"\r\n');
    case '/bad-etag':
      return len(HTML, 'ETag: v1\r\n');
    case '/two-etags':
      return len(HTML, 'ETag: "a"\r\nETag: "b"\r\n');
    case '/404':
      return len(HTML, '', '404 Not Found');
    case '/201':
      return len(HTML, '', '201 Created');
    case '/204':
      return `HTTP/1.1 204 No Content\r\n${seen}\r\n`;
    case '/empty':
      return len('');
    case '/old':
      return `HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n${seen}Content-Length: ${HTML.length}\r\n\r\n${HTML}`;
    case '/close':
      return `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n${seen}Connection: close\r\n\r\n${HTML}`;
    default:
      return len(HTML);
  }
}

function startServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        const ae = head.split('\r\n').filter((l) => /^accept-encoding:/i.test(l)).map((l) => l.slice(16).trim()).join(' | ') || '-';
        const out = answer(path, ae);
        if (path === '/close' || path === '/old') sock.end(out);
        else sock.write(out);
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
    log-format "%ci %HM %HU %ST comp=%[res.comp] algo=%[res.comp_algo] %b"
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    compression algo gzip deflate
    compression type text/html text/plain
    http-response set-header X-Rule-Sees %[res.comp]/%[res.comp_algo]
    use_backend offload if { path_beg /offload }
    use_backend typed if { path_beg /typed }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
backend offload
    compression algo gzip
    compression offload
    server s1 127.0.0.1:${port}
backend typed
    compression type application/json
    server s1 127.0.0.1:${port}
listen raw
    bind 127.0.0.1:{{port1}}
    compression algo raw-deflate identity
    server s1 127.0.0.1:${port}
`;

interface Case {
  readonly name: string;
  readonly path?: string;
  readonly ae?: string;
  readonly method?: string;
  readonly version?: string;
  readonly headers?: string;
  readonly port?: number;
}

const CASES: Case[] = [
  { name: 'gzip is used when the client accepts it and the type is listed', ae: 'gzip' },
  { name: 'deflate (zlib format) when the client prefers it', ae: 'gzip;q=0.5, deflate;q=0.8' },
  { name: 'a q-value of 0 refuses an encoding', ae: 'gzip;q=0, deflate' },
  { name: 'equal q-values keep the first accepted encoding', ae: 'deflate, gzip' },
  { name: '"*" takes the algorithm written last', ae: '*' },
  { name: 'an encoding the proxy lacks leaves the response alone', ae: 'br' },
  { name: 'several Accept-Encoding headers are read together', headers: 'Accept-Encoding: br\r\nAccept-Encoding: gzip;q=0.3\r\n' },
  { name: 'no Accept-Encoding, no compression' },
  { name: 'an HTTP/1.0 request is never compressed', ae: 'gzip', version: '1.0' },
  { name: 'a HEAD request is never compressed', ae: 'gzip', method: 'HEAD' },
  { name: 'a 404 is not compressed', ae: 'gzip', path: '/404' },
  { name: 'a 201 is compressed', ae: 'gzip', path: '/201' },
  { name: 'a 204 has nothing to compress', ae: 'gzip', path: '/204' },
  { name: 'an empty 200 still gets a compressed (empty) body', ae: 'gzip', path: '/empty' },
  { name: 'an already encoded response is passed on as it is', ae: 'gzip', path: '/encoded' },
  { name: 'Cache-Control no-transform forbids compression', ae: 'gzip', path: '/no-transform' },
  { name: 'a strong ETag becomes weak', ae: 'gzip', path: '/etag' },
  { name: 'a weak ETag stays as it is', ae: 'gzip', path: '/weak-etag' },
  { name: 'a malformed ETag forbids compression', ae: 'gzip', path: '/bad-etag' },
  { name: 'two ETags forbid compression', ae: 'gzip', path: '/two-etags' },
  { name: 'a multipart type is never compressed', ae: 'gzip', path: '/multipart' },
  { name: 'a type outside the list is not compressed', ae: 'gzip', path: '/json' },
  { name: 'no Content-Type with a type list: not compressed', ae: 'gzip', path: '/notype' },
  { name: 'a chunked response is compressed and stays chunked', ae: 'gzip', path: '/chunked' },
  { name: 'a chunked response with trailers keeps them after the compressed body', ae: 'gzip', path: '/chunked-trailers' },
  { name: 'a long body over many reads decompresses whole', ae: 'gzip', path: '/big' },
  { name: 'an HTTP/1.0 response is not compressed', ae: 'gzip', path: '/old' },
  { name: 'a response delimited by the close is not compressed', ae: 'gzip', path: '/close' },
  { name: 'Mozilla/4 user agents are left uncompressed', ae: 'gzip', headers: 'User-Agent: Mozilla/4.0 (compatible; Foo 1.0)\r\n' },
  { name: 'MSIE 6 SP2 is trusted with compression', ae: 'gzip', headers: 'User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)\r\n' },
  { name: 'offload removes Accept-Encoding before the server sees it', ae: 'gzip, br', path: '/offload' },
  { name: 'offload leaves Accept-Encoding when nothing was chosen', ae: 'br', path: '/offload' },
  { name: "the backend's type list wins over the frontend's", ae: 'gzip', path: '/typed/json' },
  { name: "the backend's type list refuses what only the frontend's allows", ae: 'gzip', path: '/typed' },
  { name: 'raw-deflate is announced as deflate', ae: 'deflate', port: 1 },
  { name: 'identity needs no Accept-Encoding, and still rewrites the framing', port: 1, path: '/etag' },
];

function request(c: Case): string {
  const h = `${c.ae !== undefined ? `Accept-Encoding: ${c.ae}\r\n` : ''}${c.headers ?? ''}`;
  return `${c.method ?? 'GET'} ${c.path ?? '/'} HTTP/${c.version ?? '1.1'}\r\nHost: x\r\n${h}Connection: close\r\n\r\n`;
}

interface Seen {
  readonly res: DecodedResponse;
  readonly logs: string[];
}

async function play(p: { ports: readonly number[]; logs: string[] }): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>();
  for (const c of CASES) {
    const before = p.logs.length;
    const raw = await exchange(p.ports[c.port ?? 0]!, request(c), 400);
    await settle();
    out.set(c.name, { res: decodeResponse(raw, c.method === 'HEAD'), logs: p.logs.slice(before).filter((l) => l.startsWith('127.')) });
  }
  return out;
}

describe.skipIf(!hasHaproxy)('compression does what real HAProxy 2.6 does', () => {
  let server: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    server = await startServer();
    const real = await startHaproxy(CONFIG(server.port), { ports: 2 });
    try {
      expected = await play(real);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(CONFIG(server.port), { ports: 2 });
    try {
      got = await play(ours);
    } finally {
      await ours.stop();
    }
  }, 90_000);

  afterAll(async () => {
    await server?.close();
  });

  for (const c of CASES) {
    it(c.name, () => {
      const e = expected.get(c.name)!;
      const g = got.get(c.name)!;
      expect(g.res.head).toBe(e.res.head);
      expect(g.res.wire).toBe(e.res.wire);
      expect(g.res.body).toBe(e.res.body);
      expect(g.res.rest).toBe(e.res.rest);
      expect(g.logs.map((l) => l.replace(/^127\.0\.0\.1/, ''))).toEqual(e.logs.map((l) => l.replace(/^127\.0\.0\.1/, '')));
    });
  }

  it('compares what it claims to (haproxy compressed where the cases say so)', () => {
    expect(expected.get(CASES[0]!.name)!.res.wire).toBe('chunked:gzip');
    expect(expected.get(CASES[0]!.name)!.res.body).toBe(HTML);
    expect(expected.get('deflate (zlib format) when the client prefers it')!.res.wire).toBe('chunked:zlib');
    expect(expected.get('raw-deflate is announced as deflate')!.res.wire).toBe('chunked:raw');
    expect(expected.get('a 404 is not compressed')!.res.wire).toBe('length:plain');
    expect(expected.get('a long body over many reads decompresses whole')!.res.body).toBe(BIG);
  });
});
