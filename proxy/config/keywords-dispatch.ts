// "dispatch ADDR:PORT" (cfgparse-listen.c): the one address a backend without a balancing algorithm sends every
// stream to. Whether it is used or ignored ("balance mode") is decided after parsing (see dispatchTarget).
import type { ProxyLineContext } from './context.ts';
import type { ProxyDraft } from './draft.ts';
import { parseAddress } from './address.ts';

export function parseDispatch(c: ProxyLineContext): void {
  if (c.isDefaults) return c.alert(`'dispatch' not allowed in 'defaults' section.`);
  // HAProxy warns about a frontend and still reads the address (a bad one is an error there too)
  const ignored = c.notCap('backend', 'dispatch');
  const text = c.arg(1);
  if (text === '') return c.alert(`'dispatch' : '' resolves to an empty address (environment variable missing?)`);
  const a = parseAddress(text, { keyword: 'dispatch', portRequired: true, allowPortZero: false, env: c.state.env });
  if (!a.ok) {
    if ('unsupported' in a) return c.unsupported(`'dispatch' with ${a.unsupported}`, { at: c.word(1) });
    return c.alert(`'dispatch' : ${a.error}`, { at: c.word(1) });
  }
  if (c.tooManyArgs(1)) return;
  if (!ignored) c.proxy.dispatch = { host: a.host ?? '0.0.0.0', port: a.port, loc: c.loc };
}

/**
 * The dispatch address a backend uses, or none. check_config_validity(): a balancing algorithm (written in the
 * section or inherited from its defaults) is "balance mode", where dispatch is ignored with a warning; without one
 * the dispatch address takes every stream, servers or not.
 */
export function dispatchTarget(p: ProxyDraft): { host: string; port: number } | undefined {
  if (!p.dispatch || p.balance.loc) return undefined;
  return { host: p.dispatch.host, port: p.dispatch.port };
}
