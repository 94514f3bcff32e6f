// del-header NAME -m str|beg|end|sub|reg against real HAProxy 2.6, on requests and responses: which headers each
// method removes (names compared without case, the regex on the lower-case name), and the methods and arguments
// refused at load, with HAProxy's words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import { exchange, type TestServer } from '../helpers/raw-http.ts';

const NAMES = ['X-Keep', 'x-str', 'X-STR-not', 'x-beg-1', 'X-Beg-2', 'a-end1', 'B-END1', 'x-sub-in', 'subway', 'x-reg1', 'X-Reg2', 'x-regx'];
const RULES = (side: 'request' | 'response') => `
    http-${side} del-header X-Str
    http-${side} del-header x-beg -m beg
    http-${side} del-header END1 -m end
    http-${side} del-header sub -m sub
    http-${side} del-header ^x.reg[0-9]$ -m reg
    http-${side} del-header ^X -m reg
`;
const CONFIG = (srv: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
${RULES('request')}${RULES('response')}
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const REQUEST = `GET / HTTP/1.1\r\nHost: x\r\n${NAMES.map((n) => `${n}: v\r\n`).join('')}Connection: close\r\n\r\n`;

// header names of a head, lower-cased, in order (the Host/Connection/Content-Length framing ones dropped)
const names = (head: string): string[] =>
  head.split('\r\n').slice(1).map((l) => l.split(':')[0]!.toLowerCase()).filter((n) => n !== '' && !['host', 'connection', 'content-length'].includes(n));

describe.skipIf(!hasHaproxy)('del-header -m removes the headers HAProxy 2.6 removes', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startHeadEcho(() => NAMES.map((n) => `${n}: r\r\n`).join(''));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('removes the same request and response headers for each method', async () => {
    const seen: { forwarded: string[]; answered: string[] }[] = [];
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(CONFIG(srv.port));
      try {
        const answer = await exchange(h.port, REQUEST);
        const [head, body] = [answer.slice(0, answer.indexOf('\r\n\r\n')), answer.slice(answer.indexOf('\r\n\r\n') + 4)];
        seen.push({ forwarded: names(body), answered: names(head) });
      } finally {
        await h.stop();
      }
    }
    expect(seen[0]!.forwarded).toEqual(['x-keep', 'x-str-not', 'x-regx']);
    expect(seen[0]!.answered).toEqual(seen[0]!.forwarded);
    expect(seen[1]).toEqual(seen[0]);
  });

  it('refuses a missing, unknown or unusable method and a bad regex with the same alert', () => {
    for (const rule of ['del-header x -m', 'del-header x -m found', 'del-header x -m regm', 'del-header ( -m reg']) {
      const { haproxy, engine } = checkBoth(CONFIG(1).replace('{{port}}', '8080').replace('http-request del-header X-Str', `http-request ${rule}`));
      expect(haproxy.accepted, rule).toBe(false);
      expect(engine.alerts, rule).toEqual(haproxy.alerts);
    }
  });
});
