// "server ... proto h2" against real HAProxy 2.6: HTTP/2 to a node:http2 server on 127.0.0.1, in clear text with
// prior knowledge and over TLS with `alpn h2`. The server sees the same streams (pseudo-headers and headers, body),
// the HTTP/1.1 client the same answers (framing included), the log the same lines, and the server the same count
// of HTTP/2 connections for keep-alive requests.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { exchange, normalize, normalizeLog, settle, TRAFFIC_LINE } from '../helpers/raw-http.ts';

interface H2Server {
  readonly port: number;
  /** What each stream carried, in arrival order: its headers (as received, in order) and body. */
  readonly seen: string[];
  sessions: number;
  close(): Promise<void>;
}

// Answers by path: a fixed body with a length, one without (DATA frames only), an echo of the request body,
// several Set-Cookie headers, a 204, a 404, and a stream reset before any answer.
function handler(seen: string[]): (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) => void {
  return (stream, _headers, _flags, raw) => {
    const pairs: string[] = [];
    for (let i = 0; i < raw.length; i += 2) pairs.push(`${raw[i]}: ${raw[i + 1]}`);
    let body = '';
    stream.on('error', () => undefined);
    stream.on('data', (d: Buffer) => (body += d.toString('latin1')));
    stream.on('end', () => {
      seen.push(`${pairs.join(' | ')} || body=${body}`);
      const path = String(_headers[':path']);
      if (_headers[':method'] === 'HEAD') stream.respond({ ':status': 200, 'content-length': 5 }, { endStream: true });
      else if (path === '/len') stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': 5 }), stream.end('hello');
      else if (path === '/nolen') {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        stream.write('part1-');
        setTimeout(() => stream.end('part2'), 20);
      } else if (path === '/echo') stream.respond({ ':status': 201, 'x-len': String(body.length) }), stream.end(body);
      else if (path === '/cookies') stream.respond({ ':status': 200, 'set-cookie': ['a=1', 'b=2'], 'content-length': 0 }), stream.end();
      else if (path === '/empty') stream.respond({ ':status': 204 }), stream.end();
      else if (path === '/reset') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      else stream.respond({ ':status': 404, 'content-length': 3 }), stream.end('no\n');
    });
  };
}

