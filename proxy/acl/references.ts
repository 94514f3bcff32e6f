// Names in fetch arguments (nbsrv(app), srv_is_up(app/web1), fe_conn(fe)) are resolved once every section is
// parsed, as HAProxy's smp_resolve_args does; these are its messages for the ones that do not resolve.
import type { AclRegistry } from './named-acls.ts';
import { ProxyAcls } from './named-acls.ts';
import { splitServerArg } from '../sample/fetches/proxy-state.ts';

/** What the config knows about its sections once they are all parsed. */
export interface ProxyDirectory {
  /** Capabilities of the proxy with that name, or undefined when there is none. */
  caps(name: string): { readonly frontend: boolean; readonly backend: boolean } | undefined;
  hasServer(backend: string, server: string): boolean;
}

/** One "parsing [file:line]: ..." line per unresolved name, in declaration order. */
export function aclReferenceErrors(acls: AclRegistry, dir: ProxyDirectory): string[] {
  if (!(acls instanceof ProxyAcls)) return [];
  const out: string[] = [];
  for (const e of acls.expressions) {
    for (const r of e.refs) {
      const at = `parsing [${r.loc.file}:${r.loc.line}]: `;
      const of = `referenced in arg ${r.arg} of ACL keyword '${r.keyword}' in proxy '${r.proxy}'`;
      if (r.kind === 'srv') {
        if (r.value === '') {
          out.push(`${at}missing server name in arg ${r.arg} of ACL keyword '${r.keyword}' in proxy '${r.proxy}'.`);
          continue;
        }
        const { backend, server } = splitServerArg(r.value, r.proxy);
        if (r.value.includes('/') && !dir.caps(backend)?.backend) {
          out.push(`${at}unable to find proxy '${backend}' ${of}.`);
        } else if (!dir.hasServer(backend, server)) {
          out.push(`${at}unable to find server '${server}' in proxy '${backend}', ${of}.`);
        }
        continue;
      }
      const cap = r.kind === 'be' ? 'backend' : 'frontend';
      if (r.value !== '') {
        if (!dir.caps(r.value)?.[cap]) out.push(`${at}unable to find ${cap} '${r.value}' ${of}.`);
      } else if (!dir.caps(r.proxy)?.[cap]) {
        out.push(`${at}proxy '${r.proxy}', ${of}, has not ${cap} capability.`);
      }
    }
  }
  return out;
}
