// option originalto: the X-Original-To header (or the one "header" names) carries the address the client
// connected to, unless it is in an "except" network (http_process_request, after X-Forwarded-For).
import { BlockList, isIP } from 'node:net';
import type { ProxySpec } from '../config/model.ts';

const nets = new WeakMap<object, BlockList | null>();

function exceptNet(o: { readonly except?: string } | undefined): BlockList | null {
  if (!o?.except) return null;
  let b = nets.get(o);
  if (b !== undefined) return b;
  b = new BlockList();
  const [addr, bits] = o.except.split('/');
  const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
  if (bits) b.addSubnet(addr!, Number(bits), family);
  else b.addAddress(addr!, family);
  nets.set(o, b);
  return b;
}

/** The header line to add for this request ("name: addr"), or null. The backend's header name wins. */
export function originalToHeader(fe: ProxySpec, be: ProxySpec, dst: string): { name: string; value: string } | null {
  const f = fe.options.originalto;
  const b = be.options.originalto;
  if (!f && !b) return null;
  const family = isIP(dst);
  if (family === 0) return null;
  for (const o of [f, b]) {
    const n = exceptNet(o);
    if (n && n.check(dst, family === 6 ? 'ipv6' : 'ipv4')) return null;
  }
  return { name: (b?.header ?? f?.header ?? 'X-Original-To').toLowerCase(), value: dst };
}
