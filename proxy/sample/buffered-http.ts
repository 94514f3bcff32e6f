// In mode tcp HAProxy still answers HTTP fetches (path, hdr, method, ...) in tcp-request content rules: it parses
// the buffered bytes as an HTTP/1 request (smp_prefetch_htx). This gives tcp sessions the same request view.
import { findHeadEnd, parseRequestHead } from '../http/request-head.ts';
import type { SampleContext } from './context.ts';
import type { HttpRequestView } from '../http/message-view.ts';

// HAProxy's defaults: tune.bufsize 16384 minus tune.maxrewrite 1024; tune.http.maxhdr 101.
const LIMITS = { maxHeadBytes: 16384 - 1024, maxHeaders: 101 };

/** The request head held in a tcp buffer, or undefined while it is incomplete or when it is not HTTP/1. */
export function bufferedRequest(payload: Buffer): HttpRequestView | undefined {
  const end = findHeadEnd(payload);
  if (end < 0) return undefined;
  const head = parseRequestHead(payload, end, LIMITS);
  return 'error' in head ? undefined : head;
}

// A request line in progress: METHOD, then SP target, then SP "HTTP/d.d" — each part possibly cut short.
const PARTIAL_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*(?: [^ \r\n]*(?: (?:H(?:T(?:T(?:P(?:\/(?:\d(?:\.\d?)?)?)?)?)?)?)?)?)?$/;
const FULL_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]+ HTTP\/\d\.\d\r?$/;

/** Whether the bytes may still become a request head: an unfinished but so far valid HTTP/1 request. */
export function looksLikeRequestStart(payload: Buffer): boolean {
  if (findHeadEnd(payload) >= 0) return false;
  const text = payload.toString('latin1', 0, Math.min(payload.length, LIMITS.maxHeadBytes));
  const eol = text.indexOf('\n');
  return eol < 0 ? PARTIAL_LINE.test(text) : FULL_LINE.test(text.slice(0, eol));
}

/**
 * The context with `req` filled from its payload when there is a whole request head in it, or marked
 * `reqIncomplete` while the head is still arriving (HTTP fetches then answer "not yet" to testPartial()).
 */
export function withBufferedRequest(ctx: SampleContext): SampleContext {
  if (ctx.req || !ctx.payload) return ctx;
  const req = bufferedRequest(ctx.payload);
  if (req) return { ...ctx, req };
  return looksLikeRequestStart(ctx.payload) ? { ...ctx, reqIncomplete: true } : ctx;
}
