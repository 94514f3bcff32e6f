// The uuid and bin fetches against real HAProxy 2.6: a fresh RFC 4122 version-4 UUID on each evaluation, uuid(N)
// for any version but 4 refused; bin(HEX) gives those bytes, and odd or non-hex digits are refused, in HAProxy's words.
import { describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange } from '../helpers/raw-http.ts';

const CONFIG = (arg: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request return status 200 hdr x-id "%[uuid(${arg})] %[uuid]"
`;

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

describe.skipIf(!hasHaproxy)('uuid gives version-4 UUIDs as HAProxy 2.6 does', () => {
  it('gives a new lower-case v4 UUID at each evaluation on both', async () => {
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(CONFIG('4'));
      try {
        const ids = [];
        for (let i = 0; i < 2; i++) {
          const m = new RegExp(`^x-id: (${V4}) (${V4})\\r$`, 'm').exec(await exchange(h.port, GET));
          expect(m).not.toBeNull();
          ids.push(m![1], m![2]);
        }
        expect(new Set(ids).size).toBe(4);
      } finally {
        await h.stop();
      }
    }
  });

  it('bin(HEX) gives the same bytes through hex, ub64enc and length', async () => {
    const config = CONFIG('4').replace('hdr x-id "%[uuid(4)] %[uuid]"', 'hdr x-bin "%[bin(14fb9c03D97f12d97e),hex] %[bin(41420a),ub64enc] %[bin(00ff00),length]"');
    const got: (string | undefined)[] = [];
    for (const start of [startHaproxy, startEngine]) {
      const h = await start(config);
      try {
        got.push(/^x-bin: (.*)\r$/m.exec(await exchange(h.port, GET))?.[1]);
      } finally {
        await h.stop();
      }
    }
    expect(got[0]).toBe('14FB9C03D97F12D97E QUIK 0');
    expect(got[1]).toBe(got[0]);
  });

  it('refuses bin() with an odd count or a non-hex digit with the same alert', () => {
    for (const arg of ['abc', '0g', '']) {
      const { haproxy, engine } = checkBoth(CONFIG('4').replace('{{port}}', '8080').replace('%[uuid]', `%[bin(${arg})]`));
      expect(haproxy.accepted, arg).toBe(false);
      expect(engine.alerts, arg).toEqual(haproxy.alerts);
    }
  });

  it('refuses uuid(3) with the same alert', () => {
    const { haproxy, engine } = checkBoth(CONFIG('3').replace('{{port}}', '8080'));
    expect(haproxy.accepted).toBe(false);
    expect(haproxy.alerts[0]).toContain("Unsupported UUID version: '3'");
    expect(engine.alerts).toEqual(haproxy.alerts);
  });
});
