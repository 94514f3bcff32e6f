// HAProxy's sample casts (sample_casts[][]): what a match method, a converter or a format string needs from a sample.
import { readInt64, type SampleType, type SampleValue } from './sample.ts';
import { typeOfValue } from './vars.ts';
import { ipv4ToString, parseIpv4, parseIpv6, scanIpv4 } from './ip.ts';
import { low32, toBigInt, type Int } from './int64.ts';

/** Converts a sample to what a method expects (HAProxy's sample_casts); undefined when the cast fails. */
export function castSample(value: SampleValue, from0: SampleType, to: SampleType | 'addr'): SampleValue | undefined {
  const from = from0 === 'any' ? typeOfValue(value) : from0;
  if (to === 'any') return value;
  if (to === from || (to === 'addr' && from === 'ip')) return value;
  switch (to) {
    case 'str':
    case 'meth':
      if (from === 'bool') return value ? '1' : '0';
      if (from === 'bin') {
        // c_bin2str stops at the first NUL byte.
        const b = value as Buffer;
        const nul = b.indexOf(0);
        return b.toString('latin1', 0, nul < 0 ? b.length : nul);
      }
      return String(value);
    case 'int':
    case 'bool':
      if (from === 'bool') return value ? 1 : 0;
      // an integer is a boolean as it is (sample_casts' c_none): non-zero is true
      if (from === 'int') return value;
      if (from === 'str') return (value as string).length === 0 ? undefined : readInt64(value as string);
      if (from === 'ip') {
        const v4 = parseIpv4(value as string);
        return v4 < 0 ? undefined : v4;
      }
      return undefined;
    case 'addr':
    case 'ip':
      if (from === 'int') return ipv4ToString(low32(value as Int));
      if (from === 'str') {
        const s = value as string;
        const v4 = scanIpv4(s);
        if (v4) return v4.end === s.length ? s : ipv4ToString(v4.addr);
        return parseIpv6(s, castWords) ? s : undefined;
      }
      return undefined;
    case 'bin':
      if (from === 'str' || from === 'meth') return Buffer.from(value as string, 'latin1');
      if (from === 'int') {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(toBigInt(value as Int));
        return b;
      }
      if (from === 'bool') return Buffer.from([value ? 1 : 0]);
      if (from === 'ip') return ipBytes(value as string);
      return undefined;
  }
  return undefined;
}
const castWords = new Uint16Array(8);

// c_addr2bin: an IPv4 address is its 4 bytes, an IPv6 one its 16, in network order.
function ipBytes(s: string): Buffer | undefined {
  const v4 = parseIpv4(s);
  if (v4 >= 0) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v4 >>> 0);
    return b;
  }
  if (!parseIpv6(s, castWords)) return undefined;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(castWords[i]!, i * 2);
  return b;
}
