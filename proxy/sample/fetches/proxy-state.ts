// Proxy and server state fetches (HAProxy's src/backend.c and src/frontend.c): nbsrv, be_conn, queue, fe_conn,
// srv_is_up, srv_conn, the weights, the session and request rates, the free places (connslots, be_conn_free,
// srv_conn_free), avg_queue and fe_defbe. They read SampleContext.state, which the engine fills; an omitted backend or frontend
// argument means the section the ACL is written in, and names are checked after parsing (see ../arg-refs.ts).
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
        // a format string is compiled without its section's name: the section is then the stream's backend
        const be = backend !== '' ? backend : ctx.backend?.name ?? ctx.frontend?.name ?? '';
        const v = ctx.state ? read(ctx.state, be, server) : undefined;
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
  serverFetch('srv_weight', 'int', (s, b, v) => s.serverLoad?.(b, v)?.weight),
  serverFetch('srv_uweight', 'int', (s, b, v) => s.serverLoad?.(b, v)?.userWeight),
  serverFetch('srv_iweight', 'int', (s, b, v) => s.serverLoad?.(b, v)?.initialWeight),
  serverFetch('srv_queue', 'int', (s, b, v) => s.serverLoad?.(b, v)?.queued),
  proxyFetch('fe_sess_rate', 'int', 'fe', (s, p) => s.feSessRate?.(p)),
  proxyFetch('fe_req_rate', 'int', 'fe', (s, p) => s.feReqRate?.(p)),
  proxyFetch('be_sess_rate', 'int', 'be', (s, p) => s.beSessRate?.(p)),
  serverFetch('srv_sess_rate', 'int', (s, b, v) => s.srvSessRate?.(b, v)),
  proxyFetch('connslots', 'int', 'be', (s, p) => s.connSlots?.(p)),
  proxyFetch('be_conn_free', 'int', 'be', (s, p) => s.beConnFree?.(p)),
  serverFetch('srv_conn_free', 'int', (s, b, v) => s.srvConnFree?.(b, v)),
  proxyFetch('avg_queue', 'int', 'be', (s, p) => s.avgQueue?.(p)),
  {
    // the session's frontend's default_backend (smp_fetch_fe_defbe)
    name: 'fe_defbe', outType: 'str', args: [], minArgs: 0, source: 'l4',
    compile: (): FetchFn => (ctx, visit) => {
      const be = ctx.frontend && ctx.state?.defaultBackend?.(ctx.frontend.name);
      return be !== undefined && visit(be);
    },
  },
  timeoutFetch('be_server_timeout', 'backend', 'server'),
  timeoutFetch('be_tunnel_timeout', 'backend', 'tunnel'),
  timeoutFetch('fe_client_timeout', 'frontend', 'client'),
  streamTimeoutFetch('cur_server_timeout', 'server'),
  streamTimeoutFetch('cur_tunnel_timeout', 'tunnel'),
];

// be_server_timeout, be_tunnel_timeout (the stream's backend, which is the frontend itself until one is chosen)
// and fe_client_timeout, in milliseconds; 0 when not set (TICKS_TO_MS of TICK_ETERNITY).
function timeoutFetch(name: string, of: 'backend' | 'frontend', which: 'client' | 'server' | 'tunnel'): FetchDef {
  return {
    name, outType: 'int', args: [], minArgs: 0, source: of === 'backend' ? 'backend' : 'l4',
    compile: (): FetchFn => (ctx, visit) => {
      const proxy = of === 'backend' ? (ctx.backend ?? ctx.frontend) : ctx.frontend;
      const t = proxy && ctx.state?.timeouts?.(proxy.name);
      return t !== undefined && visit(t[which] ?? 0);
    },
  };
}

// cur_server_timeout, cur_tunnel_timeout: the stream's own (set-timeout, or the backend's once connected), 0 unset.
function streamTimeoutFetch(name: string, which: 'server' | 'tunnel'): FetchDef {
  return {
    name, outType: 'int', args: [], minArgs: 0, source: 'backend',
    compile: (): FetchFn => (ctx, visit) => ctx.streamTimeouts !== undefined && visit(ctx.streamTimeouts[which] ?? 0),
  };
}
