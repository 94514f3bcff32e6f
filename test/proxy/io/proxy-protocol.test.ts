// The PROXY protocol header parser and writer on their own: partial input waits, what is not a header is named as
// HAProxy names it, and what send-proxy-v2 writes reads back as the same addresses.
import { describe, expect, it } from 'vitest';
import { buildProxyHeader, parseProxyHeader, parseProxyHeaderAtOnce } from '../../../proxy/io/proxy-protocol.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('the PROXY protocol header', () => {
  it('waits while a v1 line or a v2 block is incomplete', () => {
    expect(parseProxyHeader(b('PROX')).kind).toBe('need');
    expect(parseProxyHeader(b('PROXY TCP4 127.0.0.1 127.0.0.2 1 2')).kind).toBe('need');
    expect(parseProxyHeader(buildProxyHeader(2, { src: '127.0.0.1', srcPort: 1, dst: '127.0.0.2', dstPort: 2 }).subarray(0, 20)).kind).toBe('need');
  });

  it('read at once, as HAProxy peeks it, an incomplete header is truncated, short garbage too', () => {
    const v2 = buildProxyHeader(2, { src: '127.0.0.1', srcPort: 1, dst: '127.0.0.2', dstPort: 2 });
    expect(parseProxyHeaderAtOnce(b('PROXY TCP4 127.0.0.1 127.0.0.2 1 2'))).toEqual({ kind: 'error', why: 'truncated' });
    expect(parseProxyHeaderAtOnce(v2.subarray(0, 20))).toEqual({ kind: 'error', why: 'truncated' });
    expect(parseProxyHeaderAtOnce(b('GET'))).toEqual({ kind: 'error', why: 'truncated' });
    expect(parseProxyHeaderAtOnce(b('GET / HTTP/1.0'))).toEqual({ kind: 'error', why: 'truncated' });
    expect(parseProxyHeaderAtOnce(b('GET / HTTP/1.1\r\n\r\n'))).toEqual({ kind: 'error', why: 'not-header' });
    expect(parseProxyHeaderAtOnce(v2).kind).toBe('ok');
  });

  it('says what is not a header and what is a broken one', () => {
    expect(parseProxyHeader(b('GET / HTTP/1.1\r\n\r\n'))).toEqual({ kind: 'error', why: 'not-header' });
    expect(parseProxyHeader(b('PROXY TCP4 localhost 127.0.0.1 1 2\r\n'))).toEqual({ kind: 'error', why: 'bad-header' });
    expect(parseProxyHeader(b('PROXY TCP6 127.0.0.1 127.0.0.1 1 2\r\n'))).toEqual({ kind: 'error', why: 'bad-header' });
    expect(parseProxyHeader(b(`PROXY ${'x'.repeat(120)}`))).toEqual({ kind: 'error', why: 'bad-proto' });
    expect(parseProxyHeader(b('PROXY TCP5'))).toEqual({ kind: 'error', why: 'bad-proto' });
    expect(parseProxyHeader(b(`PROXY TCP4 ${'1'.repeat(120)}`))).toEqual({ kind: 'error', why: 'truncated' });
  });

  it('reads v1 addresses and the length of the line, UNKNOWN as none', () => {
    expect(parseProxyHeader(b('PROXY TCP4 127.1.2.3 127.4.5.6 5555 80\r\nGET'))).toEqual({
      kind: 'ok', length: 40, addrs: { src: '127.1.2.3', srcPort: 5555, dst: '127.4.5.6', dstPort: 80 },
    });
    expect(parseProxyHeader(b('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'ok', length: 15, addrs: null });
    expect(parseProxyHeader(b('PROXY UNKN')).kind).toBe('need');
  });

  it('reads TCP4 groups as inetaddr_host_lim_ret does: carries, last three digits, missing groups', () => {
    const src = (line: string) => (parseProxyHeader(b(`PROXY TCP4 ${line} 127.0.0.1 1 2\r\n`)) as { addrs: { src: string } }).addrs.src;
    expect(src('127.0.0.999')).toBe('127.0.3.231');
    expect(src('127.0.0.1234')).toBe('127.0.0.234');
    expect(src('127.1')).toBe('127.1.0.0');
    expect(src('999.0.0.1')).toBe('231.0.0.1');
    expect(src('')).toBe('0.0.0.0');
  });

  it('writes v1 and v2 headers that read back as the same addresses', () => {
    for (const a of [
      { src: '127.1.2.3', srcPort: 5555, dst: '127.4.5.6', dstPort: 80 },
      { src: '::1', srcPort: 6000, dst: '::1', dstPort: 443 },
    ]) {
      for (const v of [1, 2] as const) {
        const h = buildProxyHeader(v, a);
        expect(parseProxyHeader(h)).toEqual({ kind: 'ok', length: h.length, addrs: a });
      }
    }
    expect(buildProxyHeader(1, { src: '127.0.0.1', srcPort: 1, dst: '::1', dstPort: 2 }).toString('latin1')).toBe('PROXY TCP6 ::ffff:127.0.0.1 ::1 1 2\r\n');
  });
});
