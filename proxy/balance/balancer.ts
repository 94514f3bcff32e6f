// The balancer seam: one algorithm per file behind this interface, chosen by name from a registry.
import type { BalanceSpec } from '../config/model.ts';
import type { HttpRequestView } from '../http/message-view.ts';
import type { ServerState } from '../server/server-state.ts';

export interface PickContext {
  /** Client address (for balance source). */
  readonly src: string;
  /** The request head in mode http (for uri, url_param, hdr). */
  readonly req?: HttpRequestView;
  /** On a redispatch: the server that just failed, to be avoided when another is usable. */
  readonly avoid?: ServerState;
}

export type PickFailure =
  /** No active or backup server is usable (all down, in maintenance, or weight 0). */
  | 'no-usable-server'
  /** Usable servers exist but all are at maxconn: the request must queue. */
  | 'all-full';

export type PickResult =
  | { readonly server: ServerState; readonly reason?: undefined; readonly note?: string }
  | { readonly server: null; readonly reason: PickFailure };

/** What the explain view shows about the state a pick was made from. */
export interface BalancerSnapshot {
  readonly algorithm: string;
  /** Short human text, e.g. "weights 2/1/3, position 4 of 6" or "hash 0x1a2b -> slot 3". */
  readonly summary: string;
  readonly servers: readonly { readonly name: string; readonly weight: number; readonly usable: boolean; readonly detail?: string }[];
}

export interface Balancer {
  readonly algorithm: string;
  pick(ctx: PickContext): PickResult;
  /** Hooks fired by the backend when a server's state changes. An algorithm leaves out what it ignores
   *  (static-rr has no weightChanged: that is what makes it static). Each hook reads the server's current
   *  op/admin/effectiveWeight, so calling any of them after a change is enough; where weightChanged is
   *  absent, report a weight change as serverDown (weight 0) or serverUp, as HAProxy's srv_update_status
   *  does, after checking it with staticWeightError(). */
  serverUp?(s: ServerState): void;
  serverDown?(s: ServerState): void;
  weightChanged?(s: ServerState): void;
  /** A connection was assigned to s (s.served already incremented) / released (already decremented). */
  taken?(s: ServerState): void;
  dropped?(s: ServerState): void;
  snapshot(): BalancerSnapshot;
  /** For the explain view: which key this request has and where it lands, without changing any state
   *  (hashing algorithms only; the others explain themselves through snapshot()). */
  explain?(ctx: PickContext): string;
}

/**
 * Whether a balancer follows weight changes at run time (HAProxy's BE_LB_PROP_DYN): one without a weightChanged
 * hook is static, as an lbprm with update_server_eweight left NULL. The one place that decides it.
 */
export function followsWeightChanges(b: Balancer): boolean {
  return b.weightChanged !== undefined;
}

/** What HAProxy answers a weight change a static algorithm cannot take. */
export const STATIC_WEIGHT_ERROR = "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.";

// server_parse_weight_change_request: a static algorithm takes only 0 and the initial weight.
export function staticWeightError(dynamic: boolean, initialWeight: number, weight: number): string | null {
  return weight !== 0 && weight !== initialWeight && !dynamic ? STATIC_WEIGHT_ERROR : null;
}

export type BalancerFactory = (spec: BalanceSpec, servers: readonly ServerState[], opts: BalancerOptions) => Balancer;

export interface BalancerOptions {
  /** option allbackups: spread over all backup servers instead of using only the first. */
  readonly allBackups: boolean;
  /** Random source for 'random' (tests inject a seeded one). */
  readonly random?: () => number;
}
