// The request body as HAProxy has buffered it when the rules run (smp_fetch_body, _body_len, _body_size,
// _body_param of src/http_fetch.c): all of it with option http-buffer-request, up to what fits in the buffer,
// else only what arrived with the head.
import type { FetchDef, FetchFn } from '../sample.ts';
import { eachParam } from './http-path.ts';

const body: FetchFn = (ctx, visit) => (ctx.reqBody ? visit(ctx.reqBody().data) : false);
const bodyLen: FetchFn = (ctx, visit) => (ctx.reqBody ? visit(ctx.reqBody().data.length) : false);
const bodySize: FetchFn = (ctx, visit) => (ctx.reqBody ? visit(ctx.reqBody().size) : false);

function bodyParam(name: string): FetchFn {
  return (ctx, visit) => {
    if (!ctx.reqBody) return false;
    const text = ctx.reqBody().data.toString('latin1');
    // a sample expression keeps the last value visited where HAProxy's gives the first: visit in reverse (an ACL
    // tries them all, so the order does not change its verdict)
    const values: string[] = [];
    eachParam(text, 0, name, 38, (v) => {
      values.push(v);
      return false;
    });
    for (let i = values.length - 1; i >= 0; i--) if (visit(Buffer.from(values[i]!, 'latin1'))) return true;
    return false;
  };
}

const req = (name: string, outType: FetchDef['outType'], fn: FetchFn): FetchDef => ({ name, outType, args: [], minArgs: 0, source: 'http-req', compile: () => fn });

export const httpBodyFetches: readonly FetchDef[] = [
  req('req.body', 'bin', body),
  req('req.body_len', 'int', bodyLen),
  req('req.body_size', 'int', bodySize),
  { name: 'req.body_param', outType: 'bin', args: ['str'], minArgs: 0, source: 'http-req', compile: (a) => bodyParam(typeof a[0] === 'string' ? a[0] : '') },
];
