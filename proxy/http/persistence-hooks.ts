// Where cookie persistence meets an HTTP exchange: once the backend is known (force/ignore-persist), before the
// balancer is asked (the request's cookie may name the server), and on the server's response head (its
// Set-Cookie, and ours). Kept apart so the session only calls three functions.
import type { LiveBackend } from '../live/live-backend.ts';
import type { ServerState } from '../server/server-state.ts';
import { applyPersistRules, CookieTxn, insertCookie, manageClientCookies, manageServerCookies } from './cookie-persistence.ts';
import type { Txn } from './exchange.ts';
import type { ResponseHead } from './response-head.ts';

/** The backend was chosen: persistence state starts, and force-persist / ignore-persist are decided now. */
export function persistenceStart(t: Txn, be: LiveBackend): void {
  const spec = be.spec;
  if (!spec.cookie && !spec.persistRules?.length) return;
  const st = new CookieTxn();
  t.cookie = st;
  applyPersistRules(spec.persistRules, t.ctx, st);
}

/** The server the request's persistence cookie names (its Cookie headers edited on the way), or null. */
export function persistentServer(t: Txn): ServerState | null {
  const st = t.cookie;
  const be = t.backend;
  const ck = be?.spec.cookie;
  if (!st || !be || !ck) return null;
  return manageClientCookies(ck, be.servers, t.req.headers, st, be.spec.options.persist === true, Math.floor(Date.now() / 1000));
}

/** A redispatch after a failed connection: the cookie's server was left (SF_DIRECT dropped; V becomes D). */
export function persistenceRedispatch(t: Txn, prev: ServerState, reassign: () => void): void {
  const st = t.cookie;
  if (st) st.direct = false;
  reassign();
  if (st && st.ck === 'V' && t.server && t.server !== prev) st.ck = 'D';
}

/**
 * A deny or tarpit: HAProxy still reads the persistence cookie so that the log shows it (the letter only; the
 * request goes nowhere). A listen section's own rules run before its backend is attached: it is its own backend.
 */
export function persistenceOnDeny(t: Txn): void {
  const be = t.backend ?? t.gen.backendOf(t.fe.spec);
  const ck = be?.spec.cookie;
  if (!be || !ck) return;
  const st = t.cookie ?? (t.cookie = new CookieTxn());
  st.denied = manageClientCookies(ck, be.servers, t.req.headers, st, be.spec.options.persist === true, Math.floor(Date.now() / 1000));
}

/** The server's response head, after the http-response rules: its Set-Cookie handled, ours added. */
export function persistenceResponse(t: Txn, resp: ResponseHead): void {
  const st = t.cookie;
  const ck = t.backend?.spec.cookie;
  if (!st || !ck) return;
  manageServerCookies(ck, t.server, resp.headers, st);
  if (t.server) insertCookie(ck, t.server, resp.headers, st, t.req.method, resp.status, Math.floor(Date.now() / 1000));
}
