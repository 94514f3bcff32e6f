// The header block fetches (src/http_fetch.c): req.hdrs / res.hdrs give every header as "name: value" lines
// ending with an empty line, req.hdrs_bin / res.hdrs_bin the same as HAProxy's varint-prefixed binary list,
// req.hdr_names / res.hdr_names the names joined by a delimiter. Names are lower case and Connection /
// Content-Length appear as HTX keeps them.
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import { eachHtxHeader } from '../../http/header-scan.ts';
import { headersOf, type HeaderSide } from './http-headers.ts';

// encode_varint(): below 240 one byte; else 4 bits in a byte with the high 4 set, then 7 bits a byte.
function varint(n: number, out: number[]): void {
  if (n < 240) {
    out.push(n);
    return;
  }
  out.push((n & 0xff) | 240);
  let i = Math.floor((n - 240) / 16);
  while (i >= 128) {
    out.push((i & 0xff) | 128);
    i = Math.floor((i - 128) / 128);
  }
  out.push(i);
}

function hdrs(name: string, side: HeaderSide): FetchDef {
  const read = headersOf(side);
  return {
    name, outType: 'str', args: [], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res',
    compile: (): FetchFn => (ctx, visit) => {
      const headers = read(ctx);
      if (!headers) return false;
      let out = '';
      eachHtxHeader(headers, (n, v) => {
        out += `${n.toLowerCase()}: ${v}\r\n`;
        return false;
      });
      return visit(`${out}\r\n`);
    },
  };
}

function hdrsBin(name: string, side: HeaderSide): FetchDef {
  const read = headersOf(side);
  return {
    name, outType: 'bin', args: [], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res',
    compile: (): FetchFn => (ctx, visit) => {
      const headers = read(ctx);
      if (!headers) return false;
      const parts: Buffer[] = [];
      eachHtxHeader(headers, (n, v) => {
        for (const s of [Buffer.from(n.toLowerCase(), 'latin1'), Buffer.from(v, 'latin1')]) {
          const len: number[] = [];
          varint(s.length, len);
          parts.push(Buffer.from(len), s);
        }
        return false;
      });
      // the end of the list: an empty name and an empty value
      parts.push(Buffer.from([0, 0]));
      return visit(Buffer.concat(parts));
    },
  };
}

function hdrNames(name: string, side: HeaderSide): FetchDef {
  const read = headersOf(side);
  return {
    name, outType: 'str', args: ['str'], minArgs: 0, source: side === 'req' ? 'http-req' : 'http-res',
    compile: (a: readonly ArgValue[]): FetchFn => {
      // only the argument's first character is the delimiter
      const del = typeof a[0] === 'string' && a[0] !== '' ? a[0][0]! : ',';
      return (ctx, visit) => {
        const headers = read(ctx);
        if (!headers) return false;
        const names: string[] = [];
        eachHtxHeader(headers, (n) => {
          names.push(n.toLowerCase());
          return false;
        });
        return visit(names.join(del));
      };
    },
  };
}

export const headerBlockFetches: readonly FetchDef[] = [
  hdrs('req.hdrs', 'req'), hdrsBin('req.hdrs_bin', 'req'), hdrNames('req.hdr_names', 'req'),
  hdrs('res.hdrs', 'res'), hdrsBin('res.hdrs_bin', 'res'), hdrNames('res.hdr_names', 'res'),
];
