// http-check send-state: the X-Haproxy-Server-State header a check carries (src/check.c
// httpchk_build_status_header), e.g. "UP 2/3; address=127.0.0.1; port=8080; name=be/s1; node=host; weight=1/2;
// scur=0/0; qcur=0", with "; throttle=N%" while slowstart holds the server back.
import { hostname } from 'node:os';
import type { ServerState } from '../server-state.ts';
import { clockSecond, statsWeight } from '../slowstart.ts';

/** What the header reads of the server's backend. */
export interface BackendLoad {
  readonly servers: readonly ServerState[];
  /** Connections open to the backend (beconn) and requests in its queue. */
  readonly connections: number;
  readonly queued: number;
  readonly allBackups: boolean;
}

function usable(s: ServerState): boolean {
  return s.effectiveWeight > 0 && s.admin === 'ready' && (s.op === 'up' || s.op === 'starting');
}

// lbprm.tot_weight: the active servers' weights, else the backups' (all of them, or the first one).
function totalWeight(servers: readonly ServerState[], allBackups: boolean): number {
  const act = servers.filter((s) => !s.backup && usable(s));
  if (act.length > 0) return act.reduce((n, s) => n + s.effectiveWeight, 0);
  const bck = servers.filter((s) => s.backup && usable(s));
  if (allBackups) return bck.reduce((n, s) => n + s.effectiveWeight, 0);
  return bck[0]?.effectiveWeight ?? 0;
}

function stateText(s: ServerState): string {
  const { rise, fall } = s.spec;
  if (!s.spec.check) return 'no check';
  if (s.op !== 'down') {
    const full = s.health === rise + fall - 1;
    const word = s.op === 'stopping' ? 'NOLB' : 'UP';
    return full ? word : `${word} ${s.health - rise + 1}/${fall}`;
  }
  return s.health ? `DOWN ${s.health}/${rise}` : 'DOWN';
}

export function serverStateHeader(s: ServerState, host: string, port: number, load: BackendLoad, nowMs: number): string {
  let out = `${stateText(s)}; address=${host}; port=${port}; name=${s.backend}/${s.name}; node=${hostname()}`;
  out += `; weight=${statsWeight(s.effectiveWeight)}/${statsWeight(totalWeight(load.servers, load.allBackups))}`;
  out += `; scur=${s.served}/${load.connections - load.queued}; qcur=${s.queued}`;
  const ss = s.spec.slowstart;
  if (s.op === 'starting' && ss && s.warmSince !== undefined) {
    const elapsed = clockSecond(nowMs) - s.warmSince;
    if (elapsed >= 0 && elapsed < ss) out += `; throttle=${Math.max(1, Math.floor((100 * elapsed) / ss))}%`;
  }
  return out;
}
