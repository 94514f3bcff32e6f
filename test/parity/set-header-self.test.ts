// set-header whose value reads the header it replaces, against real HAProxy 2.6: the value is built before the old
// header goes (http_action_set_header), on requests, responses and after-response alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import { exchange, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (srv: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request set-header x-acc "%[req.fhdr(x-acc)] one"
    http-request set-header x-acc "%[req.fhdr(x-acc)] two"
    http-response set-header x-res "%[res.fhdr(x-res)]+r"
    http-after-response set-header x-res "%[res.fhdr(x-res)]+a"
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nx-acc: zero\r\nConnection: close\r\n\r\n';

describe.skipIf(!hasHaproxy)('set-header reads the header it replaces, as in HAProxy 2.6', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startHeadEcho(() => 'x-res: s\r\n');
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('builds each value from the header before the rule removed it', async () => {
    const seen: { forwarded?: string; answered?: string }[] = [];
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(CONFIG(srv.port));
      try {
        const answer = await exchange(h.port, GET);
        seen.push({ forwarded: /\r\nx-acc: ([^\r]*)\r\n/.exec(answer)?.[1], answered: /\r\nx-res: ([^\r]*)\r\n/.exec(answer)?.[1] });
      } finally {
        await h.stop();
      }
    }
    expect(seen[0]).toEqual({ forwarded: 'zero one two', answered: 's+r+a' });
    expect(seen[1]).toEqual(seen[0]);
  });
});
