// Raw request-buffer fetches for tcp-request content rules (HAProxy's src/payload.c); no sample in mode http.
import type { FetchDef, FetchFn, ArgValue } from '../sample.ts';

const reqLen: FetchFn = (ctx, visit) => (ctx.payload ? visit(ctx.payload.length) : false);

// req.payload(offset,length): the bytes there once buffered; length 0 means "everything after offset".
function compilePayload(args: readonly ArgValue[]): FetchFn {
  const off = typeof args[0] === 'number' ? args[0] : 0;
  const len = typeof args[1] === 'number' ? args[1] : 0;
  return (ctx, visit) => {
    const buf = ctx.payload;
    if (!buf || off < 0 || len < 0 || off + len > buf.length) return false;
    return visit(buf.subarray(off, len === 0 ? buf.length : off + len));
  };
}

export const payloadFetches: readonly FetchDef[] = [
  { name: 'req.len', outType: 'int', args: [], minArgs: 0, source: 'l6req', compile: () => reqLen },
  { name: 'req_len', outType: 'int', args: [], minArgs: 0, source: 'l6req', compile: () => reqLen },
  { name: 'req.payload', outType: 'bin', args: ['sint', 'sint'], minArgs: 2, source: 'l6req', compile: compilePayload },
];
