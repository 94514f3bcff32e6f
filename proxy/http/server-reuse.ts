// http-reuse (HAProxy 2.6): which idle server connection a request may take. never: only the one its own client
// connection used before; safe (the default): none for a client connection's first request, any after; aggressive:
// on a first request only one that already carried more than one request; always: any. A dispatch address's
// connections are all private, as never's.
import type { ProxySpec } from '../config/model.ts';

export interface ReusableConn {
  readonly owner: object | null;
  readonly requests: number;
}

export function mayReuse(be: ProxySpec, firstRequest: boolean, conn: ReusableConn, session: object): boolean {
  // a connection to the dispatch address is private to its client connection whatever the mode (connect_server)
  if (be.dispatch) return conn.owner === session;
  switch (be.options.httpReuse ?? 'safe') {
    case 'never':
      return conn.owner === session;
    case 'safe':
      return !firstRequest || conn.owner === session;
    case 'aggressive':
      return !firstRequest || conn.owner === session || conn.requests > 1;
    case 'always':
      return true;
  }
}
