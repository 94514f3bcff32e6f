// The ACL keyword table: names that are a fetch plus a match method (HAProxy's acl_kws in src/http_acl.c and
// src/payload.c), e.g. path_beg = path -m beg, hdr_sub(name) = req.hdr(name) -m sub. A word that is not here
// is looked up as a plain sample fetch and matched by its output type's default method.
import type { AnyMatch } from './match.ts';

export interface AclKeyword {
  readonly name: string;
  /** The sample fetch it reads. */
  readonly fetch: string;
  readonly match: AnyMatch;
}

const table = new Map<string, AclKeyword>();

function family(prefix: string, fetch: string): void {
  table.set(prefix, { name: prefix, fetch, match: 'str' });
  for (const m of ['beg', 'dir', 'dom', 'end', 'len', 'reg', 'sub'] as const) {
    table.set(`${prefix}_${m}`, { name: `${prefix}_${m}`, fetch, match: m });
  }
}

family('base', 'base');
family('cook', 'req.cook');
family('hdr', 'req.hdr');
family('path', 'path');
family('scook', 'res.cook');
family('shdr', 'res.hdr');
family('url', 'url');
family('urlp', 'urlp');
table.set('method', { name: 'method', fetch: 'method', match: 'meth' });
table.set('req_ver', { name: 'req_ver', fetch: 'req.ver', match: 'str' });
table.set('resp_ver', { name: 'resp_ver', fetch: 'res.ver', match: 'str' });
table.set('payload', { name: 'payload', fetch: 'req.payload', match: 'bin' });
table.set('req_rdp_cookie', { name: 'req_rdp_cookie', fetch: 'req.rdp_cookie', match: 'str' });
table.set('req_rdp_cookie_cnt', { name: 'req_rdp_cookie_cnt', fetch: 'req.rdp_cookie_cnt', match: 'int' });

// Looks an ACL keyword up by its exact name (the part before any '(' or ',').
export function findAclKeyword(name: string): AclKeyword | undefined {
  return table.get(name);
}

// Every ACL keyword, as `haproxy -dKacl` would list them ("path_beg = path -m beg").
export function aclKeywords(): readonly AclKeyword[] {
  return [...table.values()];
}
