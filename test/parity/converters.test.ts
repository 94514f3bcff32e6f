// Converters against real HAProxy 2.6: each one's result in an "http-request return ... lf-string" answer,
// including the failing cases (an empty value) — same bytes to the client.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { CONVERTER_CASES } from '../proxy/sample/converter-cases.ts';

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

// The shared cases (converter-cases.ts): one return rule per case, behind the variables the cases read. In the
// config's double-quoted lf-string, '"' and '$' need a backslash; the cases hold no other escape HAProxy reads.
const lfString = (fmt: string): string => fmt.replace(/["$]/g, (c) => `\\${c}`);
const MORE_CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request set-var(txn.abc) str(abc)
    http-request set-var(txn.abd) str(abd)
    http-request set-var(txn.ab) str(ab)
    http-request set-var(txn.int) int(42)
    http-request set-var(txn.key) str(c2VjcmV0)
${CONVERTER_CASES.map((c, i) => `    http-request return status 200 content-type text/plain lf-string "${lfString(c.fmt)}" if { path /${i} }`).join('\n')}
`;
const headerLines = (h: readonly string[] = []): string => h.map((x, i) => (i % 2 === 0 ? `${x}: ` : `${x}\r\n`)).join('');
const MORE_CASES: RawCase[] = CONVERTER_CASES.map((c, i) => ({ name: c.name, send: `GET /${i} HTTP/1.1\r\nHost: x\r\n${headerLines(c.headers)}\r\n` }));

describe.skipIf(!hasHaproxy)('the converters added for issue 11 give what real HAProxy 2.6 gives', () => {
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    ({ expected, got } = await playThroughBoth(MORE_CONFIG, MORE_CASES));
  }, 60_000);

  eachCaseAsHaproxy(MORE_CASES, () => ({ expected, got }));

  it('haproxy answered each case with the value the unit tests hold', () => {
    const bodies = CONVERTER_CASES.map((c) => expected.get(c.name)!.bytes.split('\r\n\r\n').slice(1).join('\r\n\r\n'));
    expect(bodies).toEqual(CONVERTER_CASES.map((c) => c.expect));
  });
});
