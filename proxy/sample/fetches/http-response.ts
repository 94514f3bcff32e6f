// The response's status line, for http-response rules (HAProxy's smp_fetch_stcode and smp_fetch_stver).
import type { FetchDef, FetchFn } from '../sample.ts';

const status: FetchFn = (ctx, visit) => (ctx.res ? visit(ctx.res.status) : false);
const version: FetchFn = (ctx, visit) => (ctx.res ? visit(ctx.res.version) : false);

function res(name: string, outType: FetchDef['outType'], fn: FetchFn, persist = false): FetchDef {
  return { name, outType, args: [], minArgs: 0, source: persist ? 'http-res-persist' : 'http-res', compile: () => fn };
}

// status is the transaction's (HAProxy's SMP_USE_HRSHP): still there when the log line is written
export const httpResponseFetches: readonly FetchDef[] = [
  res('status', 'int', status, true),
  res('res.ver', 'str', version),
  res('resp_ver', 'str', version),
];
