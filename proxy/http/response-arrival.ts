// A server's response head as it arrives: gathering it across reads, passing interim (1xx) responses on, what
// sees the head as the server sent it (status counters, stick store-response, header captures), then the
// http-response and http-after-response rules, and the head the client gets.
import type net from 'node:net';
import { countResponseStatus } from '../stick/trackers.ts';
import { applyStoreRules } from '../stick/sticking-rules.ts';
import type { Txn } from './exchange.ts';
import { findHeadEnd } from './request-head.ts';
import { parseResponseHead } from './response-head.ts';
import { htxSize } from './status-pages.ts';
import { buildResponseHead } from './rewrite.ts';
import { captureResponseCookie } from './cookie-capture.ts';
import { applyAfterResponseRules, applyResponseRules, type ResponseDenial } from './exchange-rules.ts';
import { persistenceResponse } from './persistence-hooks.ts';
import { statusOutcome } from '../server/health/observe.ts';
import { checkResponse, startCompression } from '../compression/compressed-forward.ts';

const H2_CHUNKED_HEADER = 'transfer-encoding'.length + 'chunked'.length;

const MAX_RESPONSE_HEAD = 16384;

/** What a server read did to a response still waiting for its head: nothing yet (null), a head too large or
 *  malformed, an http-response deny, or the final head (t.resp is set) to send with what followed it. */
export type ResponseArrival = null | 'malformed' | { denial: ResponseDenial } | { out: string; rest: Buffer | null };

/** Takes server bytes `d` while `t.resp` is null; interim responses go straight to `client`. */
export function takeResponseHead(t: Txn, d: Buffer, client: net.Socket): ResponseArrival {
  for (;;) {
    const buf = t.respBuf ? Buffer.concat([t.respBuf, d]) : d;
    const end = findHeadEnd(buf);
    if (end < 0) {
      if (buf.length > MAX_RESPONSE_HEAD) {
        t.server?.observer?.('HTTP_HDRRSP');
        return 'malformed';
      }
      t.respBuf = buf === d ? Buffer.from(d) : buf; // d is the connection's read buffer: keep a copy
      return null;
    }
    const resp = parseResponseHead(buf, end, t.req.method === 'HEAD');
    if (typeof resp === 'string') {
      t.server?.observer?.('HTTP_HDRRSP');
      return 'malformed';
    }
    t.respBuf = null;
    // "observe layer7" judges the status before the rules see it, interim ones included
    t.server?.observer?.(statusOutcome(resp.status));
    if (resp.status >= 100 && resp.status < 200 && resp.status !== 101) {
      // interim response (100 Continue): pass it on and keep waiting for the final one
      client.write(buildResponseHead(resp, { closeClient: false, clientVersion: t.req.version }), 'latin1');
      if (buf.length === end) return null;
      d = buf.subarray(end);
      continue;
    }
    // HAProxy counts the response's bytes as they arrive, before any http-response rule edits the head
    // from an HTTP/2 server, "transfer-encoding: chunked" is only how the conversion frames a response without a length
    const headSize = htxSize(resp.status, resp.reason, resp.headers, 0) - (t.conn?.h2 && resp.framing === 'chunked' ? H2_CHUNKED_HEADER : 0);
    countResponseStatus(t.stk, resp.status);
    if (t.server && (t.stores.length > 0 || t.backend!.spec.storeResponseRules.length > 0)) {
      applyStoreRules(t.backend!.spec, { ...t.ctx, req: undefined, reqPersist: t.req, res: resp, server: t.server }, t.stores, t.server);
    }
    t.captures.resVersion = resp.version;
    if (t.fe.spec.captures && t.fe.spec.captures.res.length > 0) t.captures.captureHeaders('res', resp.headers);
    checkResponse(t, resp);
    const denial = applyResponseRules(t, resp);
    if (denial !== null) {
      // what came with the head is counted too; Tr stays -1: the response never counted as valid
      t.bytesOut += headSize + Math.min(buf.length - end, resp.framing === 'length' ? resp.contentLength : buf.length);
      return { denial };
    }
    // capture cookie reads the Set-Cookie headers the http-response rules left (http_manage_server_side_cookies)
    const cc = t.fe.spec.captureCookie;
    if (cc && t.captures.srvCookie === undefined) t.captures.srvCookie = captureResponseCookie(cc, resp.headers);
    persistenceResponse(t, resp);
    applyAfterResponseRules(t, resp, resp);
    startCompression(t, resp);
    t.tRespHead = Date.now();
    t.resp = resp;
    t.status = resp.status;
    if (resp.framing === 'close' || resp.status === 101) t.closeClient = true;
    const out = buildResponseHead(resp, { closeClient: t.closeClient, clientVersion: t.req.version });
    t.bytesOut += headSize;
    return { out, rest: buf.length > end ? buf.subarray(end) : null };
  }
}
