import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findHeadEnd } from '../../../proxy/http/request-head.ts';
import { parseResponseHead } from '../../../proxy/http/response-head.ts';

// The head's end as the first "\r\n\r\n" or bare "\n\n" wherever either starts, searched naively.
function naiveHeadEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length - 1; i++) {
    if (buf[i] === 0x0a && buf[i + 1] === 0x0a) return i + 2;
    if (i + 3 < buf.length && buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) return i + 4;
  }
  return -1;
}

describe('findHeadEnd', () => {
  it('ends the head at whichever of "\\r\\n\\r\\n" and a bare "\\n\\n" comes first, from any offset', () => {
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x61), { maxLength: 40 });
    fc.assert(
      fc.property(bytes, fc.nat(45), (b, at) => {
        const buf = Buffer.from(b);
        const from = Math.min(at, buf.length);
        expect(findHeadEnd(buf, from)).toBe(naiveHeadEnd(buf, from));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a bare "\\n\\n" that comes before a later "\\r\\n\\r\\n"', () => {
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.0\n\nbody\r\n\r\n'))).toBe(16);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nA: b\r\n\r\nx\n\n'))).toBe(24);
  });
});

describe('a response head\'s Content-Length', () => {
  const head = (cl: string) => {
    const buf = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${cl}\r\n\r\n`, 'latin1');
    return parseResponseHead(buf, buf.length, false);
  };

  it('takes 1 to 15 decimal digits', () => {
    expect(head('0')).toMatchObject({ framing: 'length', contentLength: 0 });
    expect(head('123456789012345')).toMatchObject({ framing: 'length', contentLength: 123456789012345 });
  });

  it('refuses anything else: empty, signs, blanks inside, 16 digits, non-digits', () => {
    for (const bad of ['', '+5', '-5', '1 2', '1234567890123456', '0x10', '١٢']) expect(head(bad)).toBe('invalid Content-Length');
  });
});
