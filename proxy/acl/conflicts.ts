// HAProxy's config-time warnings for conditions whose fetches cannot work where the condition is used.
import { CHECK_PLACES, usableAt, type CheckPlace } from '../sample/places.ts';
import type { CompiledCondition } from './condition.ts';

/**
 * HAProxy's warning for an ACL that can never match where it is used (warnif_cond_conflicts), or null.
 * With `rule` (e.g. "tcp-request connection") the wording is tcp_rules.c's "will never match in '<rule>'".
 */
export function conditionConflict(cond: CompiledCondition, place: CheckPlace, rule?: string): string | null {
  const where = CHECK_PLACES[place];
  const inRule = rule ? ` in '${rule}'` : '';
  for (const suite of cond.suites) {
    for (const term of suite) {
      const acl = term.acl;
      if (acl.exprs.some((e) => usableAt(e.source, place))) continue;
      if (acl.name !== '') return `acl '${acl.name}' will never match${inRule} because it only involves keywords that are incompatible with '${where}'`;
      return `anonymous acl will never match${inRule} because it uses keyword '${acl.exprs[0]?.kw ?? ''}' which is incompatible with '${where}'`;
    }
  }
  for (const suite of cond.suites) {
    for (const term of suite) {
      const bad = term.acl.exprs.find((e) => !usableAt(e.source, place));
      if (!bad) continue;
      if (term.acl.name === '') return `anonymous acl involves keyword '${bad.kw}' which is incompatible with '${where}'`;
      // tcp_rules.c says "keyword", cfgparse.c "keywords".
      return `acl '${term.acl.name}' involves keyword${rule ? '' : 's'} '${bad.kw}' which is incompatible with '${where}'`;
    }
  }
  return null;
}

/**
 * HAProxy's warning for a condition using buffer-level (L6) fetches such as req.len in an HTTP proxy
 * (warnif_tcp_http_cond), or null. The caller checks that the proxy is in mode http.
 */
export function l6InHttpWarning(cond: CompiledCondition, proxy: string): string | null {
  const usesL6 = cond.suites.some((s) => s.some((t) => t.acl.exprs.some((e) => e.source === 'l6req')));
  return usesL6 ? `Proxy '${proxy}': L6 sample fetches ignored on HTTP proxies (declared at ${cond.loc.file}:${cond.loc.line}).` : null;
}
