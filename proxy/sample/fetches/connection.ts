// Layer-4 fetches (HAProxy's src/tcp_sample.c) and the constant ones (src/sample.c).
import type { FetchDef, FetchFn } from '../sample.ts';

const src: FetchFn = (ctx, visit) => visit(ctx.src);
const srcPort: FetchFn = (ctx, visit) => visit(ctx.srcPort);
const dst: FetchFn = (ctx, visit) => visit(ctx.dst);
const dstPort: FetchFn = (ctx, visit) => visit(ctx.dstPort);
const yes: FetchFn = (_ctx, visit) => visit(true);
const no: FetchFn = (_ctx, visit) => visit(false);

// One definition per name; aliases (fc_src = src) share the compiled function.
function l4(name: string, outType: FetchDef['outType'], fn: FetchFn): FetchDef {
  return { name, outType, args: [], minArgs: 0, source: 'l4', compile: () => fn };
}

// The connection and constant fetches by name.
export const connectionFetches: readonly FetchDef[] = [
  l4('src', 'ip', src),
  l4('fc_src', 'ip', src),
  l4('src_port', 'int', srcPort),
  l4('fc_src_port', 'int', srcPort),
  l4('dst', 'ip', dst),
  l4('fc_dst', 'ip', dst),
  l4('dst_port', 'int', dstPort),
  l4('fc_dst_port', 'int', dstPort),
  { name: 'always_true', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => yes },
  { name: 'always_false', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => no },
];
