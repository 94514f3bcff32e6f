// Names in fetch and converter arguments (nbsrv(app), srv_is_up(app/web1), fe_conn(fe), table_cnt(t),
// sc_http_req_rate(0,t)) are resolved once every section is parsed, as HAProxy's smp_resolve_args does. Each
// expression registers its references where it is compiled; resolveArgReferences gives HAProxy's messages.
import type { SourceLoc } from '../config/diagnostics.ts';
import type { ArgType, ArgValue } from './sample.ts';

/** HAProxy's argument contexts (ARGC_*), as its messages name them ("in http-request expression in"). */
export type ArgContext =
  | 'acl' | 'stick rule' | 'tracking rule' | 'log-format string' | 'http-request expression' | 'http-response response'
  | 'unique-id-format string' | 'redirect format string' | 'capture rule' | 'server directive' | 'use_backend expression'
  | 'use-server or balance expression' | 'http-error directive' | 'tcp-request connection expression'
  | 'tcp-request session expression' | 'tcp-request content expression' | 'tcp-response content expression'
  | 'tcp-check expression' | 'configuration expression';

/** A backend, frontend, server or table named (or meant, when omitted) by one argument. */
export interface ArgReference {
  readonly kind: 'be' | 'fe' | 'srv' | 'tab';
  /** As written; '' when omitted (then it means the section it is written in). */
  readonly value: string;
  /** 1-based argument position. */
  readonly arg: number;
  /** The fetch keyword ("nbsrv"), and the converter when the argument is a converter's. */
  readonly keyword: string;
  readonly converter?: string;
  readonly context: ArgContext;
  readonly loc: SourceLoc;
}

/** Where an expression is compiled: its line and context, and the list its section's references go to. */
export interface ReferenceSite {
  readonly loc: SourceLoc;
  readonly context: ArgContext;
  readonly refs: ArgReference[];
}

const NAMED: ReadonlySet<ArgType> = new Set(['be', 'fe', 'srv', 'tab']);

/** Registers the name arguments of `keyword` (a fetch, or `converter` after it) at `site`. */
export function registerArgReferences(
  site: ReferenceSite | undefined, types: readonly ArgType[], values: readonly ArgValue[], minArgs: number, keyword: string, converter?: string,
): void {
  if (!site) return;
  // make_arg_list lists the arguments written, and for an empty list one empty argument when the first is
  // mandatory (table_cnt, nbsrv: the section it is written in); an omitted optional table or proxy is the fetch's
  // own default at run time (the tracked table), never a load-time reference
  const listed = values.length === 0 && minArgs > 0 ? 1 : values.length;
  types.forEach((type, i) => {
    if (!NAMED.has(type) || i >= listed) return;
    const v = values[i];
    site.refs.push({
      kind: type as ArgReference['kind'], value: typeof v === 'string' ? v : '', arg: i + 1, keyword,
      ...(converter !== undefined ? { converter } : {}), context: site.context, loc: site.loc,
    });
  });
}

/** What the config knows about its sections once they are all parsed. */
export interface ProxyDirectory {
  /** Capabilities of the proxy with that name, or undefined when there is none. */
  caps(name: string): { readonly frontend: boolean; readonly backend: boolean } | undefined;
  hasServer(backend: string, server: string): boolean;
  /** Whether a proxy of that name declares a stick table. */
  hasTable(name: string): boolean;
}

/**
 * HAProxy's alert for the references of the section named `proxy` that do not resolve, or null: one message per
 * reference, or "multiple argument resolution errors:" with each on an indented line.
 */
export function resolveArgReferences(refs: readonly ArgReference[], proxy: string, dir: ProxyDirectory): string | null {
  const errs: string[] = [];
  for (const r of refs) {
    const e = referenceError(r, proxy, dir);
    if (e) errs.push(e);
  }
  if (errs.length === 0) return null;
  if (errs.length === 1) return errs[0]!;
  return `multiple argument resolution errors:${errs.map((e) => `\n        ${e}`).join('')}`;
}

function referenceError(r: ArgReference, proxy: string, dir: ProxyDirectory): string | null {
  const at = `parsing [${r.loc.file}:${r.loc.line}]: `;
  const conv = r.converter !== undefined ? `conversion keyword '${r.converter}' for ` : '';
  const what = r.context === 'acl' ? `ACL keyword '${r.keyword}' in` : `sample fetch keyword '${r.keyword}' in ${r.context} in`;
  const of = `arg ${r.arg} of ${conv}${what} proxy '${proxy}'`;
  switch (r.kind) {
    case 'srv': {
      if (r.value === '') return `${at}missing server name in ${of}.`;
      const slash = r.value.lastIndexOf('/');
      const backend = slash < 0 ? proxy : r.value.slice(0, slash);
      const server = slash < 0 ? r.value : r.value.slice(slash + 1);
      if (slash >= 0 && !dir.caps(backend)?.backend) return `${at}unable to find proxy '${backend}' referenced in ${of}.`;
      if (!dir.hasServer(backend, server)) return `${at}unable to find server '${server}' in proxy '${backend}', referenced in ${of}.`;
      return null;
    }
    case 'fe':
    case 'be': {
      const cap = r.kind === 'be' ? 'backend' : 'frontend';
      const name = r.value !== '' ? r.value : proxy;
      const caps = dir.caps(name);
      if (r.value !== '' && !caps?.[cap]) return `${at}unable to find ${cap} '${name}' referenced in ${of}.`;
      if (!caps?.[cap]) return `${at}proxy '${name}', referenced in ${of}, has not ${cap} capability.`;
      return null;
    }
    case 'tab': {
      const name = r.value !== '' ? r.value : proxy;
      if (!dir.hasTable(name)) return `${at}unable to find table '${name}' referenced in ${of}.`;
      return null;
    }
  }
}
