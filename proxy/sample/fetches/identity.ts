// Which frontend, backend and server handle the request (HAProxy's fe_name/fe_id in src/frontend.c, be_name/be_id
// and srv_name/srv_id in src/backend.c): e.g. "http-response set-header X-Served-By %[srv_name]".
import type { FetchDef, FetchFn } from '../sample.ts';
import type { NamedId, SampleContext } from '../context.ts';

function identity(name: string, source: 'frontend' | 'backend' | 'server', of: (ctx: SampleContext) => NamedId | undefined, field: 'name' | 'id'): FetchDef {
  const fn: FetchFn = (ctx, visit) => {
    const who = of(ctx);
    return who ? visit(who[field]) : false;
  };
  return { name, outType: field === 'name' ? 'str' : 'int', args: [], minArgs: 0, source, compile: () => fn };
}

export const identityFetches: readonly FetchDef[] = [
  identity('fe_name', 'frontend', (c) => c.frontend, 'name'),
  identity('fe_id', 'frontend', (c) => c.frontend, 'id'),
  identity('be_name', 'backend', (c) => c.backend, 'name'),
  identity('be_id', 'backend', (c) => c.backend, 'id'),
  identity('srv_name', 'server', (c) => c.server, 'name'),
  identity('srv_id', 'server', (c) => c.server, 'id'),
];
