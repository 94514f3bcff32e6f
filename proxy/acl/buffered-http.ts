// In mode tcp HAProxy still answers HTTP fetches (path, hdr, method, ...) in tcp-request content rules: it parses
// the buffered bytes as an HTTP/1 request (smp_prefetch_htx). This gives tcp sessions the same request view.
import { findHeadEnd, parseRequestHead } from '../http/request-head.ts';
import type { HttpRequestView, SampleContext } from './types.ts';

// HAProxy's defaults: tune.bufsize 16384 minus tune.maxrewrite 1024; tune.http.maxhdr 101.
const LIMITS = { maxHeadBytes: 16384 - 1024, maxHeaders: 101 };

/** The request head held in a tcp buffer, or undefined while it is incomplete or when it is not HTTP/1. */
export function bufferedRequest(payload: Buffer): HttpRequestView | undefined {
  const end = findHeadEnd(payload);
  if (end < 0) return undefined;
  const head = parseRequestHead(payload, end, LIMITS);
  return 'error' in head ? undefined : head;
}

/** The context with `req` filled from its payload when there is a whole request head in it. */
export function withBufferedRequest(ctx: SampleContext): SampleContext {
  if (ctx.req || !ctx.payload) return ctx;
  const req = bufferedRequest(ctx.payload);
  return req ? { ...ctx, req } : ctx;
}
