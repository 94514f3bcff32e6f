// The answer an http-request/http-response deny, tarpit or return makes (src/http_htx.c http_parse_http_reply and
// http_reply_to_htx): the proxy's error page for its status, an errorfile sent as written, or a status with
// optional headers and payload (fixed or log-format) — parsed with HAProxy's messages.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProxyLineContext } from '../../config/context.ts';
import type { RuleFormat } from '../../config/model.ts';
import type { SourceLoc } from '../../config/diagnostics.ts';
import { configBytes } from '../../sample/format-string.ts';
import { tryRuleFormat } from '../../sample/rule-format.ts';
import type { SampleContext } from '../../sample/context.ts';
import { errorPageFromFile, errorPageWire, type ErrorPage } from '../error-pages.ts';
import { htxSize, reasonPhrase } from '../status-pages.ts';
import { ERROR_PAGE_CODES, formatPlaces, isCondWord } from './common.ts';

/** "errorfiles NAME" in a reply: the section's page for the status, found once every section is read. */
export interface ErrorfilesRef {
  readonly name: string;
  readonly status: number;
  readonly proxy: string;
  readonly loc: SourceLoc;
  page?: ErrorPage;
}

export type HttpReply =
  /** The proxy's error page for `status` (deny without arguments, deny_status, default-errorfiles), or the page
   *  of an http-errors section (errorfiles NAME). */
  | { readonly kind: 'errmsg'; readonly status: number; readonly errorfiles?: ErrorfilesRef }
  /** An errorfile given to the rule: its bytes as HAProxy re-emits them; the log shows the rule's status. */
  | { readonly kind: 'raw'; readonly status: number; readonly page: ErrorPage }
  | {
      readonly kind: 'payload';
      readonly status: number;
      readonly contentType?: string;
      readonly headers: readonly { readonly name: string; readonly format: RuleFormat }[];
      readonly body: Buffer | RuleFormat;
    };

type ReplyParse = { reply: HttpReply; next: number } | { error: string };

// Headers the reply computes itself: "hdr" ones with these names are dropped with HAProxy's warning.
const IGNORED_HEADERS = new Set(['content-length', 'content-type', 'transfer-encoding', 'connection']);

/**
 * Reads the reply arguments from `at` to the condition. `legacy` allows deny/tarpit's "deny_status N": without
 * other arguments that keeps the error page of N, whereas "status N" alone answers N with no payload.
 */
export function parseHttpReply(c: ProxyLineContext, at: number, defaultStatus: number, legacy: boolean): ReplyParse {
  let status = defaultStatus;
  let contentType: string | undefined;
  let bodyKind: string | undefined;
  let bodyArg = '';
  const headers: { name: string; format: RuleFormat }[] = [];
  let sawStatus = false;
  let i = at;
  while (i < c.count && !isCondWord(c.arg(i))) {
    const a = c.arg(i);
    if (a === 'status' || (legacy && a === 'deny_status')) {
      if (c.arg(i + 1) === '') return { error: `'${a}' expects <status_code> as argument` };
      status = Number.parseInt(c.arg(i + 1), 10) || 0;
      if (status < 200 || status > 599) return { error: `Unexpected status code '${status}'` };
      if (a === 'status') sawStatus = true;
      i += 2;
    } else if (a === 'content-type') {
      if (c.arg(i + 1) === '') return { error: `'content-type' expects <type> as argument` };
      contentType = c.arg(i + 1);
      i += 2;
    } else if (a === 'errorfile' || a === 'errorfiles' || a === 'file' || a === 'lf-file' || a === 'string' || a === 'lf-string') {
      if (bodyKind !== undefined) return { error: `unexpected '${a}' argument, '${bodyKind}' already defined` };
      const what = a === 'errorfiles' ? '<name>' : a.endsWith('string') ? '<str>' : '<file>';
      if (c.arg(i + 1) === '') return { error: `'${a}' expects ${what} as argument` };
      bodyKind = a;
      bodyArg = c.arg(i + 1);
      i += 2;
    } else if (a === 'default-errorfiles') {
      if (bodyKind !== undefined) return { error: `unexpected '${a}' argument, '${bodyKind}' already defined` };
      bodyKind = a;
      i++;
    } else if (a === 'hdr') {
      const name = c.arg(i + 1);
      const value = c.arg(i + 2);
      if (name === '' || value === '') return { error: `'hdr' expects <name> and <value> as arguments` };
      if (IGNORED_HEADERS.has(name.toLowerCase())) {
        c.warn(`header '${name}' always ignored by the http reply.`);
      } else {
        const f = tryRuleFormat(value, { ...c.sampleScope, checkAt: formatPlaces(c) });
        if ('error' in f) return f;
        headers.push({ name, format: f.format });
      }
      i += 3;
    } else break;
  }

  if (bodyKind === 'errorfile') {
    const raw = readErrorfile(c, bodyArg);
    if ('error' in raw) return raw;
    return { reply: { kind: 'raw', status, page: raw.page }, next: i };
  }
  if (bodyKind === 'default-errorfiles' || bodyKind === 'errorfiles' || (bodyKind === undefined && !sawStatus && legacy)) {
    if (bodyKind === 'errorfiles') {
      const errorfiles: ErrorfilesRef = { name: bodyArg, status, proxy: c.proxy.name, loc: c.loc };
      // http-error resolves its own section with the proxy's pages; a rule's reply is resolved on its own
      if (c.arg(0) !== 'http-error') c.state.errorfilesRefs?.push(errorfiles);
      return { reply: { kind: 'errmsg', status, errorfiles }, next: i };
    }
    if (!ERROR_PAGE_CODES.includes(status) && status !== 0) {
      return { error: `status code '${status}' not handled by default with 'default-errorfiles' argument.` };
    }
    return { reply: { kind: 'errmsg', status }, next: i };
  }

  let body: Buffer | RuleFormat | string = Buffer.alloc(0);
  if (bodyKind === 'string') body = Buffer.from(bodyArg, 'utf8');
  else if (bodyKind === 'file' || bodyKind === 'lf-file') {
    let text: Buffer;
    try {
      text = readFileSync(resolve(c.state.baseDir, bodyArg));
    } catch {
      return { error: `error opening file '${bodyArg}'.` };
    }
    body = bodyKind === 'file' ? text : formatBody(c, text.toString('utf8'));
  } else if (bodyKind === 'lf-string') body = formatBody(c, bodyArg);
  if (typeof body === 'string') return { error: body };

  const hasPayload = bodyKind !== undefined && (typeof body === 'function' || body.length > 0);
  if ((status === 204 || status === 304) && hasPayload) return { error: `No body expected for ${status} responses` };
  if (bodyKind === undefined && contentType !== undefined) {
    c.warn(`content-type '${contentType}' ignored by the http reply because neither errorfile nor payload defined.`);
    contentType = undefined;
  }
  if (contentType === undefined && hasPayload) {
    if (typeof body === 'function') return { error: 'a content type must be defined with a log-format payload' };
    return { error: 'a content type must be defined when non-empty payload is configured' };
  }
  return { reply: { kind: 'payload', status, ...(contentType !== undefined ? { contentType } : {}), headers, body }, next: i };
}

