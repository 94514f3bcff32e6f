// The sentences HAProxy 2.6 logs when a server changes state (src/server.c srv_update_status and
// srv_append_status, src/backend.c set_backend_down), built from the same parts in the same order.
// Verified against haproxy 2.6.12 with `log stdout format raw`: the log line is the sentence plus a final ".".
import type { ServerState } from '../server-state.ts';
import { checkStatusDescription, checkStatusHasCode } from './status.ts';

/** Why a state changed: a check result, a free text ("changed from CLI"), or nothing. */
export type StateReason =
  | { readonly status: string; readonly code?: number; readonly desc: string; readonly durationMs: number }
  | string
  | undefined;

/** Servers that can take traffic after the change (HAProxy's srv_act / srv_bck after recount_servers). */
export interface UsableCounts {
  readonly active: number;
  readonly backup: number;
}

type Named = Pick<ServerState, 'backend' | 'name' | 'backup'>;
type Loaded = Named & Pick<ServerState, 'served' | 'queued'>;
type Countable = Pick<ServerState, 'backup' | 'op' | 'admin' | 'effectiveWeight'>;

// Counts the usable active and backup servers (srv_willbe_usable: weight > 0, not maint, not drain, up),
// optionally as if one server already had its new state.
export function countUsable(servers: readonly Countable[], pending?: { server: Countable; op?: ServerState['op']; admin?: ServerState['admin']; weight?: number }): UsableCounts {
  let active = 0;
  let backup = 0;
  for (const s of servers) {
    const p = pending && pending.server === s ? pending : undefined;
    const op = p?.op ?? s.op;
    const admin = p?.admin ?? s.admin;
    const weight = p?.weight ?? s.effectiveWeight;
    if (weight <= 0 || admin !== 'ready' || (op !== 'up' && op !== 'starting')) continue;
    if (s.backup) backup++;
    else active++;
  }
  return { active, backup };
}

// chunk_asciiencode(): the info text between double quotes, with quotes and control bytes escaped.
function quoteInfo(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out;
}

// srv_append_status(): ", reason: ..., code: N, info: "...", check duration: Nms" or ", <free text>".
export function reasonText(reason: StateReason): string {
  if (reason === undefined || reason === '') return '';
  if (typeof reason === 'string') return `, ${reason}`;
  let out = `, reason: ${checkStatusDescription(reason.status)}`;
  if (checkStatusHasCode(reason.status) && reason.code !== undefined) out += `, code: ${reason.code}`;
  if (reason.desc) out += `, info: "${quoteInfo(reason.desc)}"`;
  if (reason.durationMs >= 0) out += `, check duration: ${Math.round(reason.durationMs)}ms`;
  return out;
}

function serverLabel(s: Named): string {
  return `${s.backup ? 'Backup ' : ''}Server ${s.backend}/${s.name}`;
}

function runningOnBackup(c: UsableCounts): string {
  return c.backup > 0 && c.active === 0 ? ' Running on backup.' : '';
}

function leftTail(s: Loaded, c: UsableCounts, requeued: number): string {
  return `. ${c.active} active and ${c.backup} backup servers left.${runningOnBackup(c)} ${s.served} sessions active, ${requeued} requeued, ${s.queued} remaining in queue.`;
}

function onlineTail(s: Loaded, c: UsableCounts, requeued: number): string {
  return `. ${c.active} active and ${c.backup} backup servers online.${runningOnBackup(c)} ${requeued} sessions requeued, ${s.queued} total in queue.`;
}

// "Server servers/server1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check
// duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
export function serverDownMessage(s: Loaded, reason: StateReason, counts: UsableCounts, requeued = 0): string {
  return `${serverLabel(s)} is DOWN${reasonText(reason)}${leftTail(s, counts, requeued)}`;
}

// "Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms. 1 active and
// 0 backup servers online. 0 sessions requeued, 0 total in queue." (a 404 under disable-on-404; not DOWN, so the
// "online" tail)
export function serverStoppingMessage(s: Loaded, reason: StateReason, counts: UsableCounts, requeued = 0): string {
  return `${serverLabel(s)} is stopping${reasonText(reason)}${onlineTail(s, counts, requeued)}`;
}

