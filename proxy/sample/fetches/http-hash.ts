// base32, url32 and their +src forms (smp_fetch_base32/url32 in src/http_fetch.c, HAProxy 2.6): an sdbm-style
// hash of the first Host value (url32: the whole first Host line) then the path (base32: up to '?'; url32:
// with the query), through full_hash; the +src forms put that hash, big-endian, before the client's address.
import type { FetchDef, FetchFn } from '../sample.ts';
import { pathStart } from '../../http/path.ts';
import { eachHeaderValue } from '../../http/header-scan.ts';
import { fullHash } from '../../balance/hash-functions.ts';
import { parseIpv4, parseIpv6 } from '../ip.ts';

// hash = c + (hash << 6) + (hash << 16) - hash, with c a signed char as HAProxy's `char *` reads it
function mix(hash: number, s: string, from = 0, to = s.length): number {
  let h = hash;
  for (let i = from; i < to; i++) {
    const b = s.charCodeAt(i) & 0xff;
    h = ((b > 127 ? b - 256 : b) + (h << 6) + (h << 16) - h) >>> 0;
  }
  return h;
}

function hashOf(withQuery: boolean): (ctx: Parameters<FetchFn>[0]) => number | undefined {
  let host: string | null = null;
  const first = (v: string): boolean => {
    host = v;
    return true;
  };
  return (ctx) => {
    const req = ctx.req;
    if (!req) return undefined;
    host = null;
    eachHeaderValue(req.headers, 'host', withQuery, first);
    let h = host === null ? 0 : mix(0, host);
    const start = pathStart(req.uri);
    if (start >= 0 && req.uri.charCodeAt(start) === 47) {
      const q = withQuery ? -1 : req.uri.indexOf('?', start);
      h = mix(h, req.uri, start, q < 0 ? req.uri.length : q);
    }
    return fullHash(h);
  };
}

const words = new Uint16Array(8);

// The hash, then the source address's 4 or 16 bytes.
function withSource(hash: number, src: string): Buffer | undefined {
  const v4 = parseIpv4(src);
  if (v4 >= 0) {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(hash, 0);
    b.writeUInt32BE(v4 >>> 0, 4);
    return b;
  }
  if (!parseIpv6(src, words)) return undefined;
  const b = Buffer.alloc(20);
  b.writeUInt32BE(hash, 0);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(words[i]!, 4 + 2 * i);
  return b;
}

function def(name: string, withQuery: boolean, src: boolean): FetchDef {
  return {
    name, outType: src ? 'bin' : 'int', args: [], minArgs: 0, source: 'http-req',
    compile: () => {
      const hash = hashOf(withQuery);
      return (ctx, visit) => {
        const h = hash(ctx);
        if (h === undefined) return false;
        if (!src) return visit(h);
        const b = withSource(h, ctx.src);
        return b !== undefined && visit(b);
      };
    },
  };
}

export const httpHashFetches: readonly FetchDef[] = [def('base32', false, false), def('base32+src', false, true), def('url32', true, false), def('url32+src', true, true)];
