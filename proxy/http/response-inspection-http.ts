// A backend's tcp-response content rules in mode http (AN_RES_INSPECT runs before the response is parsed as
// HTTP): the server's bytes are held from its connection on until the rules decide, which with an inspect delay
// is when the message is whole at the latest. accept hands what was held to the usual response path; reject kills
// the server's connection and closes the client's without an answer (logged PD--, with the bytes read as HTX
// counts them); close forwards the response, and the server's connection is not kept after it.
import type { ServerConn, Txn } from './exchange.ts';
import type { ServerSideSession } from './server-side.ts';
import { dropServer } from './server-release.ts';
import { measureHeldResponse } from './held-response.ts';
import { ResponseInspection, type InspectionEnd } from '../tcp/response-inspection.ts';

export interface InspectingHttpSession extends ServerSideSession {
  onServerData(conn: ServerConn, d: Buffer): void;
}

export function inspectResponse(s: InspectingHttpSession, t: Txn, conn: ServerConn): void {
  const be = t.backend!.spec;
  const headRequest = t.req.method === 'HEAD';
  const inspection = new ResponseInspection(
    {
      rules: be.tcpResponseRules, delay: be.tcpResponseInspectDelay ?? 0, fullAt: s.host.limits.maxHeadBytes,
      context: (held) => ({ ...t.ctx, resHtxSize: measureHeldResponse(held, headRequest).htxSize, resPayload: undefined }),
      complete: (held) => measureHeldResponse(held, headRequest).complete,
      backend: be !== t.fe.spec,
    },
    (end, held) => decided(s, t, conn, end, held),
  );
  t.resInspect = inspection;
  inspection.start();
}

function decided(s: InspectingHttpSession, t: Txn, conn: ServerConn, end: InspectionEnd, held: Buffer): void {
  if (s.current !== t || conn.txn !== t) return;
  if (end === 'reject') {
    t.backend!.deniedResponses++;
    t.bytesOut += measureHeldResponse(held, t.req.method === 'HEAD').htxSize;
    t.termination = 'PD--';
    dropServer(t);
    s.abort(t);
    return;
  }
  // close shuts the server's connection only: the client's stays open for its next request
  if (end === 'close') t.serverClosedByRule = true;
  if (held.length > 0) s.onServerData(conn, held);
}
