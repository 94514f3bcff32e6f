// option http-restrict-req-hdr-names against real HAProxy 2.6: `delete` removes the request headers whose name has
// a character outside [0-9A-Za-z-] (and nothing else, neighbours included), `reject` answers 403 and logs it as
// a deny, `preserve` in a proxy undoes a defaults' delete; bad parameters are refused with HAProxy's words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import { exchange, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (srv: number) => `
global
    log stdout format raw local0
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    option http-restrict-req-hdr-names delete
frontend fe
    bind 127.0.0.1:{{port}}
    log-format "%ST %tsc %b"
    option http-restrict-req-hdr-names preserve
    use_backend del if { path /del }
    use_backend rej if { path /rej }
    default_backend keep
backend del
    server s1 127.0.0.1:${srv}
backend rej
    option http-restrict-req-hdr-names reject
    server s1 127.0.0.1:${srv}
backend keep
    option http-restrict-req-hdr-names preserve
    server s1 127.0.0.1:${srv}
`;

const HEADERS = ['x-ok: 1', 'x_under: 2', 'x-after: 3', 'x.dot_two: 4', 'x-next: 5', 'x~tilde: 6', 'X-Last-9: 7'];
const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${HEADERS.map((h) => h + '\r\n').join('')}Connection: close\r\n\r\n`;

const forwardedNames = (answer: string): string[] => {
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return body.split('\r\n').slice(1).map((l) => l.split(':')[0]!.toLowerCase()).filter((n) => n.startsWith('x'));
};

describe.skipIf(!hasHaproxy)('option http-restrict-req-hdr-names acts as in HAProxy 2.6', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startHeadEcho();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('deletes, rejects or keeps the same headers, with the same status and log', async () => {
    const seen: { names: Record<string, string[]>; status: Record<string, string>; logs: string[] }[] = [];
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(CONFIG(srv.port));
      try {
        const names: Record<string, string[]> = {};
        const status: Record<string, string> = {};
        for (const path of ['/del', '/rej', '/keep']) {
          const answer = await exchange(h.port, request(path));
          status[path] = answer.split('\r\n')[0]!;
          names[path] = forwardedNames(answer);
        }
        await new Promise((r) => setTimeout(r, 200));
        seen.push({ names, status, logs: h.logs.filter((l) => /^\d{3} /.test(l)) });
      } finally {
        await h.stop();
      }
    }
    const all = HEADERS.map((h) => h.split(':')[0]!.toLowerCase());
    expect(seen[0]!.status).toEqual({ '/del': 'HTTP/1.1 200 OK', '/rej': 'HTTP/1.1 403 Forbidden', '/keep': 'HTTP/1.1 200 OK' });
    expect(seen[0]!.names['/keep']).toEqual(all);
    expect(seen[0]!.logs).toEqual(['200 ---- del', '403 PR-- rej', '200 ---- keep']);
    expect(seen[1]!.status).toEqual(seen[0]!.status);
    expect(seen[1]!.names['/del']).toEqual(seen[0]!.names['/del']);
    expect(seen[1]!.names['/keep']).toEqual(seen[0]!.names['/keep']);
    expect(seen[1]!.logs).toEqual(seen[0]!.logs);
  });

  it('refuses a missing or unknown parameter with the same alert', () => {
    for (const arg of ['', 'drop']) {
      const { haproxy, engine } = checkBoth(CONFIG(1).replace('{{port}}', '8080').replace('names preserve\n    use_backend', `names ${arg}\n    use_backend`));
      expect(haproxy.accepted, arg).toBe(false);
      expect(engine.alerts, arg).toEqual(haproxy.alerts);
    }
  });
});
