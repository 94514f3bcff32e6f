// The health counter and check intervals, as HAProxy 2.6 keeps them (src/check.c set_server_check_status,
// check_notify_failure/success; src/server.c srv_getinter). One counter from 0 to rise+fall-1: a server is
// UP while health >= rise. A failure decrements it and drops it to 0 as soon as it goes below rise; a success
// increments it and jumps it to rise+fall-1 once it reaches rise. So from full health it takes `fall`
// failures to go DOWN, and from 0 it takes `rise` successes to come UP.
import type { ServerSpec } from '../../config/model.ts';
import type { ServerState } from '../server-state.ts';
import type { CheckResultKind } from './status.ts';

/** What one check result did to the counter. */
export interface HealthStep {
  readonly health: number;
  /** A failure that counted (health was above 0): HAProxy's failed_checks counter increments. */
  readonly countedFailure: boolean;
}

// HAProxy sets check->health = rise when parsing "check" (src/server.c): a server starts UP but one failed
// check takes it DOWN; only after the first full rise does it need `fall` failures.
export function initialHealth(spec: Pick<ServerSpec, 'rise'>): number {
  return spec.rise;
}

// The counter after one check result (set_server_check_status).
export function stepHealth(health: number, rise: number, fall: number, result: CheckResultKind): HealthStep {
  const max = rise + fall - 1;
  if (result === 'failed') {
    if (health <= 0) return { health: 0, countedFailure: false };
    const h = health - 1;
    return { health: h < rise ? 0 : h, countedFailure: true };
  }
  if (result === 'passed' || result === 'condpass') {
    if (health >= max) return { health: max, countedFailure: false };
    const h = health + 1;
    return { health: h >= rise ? max : h, countedFailure: false };
  }
  return { health, countedFailure: false };
}

/** The operational change a step asks for, or null (check_notify_failure / check_notify_success). */
export type HealthTransition = 'up' | 'down' | 'stopping' | null;

// Whether the server crosses: DOWN when health reached 0 and it is not down yet; UP when health >= rise and
// it is down. A server in maintenance never changes (its checks are paused).
export function transitionFor(server: Pick<ServerState, 'op' | 'admin'>, health: number, rise: number, result: CheckResultKind): 'up' | 'down' | null {
  if (server.admin === 'maint') return null;
  if (result === 'failed') return health === 0 && server.op !== 'down' ? 'down' : null;
  if (result === 'passed' || result === 'condpass') return health >= rise && server.op === 'down' ? 'up' : null;
  return null;
}

// The delay before the next check (srv_getinter): inter at full health, downinter when fully down,
// fastinter while the counter moves; fastinter and downinter default to inter.
export function checkInterval(spec: Pick<ServerSpec, 'inter' | 'fastinter' | 'downinter' | 'rise' | 'fall'>, health: number, down: boolean): number {
  if (health === spec.rise + spec.fall - 1) return spec.inter;
  if (down && health === 0) return spec.downinter || spec.inter;
  return spec.fastinter || spec.inter;
}

// Bookkeeping HAProxy does on every operational change (srv_update_status): last change time, time spent
// down, and the DOWN transition counter. Both the health checks and the runtime API call it.
export function recordStateChange(server: ServerState, to: 'up' | 'down' | 'stopping', now: number): void {
  if (to === 'down') {
    server.downTransitions++;
  } else if (server.op === 'down') {
    server.downTimeMs += Math.max(0, now - server.lastStateChange);
  }
  server.lastStateChange = now;
}

// Total time down in ms, the current DOWN period included (srv_downtime).
export function downTimeMs(server: Pick<ServerState, 'op' | 'downTimeMs' | 'lastStateChange'>, now: number): number {
  return server.downTimeMs + (server.op === 'down' ? Math.max(0, now - server.lastStateChange) : 0);
}
