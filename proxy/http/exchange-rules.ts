// The rules that edit an exchange's response head: http-response on the server's head (the backend's, then the
// frontend's, as HAProxy's http_process_res_common), http-after-response on any head about to leave, the engine's
// own answers included.
import type { ProxySpec } from '../config/model.ts';
import type { SampleContext } from '../sample/context.ts';
import { runAfterResponseRules, runResponseRules, type AfterResponseHead, type ResponseDeny } from './actions/run-rules.ts';
import type { Txn } from './exchange.ts';
import type { ResponseHead } from './response-head.ts';

/** An http-response rule that replaces the server's answer, with the context its reply is built in. */
export interface ResponseDenial {
  readonly rule: ResponseDeny;
  readonly ctx: SampleContext;
}

/** Runs the http-response rules on a final server head; header rules edit `resp.headers`. A rule that replaces
 *  the response (deny, return) is returned, counted and its termination state set. */
export function applyResponseRules(t: Txn, resp: ResponseHead): ResponseDenial | null {
  t.responseStarts();
  const beSpec = t.backend?.spec;
  const feSpec = t.fe.spec;
  if (feSpec.httpResponseRules.length === 0 && (!beSpec || beSpec.httpResponseRules.length === 0)) return null;
  const ctx: SampleContext = { ...t.ctx, req: undefined, reqPersist: t.req, res: resp, server: t.server ?? undefined };
  const deny = runResponseRules(beSpec && beSpec !== feSpec ? [beSpec, feSpec] : [feSpec], resp, ctx);
  if (!deny) return null;
  t.decidedBy = `http-response ${deny.action}`;
  t.rule = { text: deny.text, loc: deny.loc };
  if (deny.action === 'deny') {
    t.fe.deniedResponses++;
    if (t.backend) t.backend.deniedResponses++;
    if (t.server) t.server.deniedResponses++;
    t.termination = 'PH--';
  } else t.termination = 'LH--';
  return { rule: deny, ctx };
}

/** The proxies whose http-after-response rules apply (the backend's first, then the frontend's), or null. */
export function afterResponseSpecs(t: Txn): ProxySpec[] | null {
  const beSpec = t.backend?.spec;
  const feSpec = t.fe.spec;
  const specs = beSpec && beSpec !== feSpec ? [beSpec, feSpec] : [feSpec];
  return specs.some((s) => s.httpAfterResponseRules.length > 0) ? specs : null;
}

/** http-after-response rules on a head about to leave; `view` is what res.* fetches see of it. */
export function applyAfterResponseRules(t: Txn, head: AfterResponseHead, view: { version: string }): void {
  const specs = afterResponseSpecs(t);
  if (!specs) return;
  t.responseStarts();
  const res = { get status() { return head.status; }, version: view.version, headers: head.headers };
  const ctx: SampleContext = { ...t.ctx, req: undefined, reqPersist: t.req, res, server: t.server ?? undefined };
  runAfterResponseRules(specs, head, ctx);
}
