// Who may see the stats page and change servers through it: `stats auth` (HTTP basic), `stats realm`, and the
// admin forms' POST (`stats admin if COND`), answered as HAProxy 2.6's stats applet answers them.
import type { StatsSpec } from '../config/model.ts';

export const DEFAULT_REALM = 'HAProxy Statistics';

/** True when no account is configured, or the Authorization header names one of them. */
export function authorized(spec: StatsSpec, authorization: string | null): boolean {
  const accounts = spec.auth;
  if (!accounts || accounts.length === 0) return true;
  if (authorization === null) return false;
  const m = /^Basic\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return false;
  const pair = Buffer.from(m[1]!, 'base64').toString('latin1');
  return accounts.includes(pair);
}

/** What a POST of the page's form asks: servers `s`, `action`, backend `b` ("#ID" or a name). */
export interface AdminRequest {
  readonly servers: readonly string[];
  readonly action: string;
  readonly backend: string;
}

export function parseAdminForm(body: string): AdminRequest {
  const servers: string[] = [];
  let action = '';
  let backend = '';
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === 's') servers.push(value);
    else if (key === 'action') action = value;
    else if (key === 'b') backend = value;
  }
  return { servers, action, backend };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The `;st=` code the 303 carries: every server changed, some, none asked, a bad request, or no admin right. */
export type AdminOutcome = 'DONE' | 'PART' | 'NONE' | 'ERRP' | 'DENY';

/** The admin actions the engine carries out, and the server change each makes. */
export const ADMIN_ACTIONS: Readonly<Record<string, { kind: 'admin'; state: 'ready' | 'drain' | 'maint' } | { kind: 'health'; state: 'up' | 'down' }>> = {
  ready: { kind: 'admin', state: 'ready' },
  drain: { kind: 'admin', state: 'drain' },
  maint: { kind: 'admin', state: 'maint' },
  hrunn: { kind: 'health', state: 'up' },
  hdown: { kind: 'health', state: 'down' },
};

/** The outcome once the servers were looked up: `changed` of `asked` names were found and changed. */
export function adminOutcome(asked: number, changed: number): AdminOutcome {
  if (asked === 0) return 'NONE';
  if (changed === 0) return 'ERRP';
  return changed === asked ? 'DONE' : 'PART';
}
