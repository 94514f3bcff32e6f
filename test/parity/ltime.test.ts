// ltime against real HAProxy 2.6 in several time zones: TZ is set for this test process (where the engine runs)
// and inherited by the haproxy it starts, so both format the same instants with localtime(3)'s offset and
// abbreviation (%z, %Z), daylight saving time included, with and without an offset argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request return status 200 content-type text/plain lf-string "%[int(1700000000),ltime(%Y-%m-%d %H:%M:%S %Z %z %s)]|%[int(1690000000),ltime(%F %T %Z %z)]|%[int(1700000000),ltime(%c %j %a,3600)]|%[int(1000000000),ltime(%F %T %Z)]|%[int(1700000000),utime(%T %Z)]"
`;
const CASES: RawCase[] = [{ name: 'ltime formats in the local zone', send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }];

const ZONES: Record<string, string> = {
  'America/New_York': '2023-11-14 17:13:20 EST -0500 1700000000|2023-07-22 00:26:40 EDT -0400|',
  'Australia/Adelaide': '2023-11-15 08:43:20 ACDT +1030 1700000000|2023-07-22 13:56:40 ACST +0930|',
  'Asia/Dubai': '2023-11-15 02:13:20 +04 +0400 1700000000|',
  UTC: '2023-11-14 22:13:20 UTC +0000 1700000000|',
};

for (const [tz, start] of Object.entries(ZONES)) {
  describe.skipIf(!hasHaproxy)(`ltime gives what real HAProxy 2.6 gives with TZ=${tz}`, () => {
    let seen = { expected: new Map<string, Seen>(), got: new Map<string, Seen>() };
    const before = process.env.TZ;
    beforeAll(async () => {
      process.env.TZ = tz;
      try {
        seen = await playThroughBoth(CONFIG, CASES);
      } finally {
        if (before === undefined) delete process.env.TZ;
        else process.env.TZ = before;
      }
    }, 60_000);
    afterAll(() => {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    });

    eachCaseAsHaproxy(CASES, () => seen);

    it('haproxy wrote the zone it was given (the case is not vacuous)', () => {
      expect(seen.expected.get(CASES[0]!.name)!.bytes.split('\r\n\r\n')[1]).toMatch(new RegExp(`^${start.replace(/[+|]/g, (c) => `\\${c}`)}`));
    });
  });
}
