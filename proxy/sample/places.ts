// Where a sample expression (in a condition, a header value, a log line) is used decides which fetches can work there (HAProxy's fetch_cap / SMP_VAL_* tables):
// a tcp-request connection rule sees no request contents, an http-response rule no request header values.
import type { FetchSource } from './sample.ts';

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
  'tcp-response content': 'frontend tcp-response content rule',
  'backend tcp-response content': 'backend tcp-response content rule',
  'http-response': 'frontend http-response header rule',
  'backend http-response': 'backend http-response header rule',
  log: 'log-format at the end of the transaction',
  cfg: 'configuration parser',
} as const;

export type CheckPlace = keyof typeof CHECK_PLACES;

const EARLY: ReadonlySet<CheckPlace> = new Set(['tcp-request connection', 'tcp-request session']);
// tcp-response content rules see what http-response rules see (fetch_cap gives *_RES_CNT the same sources)
const RESPONSE: ReadonlySet<CheckPlace> = new Set(['http-response', 'backend http-response', 'tcp-response content', 'backend tcp-response content']);
const BACKEND: ReadonlySet<CheckPlace> = new Set(['backend tcp-request content', 'backend http-request', 'use-server']);

// Whether a fetch of this source gives samples at that place.
export function usableAt(source: FetchSource, place: CheckPlace): boolean {
  // the global section's set-var runs while the config is read: only constants (and proc variables)
  if (place === 'cfg') return source === 'const';
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
