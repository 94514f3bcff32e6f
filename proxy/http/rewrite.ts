// The heads we send on: header names in lower case (as HAProxy's HTX does), hop-by-hop connection handling,
// and X-Forwarded-For (the header actions of rules are in actions/header-actions.ts).
import { exempt, type ForwardFor } from './forward-for.ts';
import type { RequestHead } from './request-head.ts';
import type { ResponseHead } from './response-head.ts';

export interface RequestRewrite {
  readonly forwardFor: ForwardFor | undefined;
  readonly src: string;
  /** option http-server-close / httpclose: ask the server to close after this response. */
  readonly closeServer: boolean;
  /** option http-pretend-keepalive: the head says keep-alive whatever closeServer is (h1_update_req_conn_value). */
  readonly pretendKeepAlive?: boolean;
  /** option originalto: the header added after X-Forwarded-For. */
  readonly originalTo?: { readonly name: string; readonly value: string } | null;
}

// The request head for the server, as latin1 text: written as it is (Node copies a string straight into its write),
// with no Buffer made for it.
export function buildRequestHead(req: RequestHead, o: RequestRewrite): string {
  // a version from 1.1 up goes on as HTTP/1.1; below it, as the client wrote it
  let out = `${req.method} ${req.uri} HTTP/${req.version === '1.1' ? '1.1' : req.wireVersion}\r\n`;
  const h = req.headers;
  let hasXff = false;
  const xffName = o.forwardFor ? o.forwardFor.header : '';
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!.toLowerCase();
    if (name === 'connection') {
      const v = h[i + 1]!.toLowerCase();
      if (!v.includes('upgrade')) continue;
    } else if (name === 'content-length' && req.chunked) continue;
    else if (xffName !== '' && name === xffName) hasXff = true;
    out += `${name}: ${h[i + 1]}\r\n`;
  }
  const ff = o.forwardFor;
  if (ff && !(ff.ifNone && hasXff) && !exempt(ff, o.src)) out += `${xffName}: ${o.src}\r\n`;
  if (o.originalTo) out += `${o.originalTo.name}: ${o.originalTo.value}\r\n`;
  if (o.pretendKeepAlive) {
    if (req.version === '1.0') out += 'connection: keep-alive\r\n';
  } else if (o.closeServer) {
    if (req.version === '1.1') out += 'connection: close\r\n';
  } else if (req.version === '1.0' && !req.closeAfter) out += 'connection: keep-alive\r\n';
  out += '\r\n';
  return out;
}

export interface ResponseRewrite {
  /** We close the client connection after this response. */
  readonly closeClient: boolean;
  readonly clientVersion: string;
}

// The response head for the client. The connection header follows HAProxy's h1_update_res_conn_value: close is
// spelled out only to a 1.1 response, keep-alive whenever either side speaks 1.0. Latin1 text, as the request's.
export function buildResponseHead(resp: ResponseHead, o: ResponseRewrite): string {
  // h1_format_htx_stline(): the space before the reason is written even when the reason is empty
  let out = `HTTP/${resp.version} ${resp.status} ${resp.reason}\r\n`;
  const h = resp.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!.toLowerCase();
    if (name === 'connection' && resp.status !== 101) continue;
    out += `${name}: ${h[i + 1]}\r\n`;
  }
  if (resp.status >= 200) {
    if (o.closeClient) {
      if (resp.version === '1.1') out += 'connection: close\r\n';
    } else if (resp.version === '1.0' || o.clientVersion === '1.0') out += 'connection: keep-alive\r\n';
  }
  out += '\r\n';
  return out;
}
