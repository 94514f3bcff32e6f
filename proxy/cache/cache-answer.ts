// A cache hit answered as HAProxy's cache applet answers it: no server, the stored head (plus Age) through the
// http-response and http-after-response rules, counted as HTX counts it, logged LR-- with zero timers.
import type { Txn } from '../http/exchange.ts';
import { applyAfterResponseRules, applyResponseRules, type ResponseDenial } from '../http/exchange-rules.ts';
import { buildResponseHead } from '../http/rewrite.ts';
import { htxSize } from '../http/status-pages.ts';
import { hitResponse } from './cache-exchange.ts';

/** The bytes the client gets for the hit `t.cache.hit`, or the http-response rule that denied it. */
export function cachedAnswer(t: Txn): { wire: Buffer } | { denial: ResponseDenial } {
  const now = Date.now();
  const { head, body } = hitResponse(t.cache!, Math.floor(now / 1000), t.req.method === 'HEAD');
  head.cacheName = t.cache!.hit!.name;
  t.tAssigned = t.tConnected = t.tRespHead = now;
  t.termination = 'LR--';
  const size = htxSize(head.status, head.reason, head.headers, body.length);
  const denial = applyResponseRules(t, head);
  if (denial !== null) return { denial };
  applyAfterResponseRules(t, head, head);
  t.resp = head;
  t.status = head.status;
  t.bytesOut += size;
  // the head is latin1 text (one byte a character), joined with the body in one write
  const out = Buffer.from(buildResponseHead(head, { closeClient: t.closeClient, clientVersion: t.req.version }), 'latin1');
  return { wire: body.length > 0 ? Buffer.concat([out, body]) : out };
}
