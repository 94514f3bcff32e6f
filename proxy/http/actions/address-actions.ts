// http-request set-src / set-dst / set-src-port / set-dst-port (tcp_act.c): the stream's client-side addresses
// change for what follows - later rules and fetches, the balancer's source hash, X-Forwarded-For and the log.
// An address keeps its port, a port keeps its address; a value that is not one leaves things as they were.
import net from 'node:net';
import type { SampleScope } from '../../sample/scope.ts';
import type { HttpRequestRule } from '../../config/model.ts';
import type { SampleContext } from '../../sample/context.ts';
import { compileSampleExpr } from '../../sample/sample-expr.ts';

export type AddressRule = Extract<HttpRequestRule, { action: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port' }>;

export const ADDRESS_ACTIONS = new Set(['set-src', 'set-dst', 'set-src-port', 'set-dst-port']);

/** Parses "ACTION <expr>" from word `at`. */
export function parseAddressAction(action: AddressRule['action'], text: string, scope: SampleScope): { rule: Omit<AddressRule, 'loc' | 'text' | 'cond'> } | { error: string } {
  if (text === '') return { error: `expects a sample expression` };
  const expr = compileSampleExpr(text, scope);
  if ('error' in expr) return { error: expr.error };
  return { rule: { action, expr } };
}

type Addresses = { src: string; srcPort: number; dst: string; dstPort: number; addressesSet?: boolean };

export function applyAddressRule(rule: AddressRule, ctx: SampleContext): void {
  const v = rule.expr.evaluate(ctx);
  if (v === undefined) return;
  const a = ctx as unknown as Addresses;
  if (rule.action === 'set-src' || rule.action === 'set-dst') {
    const ip = v.startsWith('::ffff:') && net.isIP(v.slice(7)) === 4 ? v.slice(7) : v;
    if (net.isIP(ip) === 0) return;
    if (rule.action === 'set-src') a.src = ip;
    else a.dst = ip;
    a.addressesSet = true;
    return;
  }
  if (!/^-?\d+$/.test(v)) return;
  const port = ((Number(v) % 65536) + 65536) % 65536;
  if (rule.action === 'set-src-port') a.srcPort = port;
  else a.dstPort = port;
  a.addressesSet = true;
}