// "Server servers/server1 is UP, reason: Layer4 check passed, check duration: 0ms. 3 active and 0 backup
// servers online. 0 sessions requeued, 0 total in queue."
export function serverUpMessage(s: Loaded, reason: StateReason, counts: UsableCounts, requeued = 0): string {
  return `${serverLabel(s)} is UP${reasonText(reason)}${onlineTail(s, counts, requeued)}`;
}

// "backend servers has no server available!" ("proxy NAME" for a listen section), logged at emerg level.
export function noServerAvailableMessage(backend: string, kind: 'backend' | 'listen' = 'backend'): string {
  return `${kind === 'listen' ? 'proxy' : 'backend'} ${backend} has no server available!`;
}

// Entering maintenance while up: "Server be/srv is going DOWN for maintenance. 1 active and ... queue."
export function maintEnterMessage(s: Loaded, counts: UsableCounts, cause?: string, requeued = 0): string {
  return `${serverLabel(s)} is going DOWN for maintenance${cause ? ` (${cause})` : ''}${leftTail(s, counts, requeued)}`;
}

// Entering maintenance while already down: "Server be/srv was DOWN and now enters maintenance."
export function maintFromDownMessage(s: Named, cause?: string): string {
  return `${serverLabel(s)} was DOWN and now enters maintenance${cause ? ` (${cause})` : ''}.`;
}

// Leaving forced maintenance: "Server be/srv is UP/READY (leaving forced maintenance)."
export function maintLeaveMessage(s: Named, up: boolean, drain: boolean): string {
  return `${serverLabel(s)} is ${up ? 'UP' : 'DOWN'}/${drain ? 'DRAIN' : 'READY'} (leaving forced maintenance).`;
}

// Entering drain: "Server be/srv enters drain state. 1 active and 1 backup servers online. 0 sessions
// requeued, 0 total in queue." (the "left ... remaining in queue" form when the server is already down).
export function drainEnterMessage(s: Loaded & Pick<ServerState, 'op'>, counts: UsableCounts, cause?: string, requeued = 0): string {
  const tail = s.op === 'down' ? leftTail(s, counts, requeued) : onlineTail(s, counts, requeued);
  return `${serverLabel(s)} enters drain state${cause ? ` (${cause})` : ''}${tail}`;
}

// Leaving forced drain: "Server be/srv is UP (leaving forced drain)."
export function drainLeaveMessage(s: Named, up: boolean): string {
  return `${serverLabel(s)} is ${up ? 'UP' : 'DOWN'} (leaving forced drain).`;
}

// option log-health-checks (set_server_check_status): "Health check for server be/s1 failed, reason: ..., check
// duration: 0ms, status: 0/2 DOWN." Logged when the health moved or the status differs from the last one (the
// first check after INI always is); the status shows the health after this check (x/fall while UP, x/rise while DOWN).
export function checkResultMessage(
  s: Named & Pick<ServerState, 'spec' | 'effectiveWeight'>,
  reason: StateReason,
  failed: boolean,
  before: number,
  after: number,
  statusChanged = false,
  counter: { readonly agent: boolean; readonly rise: number; readonly fall: number } = { agent: false, rise: s.spec.rise, fall: s.spec.fall },
): string | null {
  const { rise, fall } = counter;
  if (before === after && !statusChanged) return null;
  const up = after >= rise;
  const status = up ? `${after - rise + 1}/${fall} ${s.effectiveWeight === 0 ? 'DRAIN' : 'UP'}` : `${after}/${rise} DOWN`;
  const kind = counter.agent ? 'Agent' : 'Health';
  const conditionally = typeof reason === 'object' && reason.status === 'L7OKC' ? 'conditionally ' : '';
  return `${kind} check for ${s.backup ? 'backup ' : ''}server ${s.backend}/${s.name} ${conditionally}${failed ? 'failed' : 'succeeded'}${reasonText(reason)}, status: ${status}.`;
}
