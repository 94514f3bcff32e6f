// option prefer-last-server: a server of the backend that holds an idle connection of this client connection's
// own (a private one, as http-reuse never keeps them), while it is usable; hash balancing keeps deciding
// (assign_server skips BE_LB_KIND_HI).
import type { LiveBackend } from '../live/live-backend.ts';
import type { ServerState } from '../server/server-state.ts';
import type { ServerConn } from './exchange.ts';

// The algorithms HAProxy counts as hashing the input (BE_LB_KIND_HI), random included.
const HASHING = new Set(['source', 'uri', 'url_param', 'hdr', 'rdp-cookie', 'random']);

/** The server `owner` (a client connection) last used on `be`, when prefer-last-server applies. */
export function lastServer(be: LiveBackend, owner: object): ServerState | null {
  // only a private connection stays with its client (the engine makes them under http-reuse never); a safe one
  // went to the server's shared pool
  const opts = be.spec.options;
  if (!opts.preferLastServer || opts.httpReuse !== 'never' || HASHING.has(be.spec.balance.algorithm)) return null;
  for (const [server, list] of be.idle) {
    if (server.usable && list.some((c) => (c as ServerConn).owner === owner && !c.sock.destroyed)) return server;
  }
  return null;
}
