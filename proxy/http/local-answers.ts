// The answers the engine makes itself instead of a server's: status pages, errorfile pages, deny/return/redirect
// replies, each edited by the http-after-response rules when there are any. Each builder returns the bytes to
// write and what the log counts; the session writes them and ends the exchange.
import { countHttpError } from '../stick/trackers.ts';
import type { SampleContext } from '../sample/context.ts';
import type { AfterResponseHead } from './actions/run-rules.ts';
import { finalAnswer, type FinalRule } from './actions/final-actions.ts';
import { renderReply, replyParts, type HttpReply } from './actions/http-reply.ts';
import { errorPageWire, type ErrorPage } from './error-pages.ts';
import { afterResponseSpecs, applyAfterResponseRules } from './exchange-rules.ts';
import type { Txn } from './exchange.ts';
import { htxSize, reasonPhrase, statusPage, statusPageBody, statusPageSize } from './status-pages.ts';

/** An answer of the engine's own: the status logged, the bytes sent, and the size HAProxy counts (HTX). */
export interface OwnAnswer {
  readonly status: number;
  readonly wire: Buffer;
  readonly size: number;
}

/** The page for a status in place of the request's answer (no server, refused, 503...); the client connection
 *  closes when the request's body had not arrived whole (see Txn.bodyPending). */
export function statusAnswer(t: Txn, status: number): OwnAnswer {
  t.closeClient = t.closeClient || t.bodyPending();
  return errorAnswer(t, status, t.closeClient);
}

/** The answer of a final http-request rule (deny, tarpit, return, redirect), or null when it sends none; the
 *  termination state and the frontend's denied count follow what it is. */
export function ruleAnswer(t: Txn, rule: FinalRule): OwnAnswer | null {
  const a = finalAnswer(rule, t.req, t.ctx);
  if (!a) return null;
  if (a.kind === 'reply') {
    if (rule.action === 'return') t.termination = 'LR--';
    else {
      t.fe.denied++;
      countHttpError(t.stk);
    }
    return replyAnswer(t, a.reply);
  }
  t.termination = 'LR--';
  return pageAnswer(t, a.status, a.page);
}

/** A redirect or a legacy deny page of a final http-request rule. */
export function pageAnswer(t: Txn, status: number, o: { contentType?: string; body: string; location?: string; setCookie?: string }): OwnAnswer {
  // a redirect closes a connection whose request has a body, read whole or not (http_apply_redirect_rule adds
  // its own "Connection: close", which HTX counts)
  const close = t.closeClient || t.req.hasBody;
  if (t.req.hasBody && !t.closeClient) t.bytesOut += 'connection'.length + 'close'.length;
  t.closeClient = close;
  const body = Buffer.from(o.body, 'utf8');
  const headers = ['content-length', String(body.length)];
  if (o.location !== undefined) headers.push('location', o.location);
  if (o.contentType) headers.push('content-type', o.contentType);
  // the temporary redirects may not be cached
  if (o.location !== undefined && (status === 302 || status === 303 || status === 307)) headers.push('cache-control', 'no-cache');
  if (o.setCookie !== undefined) headers.push('set-cookie', o.setCookie);
  if (afterResponseSpecs(t)) return editedAnswer(t, status, headers, body, close);
  let head = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  if (close) head += 'connection: close\r\n';
  head += '\r\n';
  const wire = body.length > 0 ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
  return { status, wire, size: htxSize(status, reasonPhrase(status), headers, body.length) };
}

/** A deny/tarpit/return reply in place of the server's answer. */
export function replyAnswer(t: Txn, reply: HttpReply): OwnAnswer {
  if (reply.kind === 'errmsg' && !reply.errorfiles?.page) return statusAnswer(t, reply.status);
  const close = t.closeClient || t.bodyPending();
  if (reply.kind === 'errmsg' || reply.kind === 'raw') {
    const page = reply.kind === 'raw' ? reply.page : reply.errorfiles!.page!;
    return pageReply(t, reply.status, page, close);
  }
  if (afterResponseSpecs(t)) {
    // http-after-response rules edit the reply's head before it is framed
    t.closeClient = close;
    const { headers, body } = replyParts(reply, t.ctx);
    return editedAnswer(t, reply.status, headers, body, close);
  }
  const r = renderReply(reply, t.ctx, close);
  t.closeClient = close || r.closes;
  return { status: r.status, wire: r.wire, size: r.size };
}

/** The answer to a response that failed (or was denied) before its head reached the client. `ctx` is what the
 *  reply's formats see; the caller has already decided whether the client connection closes. */
