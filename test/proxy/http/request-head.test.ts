import { describe, expect, it } from 'vitest';
import { findHeadEnd, parseRequestHead, RequestHead } from '../../../proxy/http/request-head.ts';

const limits = { maxHeadBytes: 15360, maxHeaders: 101 };

function parse(text: string) {
  const buf = Buffer.from(text, 'latin1');
  const end = findHeadEnd(buf);
  if (end < 0) return 'incomplete';
  return parseRequestHead(buf, end, limits);
}

function ok(text: string): RequestHead {
  const r = parse(text);
  if (!(r instanceof RequestHead)) throw new Error(`expected a head, got ${JSON.stringify(r)}`);
  return r;
}

describe('request head parser', () => {
  it('waits for the blank line before parsing', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\n')).toBe('incomplete');
  });

  it('splits path and query, and keeps the target as received', () => {
    const h = ok('GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect([h.method, h.uri, h.path, h.query, h.version]).toEqual(['GET', '/a/b?x=1&y=2', '/a/b', 'x=1&y=2', '1.1']);
  });

  it('takes the path of an absolute-form target after its authority', () => {
    const h = ok('GET http://example.com/p/q?z HTTP/1.1\r\n\r\n');
    expect([h.path, h.query]).toEqual(['/p/q', 'z']);
  });

  it('keeps HTTP/1.1 connections alive unless the client says close', () => {
    expect(ok('GET / HTTP/1.1\r\n\r\n').keepAlive).toBe(true);
    expect(ok('GET / HTTP/1.1\r\nConnection: close\r\n\r\n').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.0\r\n\r\n').keepAlive).toBe(false);
    expect(ok('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').keepAlive).toBe(true);
  });

  it('accepts bare LF line endings', () => {
    const h = ok('GET /lf HTTP/1.1\nHost: x\n\n');
    expect(h.headers).toEqual(['Host', 'x']);
  });

  it('reads Content-Length and chunked framing', () => {
    expect(ok('POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n').contentLength).toBe(12);
    const c = ok('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect([c.chunked, c.contentLength, c.keepAlive]).toEqual([true, -1, true]);
  });

  it('drops Content-Length and closes after the exchange when both framings are present', () => {
    const h = ok('POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect([h.chunked, h.contentLength, h.keepAlive]).toEqual([true, -1, false]);
  });

  it.each([
    ['conflicting Content-Length values', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'],
    ['a non-numeric Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\n'],
    ['a Transfer-Encoding that does not end in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['a control character in a value', 'GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n'],
    ['a missing version', 'GET /\r\n\r\n'],
    ['a two-digit minor version', 'GET / HTTP/1.10\r\n\r\n'],
    ['a lower-case protocol name', 'GET / http/1.1\r\n\r\n'],
    ['two different Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['an absolute-form authority that is not the Host', 'GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n'],
    ['a method with a separator', 'GE(T / HTTP/1.1\r\n\r\n'],
  ])('rejects %s', (_what, text) => {
    expect(parse(text)).toHaveProperty('error');
  });

  it('takes any other digit.digit version as 1.1 from 1.1 up and as 1.0 below, keeping what the client wrote', () => {
    const v2 = parse('GET / HTTP/2.0\r\n\r\n') as RequestHead;
    expect([v2.version, v2.wireVersion, v2.keepAlive]).toEqual(['1.1', '2.0', true]);
    const v09 = parse('GET / HTTP/0.9\r\n\r\n') as RequestHead;
    expect([v09.version, v09.wireVersion, v09.keepAlive]).toEqual(['1.0', '0.9', false]);
  });

  it('rejects more headers than tune.http.maxhdr', () => {
    const many = Array.from({ length: 102 }, (_, i) => `X-${i}: v\r\n`).join('');
    expect(parse(`GET / HTTP/1.1\r\n${many}\r\n`)).toHaveProperty('error', 'too many headers');
  });

  it('rejects a head larger than the buffer allows', () => {
    const big = `GET / HTTP/1.1\r\nX: ${'a'.repeat(16000)}\r\n\r\n`;
    expect(parse(big)).toHaveProperty('error', 'request head too large');
  });
});
