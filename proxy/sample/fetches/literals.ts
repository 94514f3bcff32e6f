// Typed literal fetches (src/sample.c): bin(HEX), ipv4(ADDR), ipv6(ADDR), meth(NAME). They give the argument
// itself as a sample of their type, checked when the config loads as smp_check_const_bin/_meth check it.
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import { parseIpv6 } from '../ip.ts';
import { ipv6ToString } from '../converters-addr.ts';

// parse_binary(): an even count of hex digits. An empty one fails without a message, which haproxy prints as
// "(null)".
function checkBin(a: readonly ArgValue[]): string | null {
  const s = String(a[0] ?? '');
  if (s.length % 2 !== 0) return 'an even number of hex digit is expected';
  if (s === '') return '(null)';
  for (let i = 0; i < s.length; i += 2) {
    // parse_binary names the first of the pair that is not a hex digit
    if (!/[0-9a-fA-F]/.test(s[i]!)) return `an hex digit is expected (found '${s[i]}')`;
    if (!/[0-9a-fA-F]/.test(s[i + 1]!)) return `an hex digit is expected (found '${s[i + 1]}')`;
  }
  return null;
}

// A method is a token (RFC 7230 tchar); the known ones are case-sensitive, any other keeps its spelling.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;
const checkMeth = (a: readonly ArgValue[]): string | null => (TOKEN.test(String(a[0] ?? '')) ? null : 'expects valid method.');

const constant = (v: string | Buffer): FetchFn => (_ctx, visit) => visit(v);
const ipv6Text = (s: string): string => {
  const w = new Uint16Array(8);
  return parseIpv6(s, w) ? ipv6ToString(w) : s;
};

export const literalFetches: readonly FetchDef[] = [
  { name: 'bin', outType: 'bin', args: ['str'], minArgs: 1, source: 'const', validate: checkBin, compile: (a) => constant(Buffer.from(String(a[0]), 'hex')) },
  { name: 'ipv4', outType: 'ip', args: ['ipv4'], minArgs: 1, source: 'const', compile: (a) => constant(String(a[0])) },
  // printed as inet_ntop prints it ("2001:DB8::1" is 2001:db8::1)
  { name: 'ipv6', outType: 'ip', args: ['ipv6'], minArgs: 1, source: 'const', compile: (a) => constant(ipv6Text(String(a[0]))) },
  { name: 'meth', outType: 'meth', args: ['str'], minArgs: 1, source: 'const', validate: checkMeth, compile: (a) => constant(String(a[0])) },
];
