// Converters against real HAProxy 2.6: each one's result in an "http-request return ... lf-string" answer,
// including the failing cases (an empty value) — same bytes to the client.
import { beforeAll, describe, expect, it } from 'vitest';
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
    http-request return status 200 content-type text/plain lf-string "hex=%[str(abc),hex] hexi=%[str(1A),hex2i] hexbad=%[str(zz),hex2i] b64=%[str(abcd),base64] b64d=%[str(YWJjZA==),b64dec] b64bad=%[str(abc),b64dec] hexint=%[int(255),hex] hexhdr=%[req.hdr(x-v),hex]|" if { path /enc }
    http-request return status 200 content-type text/plain lf-string "add=%[int(5),add(3)] sub=%[int(5),sub(7)] mul=%[int(5),mul(-3)] mod=%[int(-7),mod(3)] mod0=%[int(7),mod(0)] neg=%[int(5),neg] bool=%[int(3),bool] not=%[int(0),not] and=%[int(6),and(3)] or=%[int(6),or(3)] xor=%[int(6),xor(3)] hdr=%[req.hdr(x-n),add(1)]|" if { path /int }
    http-request return status 200 content-type text/plain lf-string "lt=%[str(xxabcxx),ltrim(x)] rt=%[req.hdr(x-v),rtrim(z)] by=%[str(abcdef),bytes(2)] by2=%[req.hdr(x-v),bytes(1,3)] by3=%[str(abc),bytes(5)]|" if { path /str }
`;

const HEADERS = 'Host: x\r\nX-V: Hello zz\r\nX-N: 41\r\n\r\n';
const CASES: RawCase[] = [
  { name: 'hex, hex2i, base64 and b64dec', send: `GET /enc HTTP/1.1\r\n${HEADERS}` },
  { name: 'add, sub, mul, mod, neg, bool, not, and, or, xor', send: `GET /int HTTP/1.1\r\n${HEADERS}` },
  { name: 'ltrim, rtrim and bytes', send: `GET /str HTTP/1.1\r\n${HEADERS}` },
];

describe.skipIf(!hasHaproxy)('converters give what real HAProxy 2.6 gives', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(CONFIG, CASES));
  }, 60_000);

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('sees the values it was written for (the cases are not vacuous)', () => {
    expect(expected.get(CASES[0]!.name)!.bytes).toContain('hex=616263 hexi=26');
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('hdr=42|');
    expect(expected.get(CASES[2]!.name)!.bytes).toContain('rt=Hello ');
  });
});
