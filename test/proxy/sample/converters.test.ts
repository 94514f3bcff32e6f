// Converters against values recorded from HAProxy 2.6.12 (an "http-request return ... lf-string" of each one,
// answered by the real binary; test/parity/converters.test.ts replays the same through both).
import { describe, expect, it } from 'vitest';
import { compileRuleFormat } from '../../../proxy/sample/rule-format.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';

const ctx: SampleContext = {
  src: '127.0.0.9', srcPort: 40001, dst: '127.0.0.1', dstPort: 8080,
  req: { method: 'GET', uri: '/a', version: '1.1', path: '/a', query: '', headers: ['Host', 'example'] },
};
const run = (fmt: string): string => compileRuleFormat(fmt, { proxy: '' })(ctx);

describe('converters give what HAProxy gives', () => {
  it('hex, hex2i, base64 and b64dec', () => {
    expect(run('hex=%[str(abc),hex] hexi=%[str(1A),hex2i] hexi2=%[str(ff),hex2i] hexbad=%[str(zz),hex2i] b64=%[str(abcd),base64] b64d=%[str(YWJjZA==),b64dec]'))
      .toBe('hex=616263 hexi=26 hexi2=255 hexbad= b64=YWJjZA== b64d=abcd');
    expect(run('hexint=%[int(255),hex] b64int=%[int(3),base64]')).toBe('hexint=00000000000000FF b64int=AAAAAAAAAAM=');
  });

  it('arithmetic and logic on integers, a string operand cast first', () => {
    expect(run('add=%[int(5),add(3)] sub=%[int(5),sub(7)] mul=%[int(5),mul(-3)] mod=%[int(-7),mod(3)] mod0=%[int(7),mod(0)] neg=%[int(5),neg]'))
      .toBe('add=8 sub=-2 mul=-15 mod=-1 mod0=0 neg=-5');
    expect(run('bool=%[int(3),bool] bool0=%[int(0),bool] not=%[int(0),not] and=%[int(6),and(3)] or=%[int(6),or(3)] xor=%[int(6),xor(3)] stradd=%[str(12),add(1)]'))
      .toBe('bool=1 bool0=0 not=1 and=2 or=7 xor=5 stradd=13');
  });

  it('ltrim, rtrim and bytes', () => {
    expect(run('lt=%[str(xxabcxx),ltrim(x)] rt=%[str(xxabcxx),rtrim(x)] by=%[str(abcdef),bytes(2)] by2=%[str(abcdef),bytes(1,3)] by3=%[str(abc),bytes(5)] by4=%[str(abcdef),bytes(4,10)]'))
      .toBe('lt=abcxx rt=xxabc by=cdef by2=bcd by3= by4=ef');
  });
});