async function startH2(certs?: TestCerts): Promise<H2Server> {
  const seen: string[] = [];
  const server = certs
    ? http2.createSecureServer({ cert: readFileSync(certs.crt['h2.example']!), key: readFileSync(certs.key['h2.example']!), ALPNProtocols: ['h2'] })
    : http2.createServer();
  const socks = new Set<Socket>();
  const h: H2Server = {
    port: 0,
    seen,
    sessions: 0,
    close: async () => {
      for (const s of socks) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('session', () => h.sessions++);
  server.on('connection', (s: Socket) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
  });
  server.on('stream', handler(seen));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (h as { port: number }).port = (server.address() as AddressInfo).port;
  return h;
}

const CONFIG = (port: number, tls: string) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:${port} proto h2${tls}
`;

const req = (method: string, path: string, extra = '', body = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: app.test\r\nUser-Agent: t\r\nTE: trailers, deflate\r\nX-Multi: 1\r\nX-Multi: 2\r\n${extra}${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`;

const STEPS: { name: string; send: string }[] = [
  { name: 'a response with a length', send: req('GET', '/len') },
  { name: 'a response without a length: chunked to the HTTP/1.1 client', send: req('GET', '/nolen') },
  { name: 'a request body with a length', send: req('POST', '/echo', 'Content-Type: text/plain\r\n', 'name=value') },
  { name: 'a chunked request body', send: `POST /echo HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n` },
  { name: 'two Set-Cookie headers', send: req('GET', '/cookies') },
  { name: 'a 204', send: req('GET', '/empty') },
  { name: 'HEAD', send: req('HEAD', '/len') },
  { name: 'a 404', send: req('GET', '/missing?q=1') },
  { name: 'an absolute URI', send: `GET http://abs.test:8080/len HTTP/1.1\r\nHost: abs.test:8080\r\n\r\n` },
  { name: 'a stream reset before the answer', send: req('GET', '/reset') },
  { name: 'three requests on one client connection', send: req('GET', '/len') + req('GET', '/len') + req('GET', '/missing') },
];

interface Result {
  answers: string[];
  seen: string[];
  logs: string[];
  sessions: number;
}

async function play(proxy: { port: number; logs: string[] }, srv: H2Server): Promise<Result> {
  const answers: string[] = [];
  for (const step of STEPS) answers.push(normalize(await exchange(proxy.port, step.send, 400)));
  await settle();
  const logs = proxy.logs.filter((l) => TRAFFIC_LINE.test(l)).map((l) => normalizeLog(l));
  return { answers, seen: [...srv.seen], logs, sessions: srv.sessions };
}

async function both(certs?: TestCerts): Promise<{ expected: Result; got: Result }> {
  const tlsArgs = certs ? ' ssl verify none alpn h2' : '';
  let srv = await startH2(certs);
  let expected: Result;
  try {
    const h = await startHaproxy(CONFIG(srv.port, tlsArgs));
    try {
      expected = await play(h, srv);
    } finally {
      await h.stop();
    }
  } finally {
    await srv.close();
  }
  srv = await startH2(certs);
  let got: Result;
  try {
    const e = await startEngine(CONFIG(srv.port, tlsArgs));
    try {
      got = await play(e, srv);
    } finally {
      await e.stop();
    }
  } finally {
    await srv.close();
  }
  return { expected, got };
}

function compare({ expected, got }: { expected: Result; got: Result }): void {
  STEPS.forEach((step, i) => expect(got.answers[i], step.name).toBe(expected.answers[i]));
  expect(got.seen).toEqual(expected.seen);
  expect(got.logs).toEqual(expected.logs);
  expect(got.sessions).toBe(expected.sessions);
}

describe.skipIf(!hasHaproxy)('HTTP/2 to servers (proto h2), as HAProxy 2.6 speaks it', () => {
  let certs: TestCerts | undefined;
  beforeAll(() => {
    if (hasOpenssl) certs = makeCerts({ 'h2.example': {} });
  });
  afterAll(() => certs?.cleanup());

  it('in clear text with prior knowledge: the same streams, answers and log lines', async () => {
    const r = await both();
    compare(r);
    expect(r.got.seen[0]).toContain(':scheme: https');
    expect(r.got.answers[1]).toContain('transfer-encoding: chunked');
  }, 60_000);

  it.skipIf(!hasOpenssl)('over TLS with alpn h2: the same streams, answers and log lines', async () => {
    compare(await both(certs));
  }, 60_000);

  const CHECKS: Record<string, string> = {
    'proto without a value is refused': 'proto',
    'an unknown multiplexer is refused': 'proto h3',
    'proto none does not fit an HTTP backend': 'proto none',
    'proto h1 is accepted': 'proto h1',
  };
  for (const [name, words] of Object.entries(CHECKS)) {
    it(`haproxy -c agrees: ${name}`, () => {
      const text = CONFIG(1, '').replace('{{port}}', '2').replace(' proto h2', ` ${words}`);
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
    });
  }

  it('haproxy -c agrees: proto h2 does not fit a mode tcp backend', () => {
    const text = CONFIG(1, '').replace('{{port}}', '2').replace('option httplog', 'option tcplog').replace('    mode http', '    mode tcp');
    const { haproxy, engine } = checkBoth(text);
    expect(engine.accepted).toBe(haproxy.accepted);
    expect(engine.alerts).toEqual(haproxy.alerts);
    expect(haproxy.alerts.some((a) => a.includes("MUX protocol 'h2' is not usable"))).toBe(true);
  });
});
