// Converters that read the proxies' live state by a name found at run time (src/backend.c): nbsrv gives the
// usable servers of the backend its input names, srv_queue the queue of "backend/server" (or of a server of
// the section the expression is written in). An unknown name fails the sample.
import type { ConverterDef } from './converters.ts';
import { splitServerArg } from './fetches/proxy-state.ts';

export const STATE_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'nbsrv', inType: 'str', outType: 'int', args: [], minArgs: 0,
    compile: () => (v, ctx) => ctx.state?.nbsrv(v as string),
  },
  {
    name: 'srv_queue', inType: 'str', outType: 'int', args: [], minArgs: 0,
    compile: (_a, scope) => (v, ctx) => {
      // without a backend part, smp->px: the proxy whose rules run, which must be a backend (a frontend fails)
      const here = scope.proxy !== '' ? scope.proxy : ctx.backend?.name ?? ctx.frontend?.name ?? '';
      const { backend, server } = splitServerArg(v as string, here);
      return ctx.state?.serverLoad?.(backend, server)?.queued;
    },
  },
];
