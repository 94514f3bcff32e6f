// Stick-table keys: samples turned into the bytes HAProxy stores (smp_to_stkey) and printed as "show table" prints
// them (inet_ntop, %u of a host-order u32, dump_text's escapes, dump_binary's hex).
import { describe, expect, it } from 'vitest';
import { cliKey, keyText, sampleToKey } from '../../../proxy/stick/table-key.ts';

const roundTrip = (v: string, type: 'ip' | 'ipv6' | 'string'): string | undefined => {
  const k = sampleToKey(v, type === 'string' ? 'str' : 'ip', type, type === 'string' ? 8 : 16);
  return k && keyText(k, type);
};

describe('stick-table keys', () => {
  it('prints IPv6 keys as glibc inet_ntop does', () => {
    expect(roundTrip('127.0.0.1', 'ipv6')).toBe('::ffff:127.0.0.1');
    expect(roundTrip('2001:db8:0:0:0:0:0:1', 'ipv6')).toBe('2001:db8::1');
    expect(roundTrip('::1', 'ipv6')).toBe('::1');
    expect(roundTrip('::', 'ipv6')).toBe('::');
    expect(roundTrip('1::', 'ipv6')).toBe('1::');
    expect(roundTrip('2001:db8:0:1:1:1:1:1', 'ipv6')).toBe('2001:db8:0:1:1:1:1:1');
    expect(roundTrip('1:0:0:2:0:0:0:3', 'ipv6')).toBe('1:0:0:2::3');
  });

  it('takes an IPv4-mapped address into an ip table and refuses other IPv6 ones', () => {
    expect(roundTrip('::ffff:10.1.2.3', 'ip')).toBe('10.1.2.3');
    expect(roundTrip('2001:db8::1', 'ip')).toBeUndefined();
  });

  it('cuts string keys to len and escapes them as dump_text does', () => {
    expect(roundTrip('abcdefghij', 'string')).toBe('abcdefg');
    expect(roundTrip('a b=c\\', 'string')).toBe('a\\ b\\=c\\\\');
    expect(roundTrip('\t\x01', 'string')).toBe('\\t\\x01');
  });

  it('keeps integers as unsigned 32-bit values and binary keys padded to their size', () => {
    const k = sampleToKey(-1, 'int', 'integer', 4)!;
    expect(keyText(k, 'integer')).toBe('4294967295');
    expect(keyText(sampleToKey(Buffer.from([0xab]), 'bin', 'binary', 4)!, 'binary')).toBe('AB000000');
  });

  it('reads runtime API keys with the CLI errors', () => {
    expect(cliKey('nope', 'ipv6', 16)).toEqual({ error: 'Invalid key\n' });
    expect(cliKey('-1', 'integer', 4)).toEqual({ error: 'Invalid key\n' });
    expect(keyText(cliKey('42', 'integer', 4) as Buffer, 'integer')).toBe('42');
  });
});
