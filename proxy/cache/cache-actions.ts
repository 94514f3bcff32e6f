// `http-request cache-use NAME` and `http-response cache-store NAME` (parse_cache_use/parse_cache_store and
// parse_cache_rule() of src/cache.c), and the check once every section is read that each name is a cache.
import type { Diagnostic } from '../config/diagnostics.ts';
import { proxyTypeStr } from '../config/context.ts';
import type { ProxyDraft } from '../config/draft.ts';
import { isCondWord, type Parsed } from '../http/actions/common.ts';

export interface CacheRule {
  readonly action: 'cache-use' | 'cache-store';
  readonly cache: string;
}

/** The cache name after the action word at `at`. */
export function parseCacheAction(args: { arg(i: number): string }, at: number, action: CacheRule['action']): Parsed<CacheRule> {
  const name = args.arg(at);
  if (name === '' || isCondWord(name)) return { error: 'expects a cache name' };
  return { rule: { action, cache: name }, next: at + 1 };
}

/** cache_store_check(): every cache a proxy's rules name must be declared (one alert per proxy and cache). */
export function checkCacheReferences(proxies: readonly ProxyDraft[], declared: ReadonlySet<string>, diagnostics: Diagnostic[]): void {
  for (const p of proxies) {
    const named = new Set<string>();
    for (const r of [...p.httpRequestRules, ...p.httpResponseRules]) {
      if (r.action === 'cache-use' || r.action === 'cache-store') named.add(r.cache);
    }
    for (const name of named) {
      // a declared cache HAProxy refused already has its own alert
      if (declared.has(name)) continue;
      diagnostics.push({ severity: 'alert', message: `config: ${proxyTypeStr(p.kind)} '${p.name}': unable to find the cache '${name}' referenced by the filter 'cache'.`, loc: p.loc, form: 'plain' });
    }
  }
}
