// What the response filters did: whether the response is being compressed and with which algorithm, as its
// configuration names it (src/flt_http_comp.c's smp_fetch_res_comp*); whether it came from a cache, and which
// (src/cache.c's smp_fetch_res_cache_*).
import type { FetchDef, FetchFn } from '../sample.ts';

const comp: FetchFn = (ctx, visit) => visit(ctx.res?.compAlgo !== undefined);
const compAlgo: FetchFn = (ctx, visit) => (ctx.res?.compAlgo !== undefined ? visit(ctx.res.compAlgo) : false);

const cacheHit: FetchFn = (ctx, visit) => visit(ctx.res?.cacheName !== undefined);
const cacheName: FetchFn = (ctx, visit) => (ctx.res?.cacheName !== undefined ? visit(ctx.res.cacheName) : false);

export const responseFilterFetches: readonly FetchDef[] = [
  { name: 'res.comp', outType: 'bool', args: [], minArgs: 0, source: 'http-res-persist', compile: () => comp },
  { name: 'res.comp_algo', outType: 'str', args: [], minArgs: 0, source: 'http-res-persist', compile: () => compAlgo },
  { name: 'res.cache_hit', outType: 'bool', args: [], minArgs: 0, source: 'http-res-persist', compile: () => cacheHit },
  { name: 'res.cache_name', outType: 'str', args: [], minArgs: 0, source: 'http-res-persist', compile: () => cacheName },
];
