// Raw buffer fetches for tcp-request and tcp-response content rules (HAProxy's src/payload.c): req.len,
// req.payload, the RDP cookie, res.len and res.payload; no payload sample in mode http (HTX).
import type { FetchDef, FetchFn, ArgValue } from '../sample.ts';
import { fetchFlags } from '../sample.ts';

// The buffer may still grow, so a length that does not match yet may match later.
const reqLen: FetchFn = (ctx, visit) => {
  if (ctx.htxSize !== undefined) return visit(ctx.htxSize);
  if (!ctx.payload) return false;
  fetchFlags.mayChange = true;
  return visit(ctx.payload.length);
};

/**
 * The bytes an HTX message takes for a request head: the start line block (a 20-byte htx_sl, then method, URI
 * and version), each header's name and value, and the one-byte end-of-headers block.
 */
export function htxHeadSize(method: string, uri: string, version: string, headers: readonly string[]): number {
  let n = 20 + method.length + uri.length + version.length + 1;
  for (const h of headers) n += h.length;
  return n;
}

const resLen: FetchFn = (ctx, visit) => {
  if (ctx.resHtxSize !== undefined) return visit(ctx.resHtxSize);
  if (!ctx.resPayload) return false;
  fetchFlags.mayChange = true;
  return visit(ctx.resPayload.length);
};

// req.payload(offset,length): the bytes there once buffered; length 0 means "everything after offset".
function compilePayload(args: readonly ArgValue[], side: 'req' | 'res'): FetchFn {
  const off = typeof args[0] === 'number' ? args[0] : 0;
  const len = typeof args[1] === 'number' ? args[1] : 0;
  return (ctx, visit) => {
    const buf = side === 'req' ? ctx.payload : ctx.resPayload;
    if (!buf || off < 0 || len < 0) return false;
    if (off + len > buf.length) {
      fetchFlags.mayChange = true;
      return false;
    }
    if (len === 0) fetchFlags.mayChange = true;
    return visit(buf.subarray(off, len === 0 ? buf.length : off + len));
  };
}

// fetch_rdp_cookie_name: the RDP "Cookie: NAME=VALUE\r\n" line after the 11-byte X.224 header. Returns the
// value, 'short' when more bytes could still make it match, or null when it is not such a cookie.
export function rdpCookie(buf: Buffer, name: string): string | 'short' | null {
  if (buf.length <= 11) return 'short';
  let p = 11;
  if (buf.length - p <= 7) return 'short';
  if (buf.toString('latin1', p, p + 7).toLowerCase() !== 'cookie:') return null;
  p += 7;
  while (p < buf.length && buf[p] === 32) p++;
  if (name.length > 0) {
    if (buf.length - p <= name.length) return 'short';
    if (buf[p + name.length] !== 61 || buf.toString('latin1', p, p + name.length).toLowerCase() !== name.toLowerCase()) return null;
    p += name.length + 1;
  } else {
    while (p < buf.length && buf[p] !== 61) {
      if (buf[p] === 13 || buf[p] === 10) return null;
      p++;
    }
    if (p >= buf.length) return 'short';
    p++;
  }
  const start = p;
  while (p < buf.length && buf[p] !== 13) p++;
  if (buf.length - p < 2) return 'short';
  if (buf[p + 1] !== 10) return null;
  return buf.toString('latin1', start, p);
}

function compileRdp(args: readonly ArgValue[], count: boolean): FetchFn {
  const name = typeof args[0] === 'string' ? args[0] : '';
  return (ctx, visit) => {
    if (!ctx.payload) return false;
    const v = rdpCookie(ctx.payload, name);
    if (v === 'short') {
      fetchFlags.mayChange = true;
      return false;
    }
    if (count) return visit(v === null ? 0 : 1);
    return v !== null && visit(v);
  };
}

// The payload fetches by name.
export const payloadFetches: readonly FetchDef[] = [
  { name: 'req.len', outType: 'int', args: [], minArgs: 0, source: 'l6req', compile: () => reqLen },
  { name: 'req_len', outType: 'int', args: [], minArgs: 0, source: 'l6req', compile: () => reqLen },
  { name: 'req.payload', outType: 'bin', args: ['sint', 'sint'], minArgs: 2, source: 'l6req', compile: (a) => compilePayload(a, 'req') },
  { name: 'res.len', outType: 'int', args: [], minArgs: 0, source: 'http-res', compile: () => resLen },
  { name: 'res.payload', outType: 'bin', args: ['sint', 'sint'], minArgs: 2, source: 'http-res', compile: (a) => compilePayload(a, 'res') },
  { name: 'req.rdp_cookie', outType: 'str', args: ['str'], minArgs: 0, source: 'l6req', compile: (a) => compileRdp(a, false) },
  { name: 'rdp_cookie', outType: 'str', args: ['str'], minArgs: 0, source: 'l6req', compile: (a) => compileRdp(a, false) },
  { name: 'req.rdp_cookie_cnt', outType: 'int', args: ['str'], minArgs: 0, source: 'l6req', compile: (a) => compileRdp(a, true) },
  { name: 'rdp_cookie_cnt', outType: 'int', args: ['str'], minArgs: 0, source: 'l6req', compile: (a) => compileRdp(a, true) },
];
