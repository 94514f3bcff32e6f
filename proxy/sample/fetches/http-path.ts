// Request-line fetches (HAProxy's src/http_fetch.c): method, path, url, query, url_param, req.ver, base.
// Each returns no sample when there is no HTTP request (mode tcp), so the ACL is false and "!acl" true.
import type { FetchDef, FetchFn, ArgValue } from '../sample.ts';
import { strl2ic } from '../sample.ts';
import { pathStart, requestPath } from '../../http/path.ts';
import { eachHeaderValue } from '../../http/header-scan.ts';

const path: FetchFn = (ctx, visit) => {
  const req = ctx.req;
  if (!req) return false;
  const p = requestPath(req);
  return p !== null && visit(p);
};

const pathq: FetchFn = (ctx, visit) => {
  const req = ctx.req;
  if (!req) return false;
  const start = pathStart(req.uri);
  if (start < 0) return false;
  return visit(start === 0 ? req.uri : req.uri.slice(start));
};

const url: FetchFn = (ctx, visit) => (ctx.req ? visit(ctx.req.uri) : false);

const query: FetchFn = (ctx, visit) => {
  const req = ctx.req;
  if (!req) return false;
  const q = req.uri.indexOf('?');
  return q >= 0 && visit(req.query ?? req.uri.slice(q + 1));
};

// method and req.proto_http still answer in http-response rules (HAProxy keeps them in the transaction).
const method: FetchFn = (ctx, visit) => {
  const req = ctx.req ?? ctx.reqPersist;
  return req ? visit(req.method) : false;
};

const reqVer: FetchFn = (ctx, visit) => (ctx.req && ctx.req.version !== '' ? visit(ctx.req.version) : false);

const protoHttp: FetchFn = (ctx, visit) => (ctx.req || ctx.reqPersist ? visit(true) : false);

function isParamDelim(c: number, delim: number): boolean {
  return c === 38 || c === 59 || c === delim; // '&' ';' delim
}

// url_param(name[,delim]): every value of the parameter, in order (http_find_next_url_param).
function compileUrlParam(args: readonly ArgValue[], asInt: boolean): FetchFn {
  const name = typeof args[0] === 'string' ? args[0] : '';
  const delim = typeof args[1] === 'string' && args[1].length > 0 ? args[1].charCodeAt(0) : 63; // '?'
  const delimChar = String.fromCharCode(delim);
  return (ctx, visit) => {
    const req = ctx.req;
    if (!req) return false;
    const q = req.uri.indexOf(delimChar);
    if (q < 0) return false;
    return eachParam(req.uri, q + 1, name, delim, asInt ? (v) => visit(strl2ic(v)) : visit);
  };
}

/**
 * Every value of parameter `name` (any parameter's when empty) in text[pos..], parameters separated by '&', ';'
 * or `delim` (http_find_next_url_param); true as soon as visit is.
 */
export function eachParam(text: string, pos0: number, name: string, delim: number, visit: (value: string) => boolean): boolean {
  const nlen = name.length;
  const end = text.length;
  let pos = pos0;
  while (pos < end) {
    let vstart: number;
    if (nlen === 0) {
      const eq = text.indexOf('=', pos);
      if (eq < 0) return false;
      vstart = eq + 1;
    } else {
      let found = -1;
      while (pos < end) {
        const equal = pos + nlen;
        if (equal >= end) return false;
        if (text.charCodeAt(equal) === 61) {
          if (text.startsWith(name, pos)) {
            found = pos;
            break;
          }
          pos += nlen + 1;
        }
        while (pos < end && !isParamDelim(text.charCodeAt(pos), delim)) pos++;
        if (pos >= end) return false;
        pos++;
      }
      if (found < 0) return false;
      vstart = found + nlen + 1;
    }
    let vend = vstart;
    while (vend < end && !isParamDelim(text.charCodeAt(vend), delim)) vend++;
    if (visit(text.slice(vstart, vend))) return true;
    pos = vend;
    if (pos >= end) return false;
  }
  return false;
}

// base/baseq: the first Host value followed by the path (smp_fetch_base); the path alone without a Host.
function compileBase(withQuery: boolean): FetchFn {
  let host = '';
  const first = (v: string): boolean => {
    host = v;
    return true;
  };
  return (ctx, visit) => {
    const req = ctx.req;
    if (!req) return false;
    if (!eachHeaderValue(req.headers, 'host', false, first) || host === '') return withQuery ? pathq(ctx, visit) : path(ctx, visit);
    const start = pathStart(req.uri);
    let tail = '';
    if (start >= 0) {
      const q = withQuery ? -1 : req.uri.indexOf('?', start);
      tail = q < 0 ? req.uri.slice(start) : req.uri.slice(start, q);
    }
    return visit(tail.charCodeAt(0) === 47 ? host + tail : host);
  };
}

function http(name: string, outType: FetchDef['outType'], fn: FetchFn, persist = false): FetchDef {
  return { name, outType, args: [], minArgs: 0, source: persist ? 'http-req-persist' : 'http-req', compile: () => fn };
}

// http_first_req: whether the request is the first of its client connection (over its HTTP/2 streams too)
const firstReq: FetchFn = (ctx, visit) => ctx.firstRequest !== undefined && visit(ctx.firstRequest);

// The request-line fetches by name (req_ver and req.ver are the same fetch).
export const httpPathFetches: readonly FetchDef[] = [
  { name: 'base', outType: 'str', args: [], minArgs: 0, source: 'http-req', compile: () => compileBase(false) },
  { name: 'baseq', outType: 'str', args: [], minArgs: 0, source: 'http-req', compile: () => compileBase(true) },
  http('path', 'str', path),
  http('pathq', 'str', pathq),
  http('url', 'str', url),
  http('query', 'str', query),
  http('method', 'meth', method, true),
  http('req.ver', 'str', reqVer),
  http('req_ver', 'str', reqVer),
  http('req.proto_http', 'bool', protoHttp, true),
  http('req_proto_http', 'bool', protoHttp, true),
  http('http_first_req', 'bool', firstReq, true),
  { name: 'url_param', outType: 'str', args: ['str', 'str'], minArgs: 0, source: 'http-req', compile: (a) => compileUrlParam(a, false) },
  { name: 'urlp', outType: 'str', args: ['str', 'str'], minArgs: 0, source: 'http-req', compile: (a) => compileUrlParam(a, false) },
  { name: 'urlp_val', outType: 'int', args: ['str', 'str'], minArgs: 0, source: 'http-req', compile: (a) => compileUrlParam(a, true) },
];
