// http-request set-timeout server|tunnel against real HAProxy 2.6: a fixed time or an expression, in a listen
// section or a backend; cur_server_timeout / cur_tunnel_timeout show the stream's value (0 before a server
// connection when nothing set it, the backend's after); and the arguments HAProxy refuses, with its words.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { checkBoth } from '../helpers/config-check.ts';

const LOG = '%ci:%cp [%tr] %ST timeout: %[be_server_timeout] %[cur_server_timeout] %[cur_tunnel_timeout]';
const CONFIG = `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen plain
    bind 127.0.0.1:{{port0}}
    log-format "${LOG}"
    http-request return status 200 content-type text/plain lf-string "srv=%[cur_server_timeout] tun=%[cur_tunnel_timeout]|" if { path /r }
    server s 127.0.0.1:{{port3}}
listen fixed
    bind 127.0.0.1:{{port1}}
    log-format "${LOG}"
    http-request set-timeout server 2s
    http-request set-timeout tunnel 1m if { path /t }
    http-request return status 200 content-type text/plain lf-string "srv=%[cur_server_timeout] tun=%[cur_tunnel_timeout]|" if { path /r }
    server s 127.0.0.1:{{port3}}
frontend fe
    bind 127.0.0.1:{{port2}}
    log-format "${LOG}"
    default_backend be
backend be
    timeout tunnel 30s
    http-request set-timeout server int(3),mul(1000)
    http-request set-timeout tunnel req.hdr(x-tunnel) if { req.hdr(x-tunnel) -m found }
    http-request return status 200 content-type text/plain lf-string "srv=%[cur_server_timeout] tun=%[cur_tunnel_timeout]|" if { path /r }
    server s 127.0.0.1:{{port3}}
frontend app
    bind 127.0.0.1:{{port3}}
    no log
    http-request return status 200 content-type text/plain string ok
`;

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`;
const CASES: RawCase[] = [
  { name: 'without set-timeout the stream takes the backend server timeout once connected', send: get('/'), port: 0 },
  { name: 'before any server connection nothing is set yet', send: get('/r'), port: 0 },
  { name: 'a fixed set-timeout server is the stream timeout before and after the connection', send: get('/r'), port: 1 },
  { name: 'a fixed set-timeout shows in the log line', send: get('/'), port: 1 },
  { name: 'a conditional set-timeout tunnel applies when its condition holds', send: get('/t'), port: 1 },
  { name: 'a backend sets the server timeout from an expression', send: get('/r'), port: 2 },
  { name: 'an expression giving the tunnel timeout from a header', send: get('/r', 'X-Tunnel: 7000\r\n'), port: 2 },
  { name: 'the backend tunnel timeout is taken once connected', send: get('/'), port: 2 },
];

describe.skipIf(!hasHaproxy)('http-request set-timeout does what real HAProxy 2.6 does', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(CONFIG, CASES, 4));
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the values it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('srv=0 tun=0|');
    expect(expected.get(CASES[2]!.name)!.bytes).toContain('srv=2000 tun=0|');
    expect(expected.get(CASES[0]!.name)!.logs.join('\n')).toContain('timeout: 5000 5000 0');
    expect(expected.get(CASES[6]!.name)!.bytes).toContain('srv=3000 tun=7000|');
  });
});

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';
const LISTEN = (rule: string): string => `${HEAD}listen li\n    bind 127.0.0.1:18941\n    http-request ${rule}\n    server s 127.0.0.1:18942\n`;
const REFUSED: Record<string, string> = {
  'a missing value': LISTEN('set-timeout server'),
  'a timeout name other than server or tunnel': LISTEN('set-timeout client 5s'),
  'a null timeout': LISTEN('set-timeout server 0'),
  'a timeout past 2^31 ms': LISTEN('set-timeout tunnel 3000000000'),
  'a value that is neither a time nor an expression': LISTEN('set-timeout server 5x'),
  'a broken expression': LISTEN('set-timeout server nosuch(1)'),
  'a frontend, which has no backend side': `${HEAD}frontend fe\n    bind 127.0.0.1:18941\n    http-request set-timeout server 5s\n`,
};

describe.skipIf(!hasHaproxy)('set-timeout arguments HAProxy refuses are refused with its words', () => {
  for (const [name, text] of Object.entries(REFUSED)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(haproxy.accepted).toBe(false);
      expect(engine.alerts).toEqual(haproxy.alerts);
    });
  }
});