// A log-format payload, checked where the rule runs; the error text when it does not compile.
function formatBody(c: ProxyLineContext, fmt: string): RuleFormat | string {
  const f = tryRuleFormat(fmt, { ...c.sampleScope, checkAt: formatPlaces(c) });
  return 'error' in f ? f.error : f.format;
}

// An errorfile is a whole HTTP response; HAProxy parses it into HTX when the config loads and emits it again
// with lower-case header names, so the file's header case and spacing do not survive.
function readErrorfile(c: ProxyLineContext, file: string): { page: ErrorPage } | { error: string } {
  let data: Buffer;
  try {
    data = readFileSync(resolve(c.state.baseDir, file));
  } catch {
    return { error: `error opening file '${file}'.` };
  }
  const page = errorPageFromFile(file, data);
  return typeof page === 'string' ? { error: page } : { page };
}

/** A reply made concrete for one transaction: what goes on the wire and what the log counts. */
export interface RenderedReply {
  /** The status the log and counters show. */
  readonly status: number;
  readonly wire: Buffer;
  readonly size: number;
  /** The client connection must close after it (an errorfile with no content-length). */
  readonly closes: boolean;
}

// errmsg replies are rendered by the caller, which knows the proxy's error pages.
/** A built reply's head fields and body, before they are framed (http-after-response rules may edit the head). */
export function replyParts(reply: Exclude<HttpReply, { kind: 'errmsg' | 'raw' }>, ctx: SampleContext): { headers: string[]; body: Buffer } {
  // a format's output is bytes, one char each (configBytes)
  const body = typeof reply.body === 'function' ? Buffer.from(reply.body(ctx), 'latin1') : reply.body;
  const headers: string[] = [];
  for (const h of reply.headers) {
    // http_reply_to_htx adds a header only when its value printed something
    const value = h.format(ctx);
    if (value !== '') headers.push(h.name.toLowerCase(), value);
  }
  headers.push('content-length', String(body.length));
  if (reply.contentType !== undefined) headers.push('content-type', configBytes(reply.contentType));
  return { headers, body };
}

export function renderReply(reply: Exclude<HttpReply, { kind: 'errmsg' }>, ctx: SampleContext, close: boolean): RenderedReply {
  if (reply.kind === 'raw') {
    return { status: reply.status, wire: errorPageWire(reply.page, close), size: reply.page.size, closes: reply.page.closes };
  }
  const { headers, body } = replyParts(reply, ctx);
  const reason = reasonPhrase(reply.status);
  let head = `HTTP/1.1 ${reply.status} ${reason}\r\n`;
  for (let k = 0; k < headers.length; k += 2) head += `${headers[k]}: ${headers[k + 1]}\r\n`;
  if (close) head += 'connection: close\r\n';
  const wire = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
  return { status: reply.status, wire, size: htxSize(reply.status, reason, headers, body.length), closes: false };
}
