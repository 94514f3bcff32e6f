// Chooses the balancer for a backend's `balance` line, and says which runtime weight changes HAProxy accepts.
import type { BalanceSpec } from '../config/model.ts';
import type { ServerState } from '../server/server-state.ts';
import { followsWeightChanges, staticWeightError, type Balancer, type BalancerFactory, type BalancerOptions } from './balancer.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { StaticRrBalancer } from './static-rr.ts';
import { LeastConnBalancer } from './leastconn.ts';
import { FirstBalancer } from './first.ts';
import { RandomBalancer } from './random.ts';
import { HashBalancer } from './hash-balancer.ts';
import { MapPlacement, type HashPlacement } from './map-based.ts';
import { ChashRing } from './consistent-hash.ts';
import { hdrKey, sourceKey, uriKey, urlParamKey, type HashKey } from './hash-key.ts';

// Words of the options, whether the parser kept "len 5" as one string or two.
function words(spec: BalanceSpec): string[] {
  return spec.options.flatMap((o) => o.split(/\s+/)).filter((w) => w !== '');
}

function where(spec: BalanceSpec): string {
  return spec.loc ? ` at ${spec.loc.file}:${spec.loc.line}` : '';
}

// The uri options as backend_parse_balance reads them.
function uriOptions(spec: BalanceSpec): { whole: boolean; pathOnly: boolean; len: number; depth: number } {
  const w = words(spec);
  const o = { whole: false, pathOnly: false, len: 0, depth: 0 };
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    if (word === 'whole') o.whole = true;
    else if (word === 'path-only') o.pathOnly = true;
    else if (word === 'len' || word === 'depth') {
      const n = parseInt(w[i + 1] ?? '', 10);
      if (!(n > 0)) throw new Error(`balance uri${where(spec)}: '${word}' expects a positive integer (got '${w[i + 1] ?? ''}').`);
      o[word] = n;
      i++;
    } else {
      throw new Error(`balance uri${where(spec)}: uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${word}').`);
    }
  }
  return o;
}

// random's number of draws: "random(3)" in arg or options, or a bare number; HAProxy's default is 2.
function randomDraws(spec: BalanceSpec): number {
  for (const text of [spec.arg ?? '', ...spec.options]) {
    const m = /^(?:random)?\(?\s*(\d+)\s*\)?$/.exec(text.trim());
    if (m) {
      const n = Number(m[1]);
      if (n < 1) throw new Error(`balance random${where(spec)}: random : number of draws must be at least 1.`);
      return n;
    }
  }
  return 2;
}

function hashKeyOf(spec: BalanceSpec): HashKey {
  switch (spec.algorithm) {
    case 'source':
      return sourceKey;
    case 'uri':
      return uriKey(uriOptions(spec));
    case 'url_param':
      if (!spec.arg) throw new Error(`balance url_param${where(spec)}: url_param requires an URL parameter name.`);
      return urlParamKey(spec.arg);
    case 'hdr':
      if (!spec.arg) throw new Error(`balance hdr${where(spec)}: hdr requires an http header field name.`);
      return hdrKey(spec.arg, words(spec).includes('use_domain_only'));
    default:
      throw new Error(`balance ${spec.algorithm}${where(spec)} is not a hashing algorithm`);
  }
}

// Builds the balancer for one backend; `servers` in declaration order.
export const createBalancer: BalancerFactory = (spec: BalanceSpec, servers: readonly ServerState[], opts: BalancerOptions): Balancer => {
  const allBackups = opts.allBackups;
  switch (spec.algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(servers, allBackups);
    case 'static-rr':
      return new StaticRrBalancer(servers, allBackups);
    case 'leastconn':
      return new LeastConnBalancer(servers, allBackups);
    case 'first':
      return new FirstBalancer(servers, allBackups);
    case 'random':
      return new RandomBalancer(servers, allBackups, randomDraws(spec), opts.random ?? Math.random);
    case 'source':
    case 'uri':
    case 'url_param':
    case 'hdr': {
      const key = hashKeyOf(spec);
      const consistent = spec.hashType === 'consistent';
      const placement: HashPlacement = consistent ? new ChashRing(servers, allBackups) : new MapPlacement(servers, allBackups);
      // cfgparse-listen.c: a bare "hash-type consistent" implies sdbm + avalanche; otherwise only if written.
      const avalanche = spec.hashAvalanche ?? (consistent && spec.hashFunction === undefined);
      return new HashBalancer(spec.algorithm, key, placement, spec.hashFunction ?? 'sdbm', avalanche);
    }
  }
};

// Whether the algorithm follows weight changes at run time, for callers holding only the spec: its balancer says.
export function isDynamic(spec: BalanceSpec): boolean {
  return followsWeightChanges(createBalancer(spec, [], { allBackups: false }));
}

// The error `set weight` gives for this new weight, or null when HAProxy accepts it
// (server_parse_weight_change_request: static algorithms take only 0 and the initial weight).
export function weightChangeError(spec: BalanceSpec, server: ServerState, weight: number): string | null {
  if (!Number.isInteger(weight) || weight < 0 || weight > 256) return 'Absolute weight can only be between 0 and 256 inclusive.';
  return staticWeightError(isDynamic(spec), server.spec.weight, weight);
}
