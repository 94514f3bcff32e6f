// http-errors sections (cfg_parse_http_errors), `errorfiles NAME [CODE...]` and `http-error status N ...` in
// proxies (src/http_htx.c), and how a proxy's error declarations resolve once every section is read
// (proxy_check_errors): in declaration order, defaults' first, each replacing what an earlier one set for a status.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LineContext, ProxyLineContext } from './context.ts';
import type { Diagnostic, SourceLoc } from './diagnostics.ts';
import type { ErrorDecl, HttpErrorsDraft, ProxyDraft } from './draft.ts';
import { ERROR_PAGE_CODES } from '../http/actions/common.ts';
import { parseHttpReply, type ErrorfilesRef, type HttpReply } from '../http/actions/http-reply.ts';
import { errorPageFromFile, type ErrorPage } from '../http/error-pages.ts';
import { invalidChar } from './keywords-proxy.ts';

/** "http-errors NAME": opens a section; alerts as HAProxy does, still returning the section to fill. */
export function openHttpErrors(c: LineContext, sections: readonly HttpErrorsDraft[]): HttpErrorsDraft | null {
  const name = c.arg(1);
  if (name === '') {
    c.alert('missing name for http-errors section.');
    return null;
  }
  const bad = invalidChar(name);
  if (bad) c.alert(`character '${bad}' is not permitted in 'http-errors' name '${name}'.`);
  const dup = sections.find((s) => s.name === name);
  if (dup) c.alert(`http-errors section '${name}' already exists (declared at ${dup.loc.file}:${dup.loc.line}).`, { form: 'parsing-tight' });
  return { name, loc: c.loc, pages: new Map() };
}

/** A line inside an http-errors section: only "errorfile CODE FILE". */
export function parseHttpErrorsLine(c: LineContext, section: HttpErrorsDraft): void {
  if (c.arg(0) !== 'errorfile') {
    c.alert(`unknown keyword '${c.arg(0)}' in 'http-errors' section`);
    return;
  }
  if (c.arg(1) === '' || c.arg(2) === '') {
    c.alert(`errorfile: expects <status_code> and <file> as arguments.`);
    return;
  }
  const code = Number.parseInt(c.arg(1), 10) || 0;
  if (!ERROR_PAGE_CODES.includes(code)) {
    c.alert(`errorfile : status code '${code}' not handled.`);
    return;
  }
  let data: Buffer;
  try {
    data = readFileSync(resolve(c.state.baseDir, c.arg(2)));
  } catch {
    c.alert(`errorfile : error opening file '${c.arg(2)}'.`);
    return;
  }
  const page = errorPageFromFile(c.arg(2), data);
  if (typeof page === 'string') {
    c.alert(`errorfile : ${page}`);
    return;
  }
  section.pages.set(code, page);
}

// "errorfiles NAME [CODE...]"
export function parseErrorfiles(c: ProxyLineContext): void {
  if (c.notCap('frontend', c.arg(0)) && c.notCap('backend', c.arg(0))) return;
  if (c.arg(1) === '') {
    c.alert(`errorfiles : expects <name> as argument.`);
    return;
  }
  const codes: number[] = [];
  for (let i = 2; i < c.count; i++) {
    const code = Number.parseInt(c.arg(i), 10) || 0;
    if (!ERROR_PAGE_CODES.includes(code)) {
      c.alert(`errorfiles : status code '${code}' not handled.`);
      return;
    }
    codes.push(code);
  }
  c.proxy.errorDecls.push({ kind: 'files', name: c.arg(1), codes: codes.length > 0 ? codes : null, loc: c.loc });
}

// "http-error status N [content-type T] [default-errorfiles | errorfile F | errorfiles NAME | file F | lf-file F |
// string S | lf-string S] [hdr NAME FMT]..."
export function parseHttpError(c: ProxyLineContext): void {
  const r = parseHttpReply(c, 1, 0, false);
  if ('error' in r) {
    c.alert(`http-error : ${r.error}.`);
    return;
  }
  const reply = r.reply;
  if (reply.status === 0) {
    c.alert(`http-error : expects at least a <status> as arguments.`);
    return;
  }
  if (!ERROR_PAGE_CODES.includes(reply.status)) {
    c.alert(`http-error: status code '${reply.status}' not handled.`);
    return;
  }
  if (c.arg(r.next) !== '') {
    c.alert(`http-error : unknown keyword '${c.arg(r.next)}'.`);
    return;
  }
  const status = reply.status;
  if (reply.kind === 'errmsg') {
    c.proxy.errorDecls.push(reply.errorfiles ? { kind: 'files', name: reply.errorfiles.name, codes: [status], loc: c.loc } : { kind: 'default', status });
  } else if (reply.kind === 'raw') c.proxy.errorDecls.push({ kind: 'page', status, page: reply.page });
  else c.proxy.errorDecls.push({ kind: 'reply', status, reply });
}

/**
 * proxy_check_errors for every proxy, then the http replies that name a section (deny ... errorfiles NAME):
 * the pages and replies each status gets, with HAProxy's alerts and warnings.
 */
export function resolveErrorDecls(proxies: readonly ProxyDraft[], sections: readonly HttpErrorsDraft[], refs: readonly ErrorfilesRef[], d: Diagnostic[]): void {
  const find = (name: string) => sections.find((s) => s.name === name);
  for (const p of proxies) {
    if (!p.errorDecls.some((x) => x.kind !== 'page')) continue;
    const pages = new Map<number, ErrorPage>();
    const replies = new Map<number, HttpReply>();
    for (const decl of p.errorDecls) apply(p, decl, pages, replies, find, d);
    p.errorPages = pages;
    p.errorReplies = replies;
  }
  for (const ref of refs) {
    const s = find(ref.name);
    if (!s) {
      d.push({ severity: 'alert', message: `Proxy '${ref.proxy}': unknown http-errors section '${ref.name}' referenced by an http reply .`, form: 'plain', loc: ref.loc });
      continue;
    }
    const page = s.pages.get(ref.status);
    if (page) ref.page = page;
    else d.push({ severity: 'warning', message: `Proxy '${ref.proxy}': status '${ref.status}' referenced by an http reply not declared in http-errors section '${ref.name}'.`, form: 'plain', loc: ref.loc });
  }
}

function apply(
  p: ProxyDraft, decl: ErrorDecl, pages: Map<number, ErrorPage>, replies: Map<number, HttpReply>, find: (n: string) => HttpErrorsDraft | undefined, d: Diagnostic[],
): void {
  switch (decl.kind) {
    case 'page':
      pages.set(decl.status, decl.page);
      replies.delete(decl.status);
      return;
    case 'reply':
      replies.set(decl.status, decl.reply);
      pages.delete(decl.status);
      return;
    case 'default':
      pages.delete(decl.status);
      replies.delete(decl.status);
      return;
    case 'files': {
      const s = find(decl.name);
      const at = (loc: SourceLoc) => `${loc.file}:${loc.line}`;
      if (!s) {
        d.push({ severity: 'alert', message: `proxy '${p.name}': unknown http-errors section '${decl.name}' (at ${at(decl.loc)}).`, form: 'plain', loc: decl.loc });
        return;
      }
      for (const code of decl.codes ?? ERROR_PAGE_CODES) {
        const page = s.pages.get(code);
        if (page) {
          pages.set(code, page);
          replies.delete(code);
        } else if (decl.codes) {
          d.push({ severity: 'warning', message: `config: proxy '${p.name}' : status '${code}' not declared in http-errors section '${s.name}' (at ${at(decl.loc)}).`, form: 'plain', loc: decl.loc });
        }
      }
    }
  }
}
