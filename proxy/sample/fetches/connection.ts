// Layer-4 fetches (HAProxy's src/tcp_sample.c) and the constant ones (src/sample.c).
import { networkInterfaces } from 'node:os';
import type { FetchDef, FetchFn } from '../sample.ts';

const src: FetchFn = (ctx, visit) => visit(ctx.src);
const srcPort: FetchFn = (ctx, visit) => visit(ctx.srcPort);
const dst: FetchFn = (ctx, visit) => visit(ctx.dst);
const dstPort: FetchFn = (ctx, visit) => visit(ctx.dstPort);
const yes: FetchFn = (_ctx, visit) => visit(true);
const no: FetchFn = (_ctx, visit) => visit(false);

// addr_is_local: HAProxy binds a socket to the address; the ones that bind are all of 127.0.0.0/8 and ::1 (the
// loopback routes) and the host's interface addresses.
function isLocal(addr: string): boolean {
  const a = addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
  if (/^127\./.test(a) || a === '::1') return true;
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((i) => i.address === a));
}
const srcIsLocal: FetchFn = (ctx, visit) => visit(isLocal(ctx.src));
const dstIsLocal: FetchFn = (ctx, visit) => visit(isLocal(ctx.dst));

// One definition per name; aliases (fc_src = src) share the compiled function.
function l4(name: string, outType: FetchDef['outType'], fn: FetchFn): FetchDef {
  return { name, outType, args: [], minArgs: 0, source: 'l4', compile: () => fn };
}

// The connection and constant fetches by name.
// fc_http_major, http_first_req: what the HTTP session tells of its connection
const httpConnFetches: readonly FetchDef[] = [
  { name: 'fc_http_major', outType: 'int', args: [], minArgs: 0, source: 'l4', compile: () => (ctx, visit) => ctx.httpMajor !== undefined && visit(ctx.httpMajor) },
  { name: 'http_first_req', outType: 'bool', args: [], minArgs: 0, source: 'http-req-persist', compile: () => (ctx, visit) => ctx.firstRequest !== undefined && visit(ctx.firstRequest) },
];

export const connectionFetches: readonly FetchDef[] = [
  l4('src', 'ip', src),
  l4('fc_src', 'ip', src),
  l4('src_port', 'int', srcPort),
  l4('fc_src_port', 'int', srcPort),
  l4('dst', 'ip', dst),
  l4('fc_dst', 'ip', dst),
  l4('dst_port', 'int', dstPort),
  l4('fc_dst_port', 'int', dstPort),
  l4('src_is_local', 'bool', srcIsLocal),
  l4('fc_src_is_local', 'bool', srcIsLocal),
  l4('dst_is_local', 'bool', dstIsLocal),
  l4('fc_dst_is_local', 'bool', dstIsLocal),
  { name: 'always_true', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => yes },
  { name: 'always_false', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => no },
  ...httpConnFetches,
];
