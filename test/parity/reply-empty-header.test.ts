// An http-request return's `hdr NAME FMT` against real HAProxy 2.6: a header whose format prints nothing is left
// out of the reply (http_reply_to_htx adds only non-empty values), one that prints something is sent, byte for byte.
import { describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, normalize } from '../helpers/raw-http.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request return status 200 content-type text/plain lf-string "ok" hdr x-a "%[req.hdr(x-in)]" hdr x-b "b" hdr x-c "%[req.hdr(x-none)]"
`;

const GET = (extra: string) => `GET / HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`;

describe.skipIf(!hasHaproxy)('reply headers that print nothing are left out, as in HAProxy 2.6', () => {
  it('sends the same reply bytes with and without the header the format reads', async () => {
    const answers: string[][] = [];
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(CONFIG);
      try {
        answers.push([normalize(await exchange(h.port, GET(''))), normalize(await exchange(h.port, GET('x-in: yes\r\n')))]);
      } finally {
        await h.stop();
      }
    }
    expect(answers[0]![0]).not.toMatch(/x-a:|x-c:/);
    expect(answers[0]![1]).toMatch(/\r\nx-a: yes\r\n/);
    expect(answers[1]).toEqual(answers[0]);
  });
});
