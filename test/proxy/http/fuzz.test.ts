// Property test of the request path: whatever bytes a client sends, the engine does not crash, leaks no
// session, forwards nothing for a request it rejects, and keeps serving well-formed requests afterwards.
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { startEngine, type EngineHandle } from '../../helpers/engine.ts';

function send(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    const timer = setTimeout(() => sock.destroy(), 600);
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.on('error', () => {});
    sock.on('connect', () => sock.end(bytes));
  });
}

const token = fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,8}$/);
const junk = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1'));
const line = fc.oneof(
  fc.tuple(token, fc.constantFrom(': ', ':', ' : ', ':\t'), fc.oneof(fc.string({ maxLength: 20 }), junk)).map(([n, s, v]) => `${n}${s}${v}`),
  fc.constantFrom('Content-Length: 5', 'Content-Length: -1', 'Content-Length: 3, 4', 'Transfer-Encoding: chunked',
    'Transfer-Encoding: gzip', 'Connection: close', 'Host: x', ' folded', 'Expect: 100-continue'),
  junk,
);
const request = fc
  .tuple(
    fc.oneof(token, fc.constantFrom('GET', 'POST', 'HEAD', 'G T', '')),
    fc.oneof(fc.constantFrom('/', '/a?b=c', '*', 'http://h/p', '/%00', '/ x', ''), junk),
    fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.', 'http/1.1', ''),
    fc.array(line, { maxLength: 6 }),
    fc.constantFrom('\r\n', '\n', '\r'),
    fc.oneof(fc.constant(''), junk, fc.constant('5\r\nhello\r\n0\r\n\r\n')),
  )
  .map(([m, u, v, hs, eol, body]) => Buffer.from(`${m} ${u} ${v}${eol}${hs.join(eol)}${eol}${eol}${body}`, 'latin1'));

describe('the request path under arbitrary bytes', () => {
  let backends: NamedBackends;
  let proxy: EngineHandle;

  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
    proxy = await startEngine(`
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    timeout http-request 300ms
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:${backends.servers[0]!.port}
`);
  });
  afterAll(async () => {
    await proxy?.stop();
    await backends?.close();
  });

  it('never crashes, forwards nothing it rejects, and leaks no session', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        const before = backends.log.length;
        const answer = await send(proxy.port, bytes);
        if (answer.startsWith('HTTP/1.1 400')) expect(backends.log.length).toBe(before);
      }),
      { numRuns: 150 },
    );
    // the engine still serves, and every session it opened has closed
    expect((await ask(proxy.port, '/')).body).toBe('app1');
    for (let i = 0; i < 40 && proxy.engine.snapshot().frontends[0]!.current > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(proxy.engine.snapshot().frontends[0]!.current).toBe(0);
  }, 120_000);
});
