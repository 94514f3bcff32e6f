// What a stream captured (src/http_fetch.c), and the file:line of its last final rule (last_rule_file/line,
// src/stream.c): capture.req.hdr(N) / capture.res.hdr(N) read a capture slot,
// capture.req.method/uri/ver and capture.res.ver the request line and versions as they arrived, and unique-id the
// id unique-id-format makes (smp_fetch_uniqueid, made when first asked for).
import type { FetchDef, FetchFn } from '../sample.ts';
import { pathStart } from '../../http/path.ts';
import { haproxyFetch } from '../haproxy-signatures.ts';

function slot(name: string, side: 'req' | 'res'): FetchDef {
  return {
    name, outType: 'str', args: ['sint'], minArgs: 1, source: side === 'req' ? 'http-req-persist' : 'http-res-persist',
    compile(args): FetchFn {
      const idx = Number(args[0] ?? 0);
      return (ctx, visit) => {
        const v = ctx.captures?.[side][idx];
        return v === undefined ? false : visit(v);
      };
    },
  };
}

function requestLine(name: string, fn: FetchFn): FetchDef {
  return { name, outType: 'str', args: [], minArgs: 0, source: 'http-req-persist', compile: () => fn };
}

// The versions as HAProxy names them: "HTTP/1.1" for 1.1, "HTTP/1.0" for anything else
const version = (v: string) => (v === '1.1' ? 'HTTP/1.1' : 'HTTP/1.0');

export const captureFetches: readonly FetchDef[] = [
  slot('capture.req.hdr', 'req'),
  slot('capture.res.hdr', 'res'),
  requestLine('capture.req.method', (ctx, visit) => (ctx.captures && ctx.captures.method !== '' ? visit(ctx.captures.method) : false)),
  // http_parse_path on the target: from the path on, query included; none for "*" or an authority
  requestLine('capture.req.uri', (ctx, visit) => {
    const uri = ctx.captures?.uri;
    if (!uri) return false;
    const at = pathStart(uri);
    return at < 0 ? false : visit(uri.slice(at));
  }),
  requestLine('capture.req.ver', (ctx, visit) => (ctx.captures?.reqVersion ? visit(version(ctx.captures.reqVersion)) : false)),
  requestLine('capture.res.ver', (ctx, visit) => (ctx.captures?.resVersion ? visit(version(ctx.captures.resVersion)) : false)),
  // usable wherever HAProxy allows them (internal state); no final rule ran yet: no sample
  {
    name: 'last_rule_file', outType: 'str', args: [], minArgs: 0, source: haproxyFetch('last_rule_file')!.source,
    compile: () => (ctx, visit) => (ctx.captures?.lastRule ? visit(ctx.captures.lastRule.file) : false),
  },
  {
    name: 'last_rule_line', outType: 'int', args: [], minArgs: 0, source: haproxyFetch('last_rule_line')!.source,
    compile: () => (ctx, visit) => (ctx.captures?.lastRule ? visit(ctx.captures.lastRule.line) : false),
  },
  {
    name: 'unique-id', outType: 'str', args: [], minArgs: 0, source: 'l4',
    compile: () => (ctx, visit) => {
      const id = ctx.captures?.uniqueIdNow();
      return id === undefined ? false : visit(id);
    },
  },
];
