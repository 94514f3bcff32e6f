import { describe, expect, it } from 'vitest';
import { ChunkedScanner } from '../../../proxy/http/chunked.ts';

describe('chunked body scanner', () => {
  it('finds the end of a body split anywhere across reads', () => {
    const body = Buffer.from('4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\nNEXT');
    for (let cut = 1; cut < body.length - 4; cut++) {
      const s = new ChunkedScanner();
      const a = s.scan(body.subarray(0, cut));
      expect(a).toBe(cut);
      const b = s.scan(body.subarray(cut));
      expect(s.done).toBe(true);
      expect(a + b).toBe(body.length - 4);
    }
  });

  it('rejects a chunk size that is not hexadecimal', () => {
    expect(new ChunkedScanner().scan(Buffer.from('zz\r\n'))).toBe(-1);
  });

  it('rejects data that overruns its chunk', () => {
    expect(new ChunkedScanner().scan(Buffer.from('2\r\nabc\r\n'))).toBe(-1);
  });
});
