// HTTP/2 from clients against real HAProxy 2.6: ALPN h2 on a TLS bind and the prior-knowledge preface on a
// clear-text one give the server the same HTTP/1.1 request, the client the same answer, the log the same line.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { hasOpenssl, makeCerts, type TestCerts } from '../helpers/certs.ts';
import { normalizeLog, settle, TRAFFIC_LINE } from '../helpers/raw-http.ts';

const run = promisify(execFile);

describe.skipIf(!hasHaproxy || !hasOpenssl)('HTTP/2 on the client side, as HAProxy 2.6 serves it', () => {
  let certs: TestCerts;
  let server: Server;
  let port = 0;
  const socks = new Set<Socket>();

  beforeAll(async () => {
    certs = makeCerts({ 'h2.example': {} });
    // the server shows what it received: HTTP version, method, target, headers, body
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.setHeader('x-seen', `${req.httpVersion} ${req.method} ${req.url}`);
        res.end(`${JSON.stringify(req.rawHeaders)}\nbody=${body}\n`);
      });
    });
    server.on('connection', (s: Socket) => {
      socks.add(s);
      s.on('close', () => socks.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of socks) s.destroy();
    await new Promise((r) => server?.close(r));
    certs?.cleanup();
  });

  const config = () => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port0}} ssl crt ${certs.pem['h2.example']} alpn h2,http/1.1
    bind 127.0.0.1:{{port1}}
    http-request set-header x-proto "%[ssl_fc] %[ssl_fc_alpn]"
    http-request deny deny_status 403 if { path /denied }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

  // curl's view: HTTP version, status, the x-seen header and the body.
  const curl = async (args: string[]): Promise<string> => {
    const { stdout } = await run('curl', ['-s', '-D', '-', '-w', 'version=%{http_version}', ...args]);
    return stdout.replace(/^date: .*\r\n/im, '');
  };

  it('gives HTTP/2 clients the same answers and logs them with HTTP/2.0, over TLS and on clear text', async () => {
    const play = async (ports: readonly number[], logs: string[]) => {
      const from = logs.length;
      const tlsArgs = ['--http2', '--cacert', certs.caFile, '--resolve', `h2.example:${ports[0]}:127.0.0.1`];
      const answers = [
        await curl([...tlsArgs, `https://h2.example:${ports[0]}/a?x=1`]),
        await curl([...tlsArgs, '-d', 'name=value', `https://h2.example:${ports[0]}/form`]),
        await curl([...tlsArgs, `https://h2.example:${ports[0]}/denied`]),
        await curl(['--http2-prior-knowledge', `http://127.0.0.1:${ports[1]}/plain`]),
        await curl(['--http2-prior-knowledge', '-H', 'x-extra: 1', '-X', 'PUT', '-d', 'abc', `http://127.0.0.1:${ports[1]}/put`]),
        await curl(['--http1.1', '--cacert', certs.caFile, '--resolve', `h2.example:${ports[0]}:127.0.0.1`, `https://h2.example:${ports[0]}/h1`]),
      ];
      await settle();
      return { answers, logs: logs.slice(from).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog) };
    };
    const real = await startHaproxy(config(), { ports: 2 });
    let expected;
    try {
      expected = await play(real.ports, real.logs);
    } finally {
      await real.stop();
    }
    const ours = await startEngine(config(), { ports: 2 });
    let got;
    try {
      got = await play(ours.ports, ours.logs);
    } finally {
      await ours.stop();
    }
    expect(got.answers.map((a) => a.replace(/:\d{4,5}\b/g, ':PORT'))).toEqual(expected.answers.map((a) => a.replace(/:\d{4,5}\b/g, ':PORT')));
    expect(got.logs.map((l) => l.replace(/:\d{4,5}\//g, ':PORT/'))).toEqual(expected.logs.map((l) => l.replace(/:\d{4,5}\//g, ':PORT/')));
    expect(got.answers[0]).toMatch(/^HTTP\/2 200/);
    expect(got.answers[0]).toContain('x-seen: 1.1 GET /a?x=1');
    expect(got.logs[0]).toMatch(/ fe~ be\/s1 .* "GET https:\/\/h2\.example:\d+\/a\?x=1 HTTP\/2\.0"$/);
    expect(got.logs[3]).toMatch(/ fe be\/s1 .* "GET http:\/\/127\.0\.0\.1:\d+\/plain HTTP\/2\.0"$/);
  });
});
