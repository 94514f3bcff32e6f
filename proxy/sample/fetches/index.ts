// Every sample fetch we know, by name (HAProxy's sample_fetch_keywords, the subset the lab needs).
import type { FetchDef } from '../sample.ts';
import { connectionFetches } from './connection.ts';
import { constantFetches } from './constants.ts';
import { httpCookieFetches } from './http-cookies.ts';
import { httpHeaderFetches } from './http-headers.ts';
import { httpPathFetches } from './http-path.ts';
import { httpResponseFetches } from './http-response.ts';
import { identityFetches } from './identity.ts';
import { payloadFetches } from './payload.ts';
import { proxyStateFetches } from './proxy-state.ts';
import { variableFetches } from './variables.ts';
import { sslFetches } from './ssl.ts';
import { lackingFetch } from '../lacking.ts';
import { httpHashFetches } from './http-hash.ts';
import { stickCounterFetches } from './stick-counters.ts';
import { captureFetches } from './captures.ts';
import { httpBodyFetches } from './http-body.ts';
import { literalFetches } from './literals.ts';
import { headerBlockFetches } from './http-header-block.ts';
import { responseFilterFetches } from './response-filters.ts';

const table = new Map<string, FetchDef>();
for (const f of [...connectionFetches, ...constantFetches, ...httpPathFetches, ...httpHeaderFetches, ...httpCookieFetches, ...httpResponseFetches, ...identityFetches, ...payloadFetches, ...proxyStateFetches, ...variableFetches, ...sslFetches, ...httpHashFetches, ...stickCounterFetches, ...captureFetches, ...httpBodyFetches, ...literalFetches, ...headerBlockFetches, ...responseFilterFetches]) table.set(f.name, f);

// Looks a fetch up by its exact keyword; one HAProxy has and the engine lacks comes as a stand-in (lacking.ts).
export function findFetch(name: string): FetchDef | undefined {
  return table.get(name) ?? lackingFetch(name);
}

// True when the engine itself implements the fetch.
export function engineHasFetch(name: string): boolean {
  return table.has(name);
}

// All known fetch names (for suggestions and docs).
export function fetchNames(): string[] {
  return [...table.keys()];
}
