// What the response filters did (src/flt_http_comp.c's smp_fetch_res_comp*): whether the response is being
// compressed and with which algorithm, as its configuration names it.
import type { FetchDef, FetchFn } from '../sample.ts';

const comp: FetchFn = (ctx, visit) => visit(ctx.res?.compAlgo !== undefined);
const compAlgo: FetchFn = (ctx, visit) => (ctx.res?.compAlgo !== undefined ? visit(ctx.res.compAlgo) : false);

export const responseFilterFetches: readonly FetchDef[] = [
  { name: 'res.comp', outType: 'bool', args: [], minArgs: 0, source: 'http-res-persist', compile: () => comp },
  { name: 'res.comp_algo', outType: 'str', args: [], minArgs: 0, source: 'http-res-persist', compile: () => compAlgo },
];