export function failureAnswer(t: Txn, answer: number | HttpReply, ctx: SampleContext): OwnAnswer {
  const reply: HttpReply = typeof answer === 'number' ? { kind: 'errmsg', status: answer } : answer;
  if (reply.kind === 'errmsg' && reply.errorfiles?.page) return pageReply(t, reply.status, reply.errorfiles.page, t.closeClient);
  if (reply.kind === 'errmsg') return errorAnswer(t, reply.status, t.closeClient);
  if (reply.kind === 'raw') return pageReply(t, reply.status, reply.page, t.closeClient);
  if (afterResponseSpecs(t)) {
    // an http-response return or deny reply goes through http-after-response too (checked with haproxy 2.6.12)
    const { headers, body } = replyParts(reply, ctx);
    return editedAnswer(t, reply.status, headers, body, t.closeClient);
  }
  const r = renderReply(reply, ctx, t.closeClient);
  if (r.closes) t.closeClient = true;
  return { status: r.status, wire: r.wire, size: r.size };
}

/** The error page sent when an exchange breaks mid-request (the connection closes; no after-response rules run). */
export function abortPage(t: Txn, status: number): OwnAnswer {
  const own = ownErrorPage(t, status);
  return own ? { status, wire: errorPageWire(own, true), size: own.size } : { status, wire: statusPage(status, true), size: statusPageSize(status) };
}

/** An answer the proxy builds itself when http-after-response rules may edit it: the head is built, edited, then
 *  framed; what is logged is the edited status and size. */
export function editedAnswer(t: Txn, status: number, headers: string[], body: Buffer, close: boolean): OwnAnswer {
  const head: AfterResponseHead = { status, reason: reasonPhrase(status), headers };
  applyAfterResponseRules(t, head, { version: '1.1' });
  let text = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
  // HTX keeps header names in lower case: a rule's "X-After" leaves as "x-after"
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]!.toLowerCase()}: ${headers[i + 1]}\r\n`;
  if (close) text += 'connection: close\r\n';
  text += '\r\n';
  const wire = body.length > 0 ? Buffer.concat([Buffer.from(text, 'latin1'), body]) : Buffer.from(text, 'latin1');
  return { status: head.status, wire, size: htxSize(head.status, head.reason, headers, body.length) };
}

// The proxy's page or http-error reply for a status if it has one, else the built-in page, through the
// http-after-response rules if any.
function errorAnswer(t: Txn, status: number, close: boolean): OwnAnswer {
  const reply = ownErrorReply(t, status);
  if (reply) return reply.kind === 'payload' ? failureAnswer(t, reply, t.ctx) : pageReply(t, status, reply.page, close);
  const own = ownErrorPage(t, status);
  if (own) return pageReply(t, status, own, close);
  if (afterResponseSpecs(t)) {
    const body = Buffer.from(statusPageBody(status), 'latin1');
    return editedAnswer(t, status, ['content-length', String(body.length), 'cache-control', 'no-cache', 'content-type', 'text/html'], body, close);
  }
  return { status, wire: statusPage(status, close), size: statusPageSize(status) };
}

// errorfile/errorloc pages: the backend's first, then the frontend's (HAProxy's http_error_message); a request
// answered before its backend was chosen looks at the frontend only.
function ownErrorPage(t: Txn, status: number): ErrorPage | undefined {
  return t.backend?.spec.errorPages.get(status) ?? t.fe.spec.errorPages.get(status);
}

// http-error replies, looked up as the pages are (a proxy has a page or a reply for a status, never both); the
// backend's page beats the frontend's reply.
function ownErrorReply(t: Txn, status: number): Exclude<HttpReply, { kind: 'errmsg' }> | undefined {
  for (const spec of t.backend && t.backend.spec !== t.fe.spec ? [t.backend.spec, t.fe.spec] : [t.fe.spec]) {
    if (spec.errorPages.has(status)) return undefined;
    const r = spec.errorReplies?.get(status);
    if (r && r.kind !== 'errmsg') return r;
  }
  return undefined;
}

// A page written as an HTTP response (errorfile, errorloc, an errorfile reply): sent as it is, or edited by the
// http-after-response rules when there are any. The log keeps the status being answered unless a rule set one.
function pageReply(t: Txn, status: number, page: ErrorPage, close: boolean): OwnAnswer {
  // a page without content-length ends the connection, without saying so in a header
  if (close || page.closes) t.closeClient = true;
  if (!afterResponseSpecs(t)) return { status, wire: errorPageWire(page, close), size: page.size };
  const lines = page.head.split('\r\n');
  const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(lines[0]!)!;
  const headers: string[] = [];
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(': ');
    headers.push(l.slice(0, colon), l.slice(colon + 2));
  }
  const head: AfterResponseHead = { status: Number(m[2]), reason: m[3] ?? '', headers };
  const pageStatus = head.status;
  applyAfterResponseRules(t, head, { version: m[1]!.slice(5) });
  let text = `${m[1]} ${head.status} ${head.reason}\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]!.toLowerCase()}: ${headers[i + 1]}\r\n`;
  if (close) text += 'connection: close\r\n';
  const wire = Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), page.body]);
  return { status: head.status !== pageStatus ? head.status : status, wire, size: htxSize(head.status, head.reason, headers, page.body.length) };
}
