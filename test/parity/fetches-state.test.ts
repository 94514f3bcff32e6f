// The rate, free-place and queue fetches against real HAProxy 2.6: fe_sess_rate, fe_req_rate, be_sess_rate,
// srv_sess_rate, connslots, be_conn_free, srv_conn_free, avg_queue, fe_defbe and the nbsrv / srv_queue
// converters, read after known traffic (pipelined on one connection, so every count falls in one second) —
// same bytes to the client. Then the clock and random fetches (date, date_us, uuid), whose values are checked
// for their shape and range on both.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const STATE = [
  'fsr=%[fe_sess_rate] frr=%[fe_req_rate] fsr2=%[fe_sess_rate(fe2)] frr2=%[fe_req_rate(fe2)] defbe=%[fe_defbe]',
  'bsr=%[be_sess_rate(be)] bsr2=%[be_sess_rate(be2)] ssr=%[srv_sess_rate(be/s1)] ssr2=%[srv_sess_rate(be/s2)] ssr3=%[srv_sess_rate(be/b1)]',
  'cs=%[connslots(be)] cs2=%[connslots(be2)] cs3=%[connslots(be3)] bcf=%[be_conn_free(be)] bcf2=%[be_conn_free(be2)] bcf3=%[be_conn_free(be3)] bcf4=%[be_conn_free(be4)]',
  'scf=%[srv_conn_free(be/s1)] scf2=%[srv_conn_free(be2/t1)] aq=%[avg_queue(be)] aq3=%[avg_queue(be3)] nbs=%[nbsrv(be)] nbs3=%[nbsrv(be3)] nbs4=%[nbsrv(be4)]',
  'nb=%[str(be),nbsrv] nb4=%[str(be4),nbsrv] nbx=%[str(nope),nbsrv] sq=%[str(be/s1),srv_queue] sqx=%[str(be/none),srv_queue] sqf=%[str(s1),srv_queue]',
].join(' ');

const CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request return status 200 content-type text/plain lf-string "${STATE}|" if { path /state }
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:{{port1}} maxconn 10 maxqueue 5
    server s2 127.0.0.1:{{port1}} maxconn 3 maxqueue 2
    server b1 127.0.0.1:{{port1}} backup maxconn 4 maxqueue 1
backend be2
    server t1 127.0.0.1:{{port1}}
backend be3
    server u1 127.0.0.1:{{port1}} maxconn 5 disabled
    server u2 127.0.0.1:{{port1}} backup maxconn 7 maxqueue 1
    server u3 127.0.0.1:{{port1}} backup maxconn 9 maxqueue 1
backend be4
    option allbackups
    server v1 127.0.0.1:{{port1}} maxconn 5 disabled
    server v2 127.0.0.1:{{port1}} backup maxconn 7
    server v3 127.0.0.1:{{port1}} backup maxconn 9
frontend fe2
    bind 127.0.0.1:{{port1}}
    http-request return status 200 content-type text/plain lf-string "fe2 fsr=%[fe_sess_rate] bsr=%[be_sess_rate(be)] ssr=%[srv_sess_rate(be/s1)]|"
`;

const req = (path: string, close = false): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
const CASES: RawCase[] = [
  { name: 'a first session counts itself in fe_sess_rate and fe_req_rate; nothing reached a backend yet', send: req('/state', true) },
  { name: 'two forwarded requests count in the backend, each server and the server side frontend', send: req('/a') + req('/b') + req('/state', true) },
];

describe.skipIf(!hasHaproxy)('the rate and free-place fetches give what real HAProxy 2.6 gives', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(CONFIG, CASES, 2));
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the counts it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('fsr=1 frr=1 fsr2=0');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('fe2 fsr=2 bsr=2 ssr=1|');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('ssr=1 ssr2=1 ssr3=0');
  });
});

const CLOCK = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request return status 200 content-type text/plain lf-string "d=%[date] dms=%[date(0,ms)] dus=%[date(0,us)] dneg=%[date(-100)] us=%[date_us] u=%[uuid] u4=%[uuid(4)]|"
`;
const CLOCK_CASES: RawCase[] = [{ name: 'clock', send: req('/', true) }];
const SHAPE = /d=(\d+) dms=(\d+) dus=(\d+) dneg=(\d+) us=(\d+) u=([0-9a-f-]{36}) u4=([0-9a-f-]{36})\|/;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.skipIf(!hasHaproxy)('date, date_us and uuid read the clock and make v4 UUIDs as real HAProxy 2.6 does', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  let before = 0;

  beforeAll(async () => {
    before = Date.now();
    ({ expected, got } = await playThroughBoth(CLOCK, CLOCK_CASES));
  }, 60_000);

  for (const who of ['haproxy', 'the engine'] as const) {
    it(`${who} gives the time in s, ms and us with the offset, and two different v4 UUIDs`, () => {
      const seen = (who === 'haproxy' ? expected : got).get('clock')!.bytes;
      const m = SHAPE.exec(seen);
      expect(m, seen).not.toBeNull();
      const [d, dms, dus, dneg, us] = m!.slice(1, 6).map(Number) as [number, number, number, number, number];
      const after = Date.now();
      expect(d).toBeGreaterThanOrEqual(Math.floor(before / 1000));
      expect(d).toBeLessThanOrEqual(Math.ceil(after / 1000));
      expect(Math.floor(dms / 1000)).toBe(d);
      expect(Math.floor(dus / 1000)).toBeGreaterThanOrEqual(dms);
      expect(dus - dms * 1000).toBeLessThan(1000);
      expect(dneg).toBe(d - 100);
      expect(us).toBeLessThan(1_000_000);
      expect(m![6]).toMatch(UUID4);
      expect(m![7]).toMatch(UUID4);
      expect(m![6]).not.toBe(m![7]);
    });
  }
});
