// `option forwardfor`, ready to run: its `except` network is built once, when the config loads.
import { BlockList, isIP } from 'node:net';
import type { ForwardForSpec } from '../config/model.ts';

export interface ForwardFor {
  /** The header name, lowercased as it is sent. */
  readonly header: string;
  readonly ifNone: boolean;
  /** Clients in this network get no header. */
  readonly except: BlockList | undefined;
}

export function compileForwardFor(spec: ForwardForSpec | undefined): ForwardFor | undefined {
  if (!spec) return undefined;
  let except: BlockList | undefined;
  if (spec.except) {
    except = new BlockList();
    const [addr, bits] = spec.except.split('/');
    const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits) except.addSubnet(addr!, Number(bits), family);
    else except.addAddress(addr!, family);
  }
  return { header: spec.header.toLowerCase(), ifNone: spec.ifNone, except };
}

export function exempt(ff: ForwardFor, ip: string): boolean {
  return ff.except !== undefined && ff.except.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}
