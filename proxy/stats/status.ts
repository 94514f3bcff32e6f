// What the stats show as a server's and a backend's status, computed as HAProxy 2.6 does
// (src/stats.c stats_fill_sv_stats_computestate, stats_fill_be_stats, src/backend.c recount_servers).
import type { BackendSnapshot, ServerSnapshot } from '../api.ts';

// "UP", "UP 1/3" (going down), "DOWN", "DOWN 1/2" (going up), "DRAIN", "MAINT", "no check".
export function serverStatusText(s: ServerSnapshot): string {
  if (s.admin === 'maint') return s.maintCause === 'resolution' ? 'MAINT (resolution)' : 'MAINT';
  const full = s.rise + s.fall - 1;
  if (s.op === 'up' || s.op === 'starting') {
    const goingDown = s.check && s.health < full;
    const counts = `${s.health - s.rise + 1}/${s.fall}`;
    if (s.admin === 'drain') return s.agent ? 'DRAIN (agent)' : goingDown ? `DRAIN ${counts}` : 'DRAIN';
    if (goingDown) return `UP ${counts}`;
    return s.check ? 'UP' : 'no check';
  }
  if (s.op === 'stopping') return s.check && s.health < full ? `NOLB ${s.health - s.rise + 1}/${s.fall}` : 'NOLB';
  if (s.agent && s.agent.health === 0) return 'DOWN (agent)';
  if (s.check && s.health === 0) return 'DOWN';
  if (s.check || s.agent) return `DOWN ${s.health}/${s.rise}`;
  return 'DOWN';
}

// srv_willbe_usable(): weight above 0, not in maintenance nor drain, and up.
export function serverUsable(s: Pick<ServerSnapshot, 'op' | 'admin' | 'effectiveWeight'>): boolean {
  return s.effectiveWeight > 0 && s.admin === 'ready' && (s.op === 'up' || s.op === 'starting');
}

export interface BackendTotals {
  /** Usable active / backup servers (srv_act, srv_bck). */
  readonly active: number;
  readonly backup: number;
  /** The weight the balancer spreads over: active servers', or the first backup's (all backups' with allbackups). */
  readonly totalWeight: number;
  /** Sum of user weights of the servers in use (stats "uweight"). */
  readonly userWeight: number;
}

// recount_servers() + the backend's tot_weight: what the BACKEND row shows as weight, act, bck, status.
export function backendTotals(b: BackendSnapshot, allBackups = false): BackendTotals {
  let active = 0;
  let backup = 0;
  let wact = 0;
  let wbck = 0;
  let firstBackup: ServerSnapshot | undefined;
  for (const s of b.servers) {
    if (!serverUsable(s)) continue;
    if (s.backup) {
      if (!firstBackup) firstBackup = s;
      backup++;
      wbck += s.effectiveWeight;
    } else {
      active++;
      wact += s.effectiveWeight;
    }
  }
  if (active > 0) return { active, backup, totalWeight: wact, userWeight: b.servers.filter((s) => !s.backup && serverUsable(s)).reduce((n, s) => n + s.weight, 0) };
  if (allBackups) return { active, backup, totalWeight: wbck, userWeight: b.servers.filter((s) => s.backup && serverUsable(s)).reduce((n, s) => n + s.weight, 0) };
  return { active, backup, totalWeight: firstBackup?.effectiveWeight ?? 0, userWeight: firstBackup?.weight ?? 0 };
}

// "UP" while some weight can take traffic (or the backend has no server at all), else "DOWN".
export function backendStatusText(b: BackendSnapshot, allBackups = false): string {
  return backendTotals(b, allBackups).totalWeight > 0 || b.servers.length === 0 ? 'UP' : 'DOWN';
}
