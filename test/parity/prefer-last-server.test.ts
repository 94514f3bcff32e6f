// option prefer-last-server against real HAProxy 2.6: a keep-alive client's next request goes back to the server
// that holds its connection, when that connection stays the client's own (http-reuse never); under http-reuse
// safe the server connection goes to the shared idle pool after each response, so the balancer decides as usual.
// Hash balancing ignores the option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// A keep-alive server that names itself in every answer.
function named(name: string): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${name};`);
      }
    });
  });
}

const CONFIG = (a: number, b: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    timeout http-keep-alive 2s
${[['never_pref', 'never', true], ['safe_pref', 'safe', true], ['never_plain', 'never', false], ['hash_pref', 'never', true]]
  .map(([name, reuse, pref], i) => `listen ${name}
    bind 127.0.0.1:{{port${i}}}
    http-reuse ${reuse}
${pref ? '    option prefer-last-server\n' : ''}${name === 'hash_pref' ? '    balance uri\n' : ''}    server a 127.0.0.1:${a}
    server b 127.0.0.1:${b}
`).join('')}`;

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
const FOUR = GET('/1') + GET('/2') + GET('/3') + GET('/4');

const CASES: RawCase[] = [
  { name: 'http-reuse never: every request of the connection goes to its first server', send: FOUR },
  { name: 'http-reuse never: the next connection is balanced again', send: FOUR },
  { name: 'http-reuse safe: the balancer still decides each request', send: FOUR, port: 1 },
  { name: 'without the option each request is balanced', send: FOUR, port: 2 },
  { name: 'balance uri ignores the option', send: FOUR, port: 3 },
];

describe.skipIf(!hasHaproxy)('option prefer-last-server as in real HAProxy 2.6', () => {
  let a: TestServer;
  let b: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    a = await named('a');
    b = await named('b');
    ({ expected, got } = await playThroughBoth(CONFIG(a.port, b.port), CASES, 4));
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('saw what the cases are about', () => {
    const order = (i: number) => [...expected.get(CASES[i]!.name)!.bytes.matchAll(/\r\n\r\n(\w);/g)].map((m) => m[1]).join('');
    expect([0, 1, 2, 3, 4].map(order)).toEqual(['aaaa', 'bbbb', 'abab', 'abab', 'abab']);
  });
});
