// Where a condition is used decides which fetches can work there (HAProxy's fetch_cap / SMP_VAL_* tables):
// a tcp-request connection rule sees no request contents, an http-response rule no request header values.
import type { FetchSource } from './sample.ts';
import type { CompiledCondition } from './condition.ts';

/** HAProxy's check places (sample_ckp_names), the ones the lab's keywords use. */
export const CHECK_PLACES = {
  'tcp-request connection': 'frontend tcp-request connection rule',
  'tcp-request session': 'frontend tcp-request session rule',
  'tcp-request content': 'frontend tcp-request content rule',
  'backend tcp-request content': 'backend tcp-request content rule',
  'http-request': 'frontend http-request header rule',
  'backend http-request': 'backend http-request header rule',
  use_backend: 'frontend use-backend rule',
  'use-server': 'backend use-server, balance or stick-match rule',
  'http-response': 'frontend http-response header rule',
  'backend http-response': 'backend http-response header rule',
  log: 'log-format at the end of the transaction',
} as const;

export type CheckPlace = keyof typeof CHECK_PLACES;

const EARLY: ReadonlySet<CheckPlace> = new Set(['tcp-request connection', 'tcp-request session']);
const RESPONSE: ReadonlySet<CheckPlace> = new Set(['http-response', 'backend http-response']);
const BACKEND: ReadonlySet<CheckPlace> = new Set(['backend tcp-request content', 'backend http-request', 'use-server']);

// Whether a fetch of this source gives samples at that place.
export function usableAt(source: FetchSource, place: CheckPlace): boolean {
  // the log line is written once the request and response are gone: only what the transaction keeps
  if (place === 'log') return source !== 'l6req' && source !== 'http-req' && source !== 'http-res';
  switch (source) {
    case 'const':
    case 'l4':
      return true;
    case 'l5':
      return place !== 'tcp-request connection';
    case 'http-req-persist':
      return !EARLY.has(place);
    case 'l6req':
    case 'http-req':
      return !EARLY.has(place) && !RESPONSE.has(place);
    case 'http-res':
    case 'http-res-persist':
    case 'server':
      return RESPONSE.has(place);
    case 'frontend':
      return true;
    case 'backend':
      return BACKEND.has(place) || RESPONSE.has(place);
  }
}

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
