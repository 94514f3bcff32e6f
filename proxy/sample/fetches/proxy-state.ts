// Proxy and server state fetches (HAProxy's src/backend.c and src/frontend.c): nbsrv, be_conn, queue, fe_conn,
// srv_is_up, srv_conn. They read SampleContext.state, which the engine fills; an omitted backend or frontend
// argument means the section the ACL is written in, and names are checked after parsing (see references.ts).
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import type { ProxyStateView } from '../context.ts';

type ProxyRead = (state: ProxyStateView, proxy: string) => number | boolean | undefined;
type ServerRead = (state: ProxyStateView, backend: string, server: string) => number | boolean | undefined;

function proxyFetch(name: string, outType: 'int' | 'bool', arg: 'be' | 'fe', read: ProxyRead): FetchDef {
  return {
    name, outType, args: [arg], minArgs: 1, source: 'const',
    compile: (args: readonly ArgValue[], current: string): FetchFn => {
      const target = typeof args[0] === 'string' && args[0] !== '' ? args[0] : current;
      return (ctx, visit) => {
        const v = ctx.state ? read(ctx.state, target) : undefined;
        return v !== undefined && visit(v);
      };
    },
  };
}

/** Splits "backend/server" (or "server", meaning the current section) as HAProxy's ARGT_SRV resolution does. */
export function splitServerArg(arg: string, current: string): { backend: string; server: string } {
  const slash = arg.lastIndexOf('/');
  return slash < 0 ? { backend: current, server: arg } : { backend: arg.slice(0, slash), server: arg.slice(slash + 1) };
}

function serverFetch(name: string, outType: 'int' | 'bool', read: ServerRead): FetchDef {
  return {
    name, outType, args: ['srv'], minArgs: 1, source: 'const',
    compile: (args: readonly ArgValue[], current: string): FetchFn => {
      const { backend, server } = splitServerArg(typeof args[0] === 'string' ? args[0] : '', current);
      return (ctx, visit) => {
        const v = ctx.state ? read(ctx.state, backend, server) : undefined;
        return v !== undefined && visit(v);
      };
    },
  };
}

// The state fetches by name.
export const proxyStateFetches: readonly FetchDef[] = [
  proxyFetch('nbsrv', 'int', 'be', (s, p) => s.nbsrv(p)),
  proxyFetch('be_conn', 'int', 'be', (s, p) => s.beConn(p)),
  proxyFetch('queue', 'int', 'be', (s, p) => s.queue(p)),
  proxyFetch('fe_conn', 'int', 'fe', (s, p) => s.feConn(p)),
  serverFetch('srv_is_up', 'bool', (s, b, v) => s.srvIsUp(b, v)),
  serverFetch('srv_conn', 'int', (s, b, v) => s.srvConn(b, v)),
];
