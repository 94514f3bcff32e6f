// The heads we send on: header names in lower case (as HAProxy's HTX does), hop-by-hop connection handling,
// X-Forwarded-For, and the header actions of http-request rules.
import { BlockList, isIP } from 'node:net';
import type { SampleContext } from '../acl/types.ts';
import { expandLogFormat } from '../acl/format-string.ts';
import type { ForwardForSpec, HttpRequestRule } from '../config/model.ts';
import type { RequestHead } from './request-head.ts';
import type { ResponseHead } from './response-head.ts';

export interface RequestRewrite {
  readonly forwardFor: ForwardForSpec | undefined;
  readonly src: string;
  /** option http-server-close / httpclose: ask the server to close after this response. */
  readonly closeServer: boolean;
}

// The request head for the server.
export function buildRequestHead(req: RequestHead, o: RequestRewrite): Buffer {
  // a version from 1.1 up goes on as HTTP/1.1; below it, as the client wrote it
  let out = `${req.method} ${req.uri} HTTP/${req.version === '1.1' ? '1.1' : req.wireVersion}\r\n`;
  const h = req.headers;
  let hasXff = false;
  const xffName = o.forwardFor ? o.forwardFor.header.toLowerCase() : '';
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
  if (ff && !(ff.ifNone && hasXff) && !(ff.except && inNetwork(o.src, ff.except))) out += `${xffName}: ${o.src}\r\n`;
  if (o.closeServer) {
    if (req.version === '1.1') out += 'connection: close\r\n';
  } else if (req.version === '1.0' && !req.closeAfter) out += 'connection: keep-alive\r\n';
  out += '\r\n';
  return Buffer.from(out, 'latin1');
}

export interface ResponseRewrite {
  /** We close the client connection after this response. */
  readonly closeClient: boolean;
  readonly clientVersion: string;
}

// The response head for the client. The connection header follows HAProxy's h1_update_res_conn_value: close is
// spelled out only to a 1.1 response, keep-alive whenever either side speaks 1.0.
export function buildResponseHead(resp: ResponseHead, o: ResponseRewrite): Buffer {
  let out = `HTTP/${resp.version} ${resp.status}${resp.reason ? ' ' + resp.reason : ''}\r\n`;
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
  return Buffer.from(out, 'latin1');
}

type HeaderRule = Extract<HttpRequestRule, { action: 'set-header' | 'add-header' | 'del-header' }>;

// set-header / add-header / del-header on a header list, in place.
export function applyHeaderRule(headers: string[], rule: HeaderRule, ctx: SampleContext): void {
  const lower = rule.name.toLowerCase();
  if (rule.action !== 'add-header') {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (headers[i]!.toLowerCase() === lower) headers.splice(i, 2);
    }
  }
  if (rule.action !== 'del-header') headers.push(rule.name, expandLogFormat(rule.value, ctx));
}

const networks = new Map<string, BlockList>();

function inNetwork(ip: string, cidr: string): boolean {
  let list = networks.get(cidr);
  if (!list) {
    list = new BlockList();
    const [addr, bits] = cidr.split('/');
    const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits) list.addSubnet(addr!, Number(bits), family);
    else list.addAddress(addr!, family);
    networks.set(cidr, list);
  }
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}
