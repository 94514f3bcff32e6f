// 64-bit integers as HAProxy 2.6 has them: ACL int patterns compared exactly beyond 2^53 (where doubles would
// round two values into one), literals beyond 64 bits refused as HAProxy refuses them, and the same answers.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { checkBoth } from '../helpers/config-check.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const HEAD = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
`;

// Each ACL's verdict printed as 1 or 0 (an ACL name in a condition only, so each answer is one rule per bit).
const ACLS: Record<string, string> = {
  max: 'int(9223372036854775807) -m int 9223372036854775807',
  maxMinusOne: 'int(9223372036854775807) -m int 9223372036854775806',
  past53: 'int(9007199254740993) -m int 9007199254740992',
  past53exact: 'str(9007199254740993) -m int 9007199254740993',
  minRange: 'int(-9223372036854775808) -m int :-9223372036854775808',
  range: 'int(9007199254740993),add(1) -m int 9007199254740994:9007199254740995',
  rangeMiss: 'int(9007199254740993) -m int 9007199254740994:9007199254740995',
  hdrVal: 'req.hdr_val(x-n) -m int 9007199254740993',
  hdrSum: 'req.hdr(x-n),add(0) -m int 9007199254740993',
  mapped: 'req.hdr(x-n),map_int(/dev/null,1) -m int 1',
  fromVar: 'var(txn.big) -m int 9223372036854775806',
};
const names = Object.keys(ACLS);
const CONFIG = `${HEAD}    http-request set-var(txn.big) int(9223372036854775807),sub(1)
${names.map((n) => `    acl ${n} ${ACLS[n]}`).join('\n')}
${names.map((n, i) => `    http-request set-var(txn.b${i}) int(0)\n    http-request set-var(txn.b${i}) int(1) if ${n}`).join('\n')}
    http-request return status 200 content-type text/plain lf-string "${names.map((_, i) => `%[var(txn.b${i})]`).join('')}"
`;
const CASES: RawCase[] = [
  { name: 'int patterns beyond 2^53 match exactly, ranges and variables included', send: 'GET / HTTP/1.1\r\nHost: x\r\nX-N: 9007199254740993\r\n\r\n' },
  { name: 'a value one apart beyond 2^53 does not match', send: 'GET / HTTP/1.1\r\nHost: x\r\nX-N: 9007199254740992\r\n\r\n' },
];

describe.skipIf(!hasHaproxy)('64-bit integers in ACLs match as in real HAProxy 2.6', () => {
  let seen = { expected: new Map<string, Seen>(), got: new Map<string, Seen>() };
  beforeAll(async () => {
    seen = await playThroughBoth(CONFIG, CASES);
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => seen);

  it('haproxy told the two values apart (the cases are not vacuous)', () => {
    const body = (n: string): string => seen.expected.get(n)!.bytes.split('\r\n\r\n')[1]!;
    expect(body(CASES[0]!.name)).toBe('10011100111');
    expect(body(CASES[1]!.name)).toBe('10011100011');
  });
});

describe.skipIf(!hasHaproxy)('integer literals beyond 64 bits are refused as HAProxy refuses them', () => {
  for (const [what, pattern] of [
    ['a single value', '9223372036854775808'],
    ['a negative single value', '-9223372036854775809'],
    ['a range end', '1:18446744073709551617'],
    ['an open range', '18446744073709551617:'],
  ] as const) {
    it(`${what} (${pattern}) is an alert at its line`, () => {
      const { haproxy, engine } = checkBoth(`${HEAD.replace('{{port0}}', '18041')}    acl big int(1) -m int ${pattern}\n    http-request deny if big\n`);
      expect(haproxy.accepted).toBe(false);
      expect(engine.alerts.slice(0, 1)).toEqual(haproxy.alerts.slice(0, 1));
      expect(engine.accepted).toBe(false);
    });
  }
  it('the largest value, and a range up to the smallest, are accepted ( - separates a range)', () => {
    const { haproxy, engine } = checkBoth(`${HEAD.replace('{{port0}}', '18041')}    acl big int(1) -m int 9223372036854775807 :-9223372036854775808\n    http-request deny if big\n`);
    expect([haproxy.accepted, engine.accepted]).toEqual([true, true]);
  });
});
