// Matching a sample against a pattern reference's current entries, as HAProxy 2.6's pattern.c picks the entry:
// exact strings and case-sensitive prefixes are looked up in a tree (the longest prefix wins), IP networks in
// trees by longest prefix (IPv4 with contiguous masks, IPv6), everything else in file order, first match wins.
// What the reference's entries compile to is rebuilt when the runtime API changes them (its revision moves).
import type { SampleValue } from '../sample/sample.ts';
import { readInt64At, type Int } from '../sample/int64.ts';
import { parseIpNet, parseIpv4, parseIpv6, type IpNet } from '../sample/ip.ts';
import { compileMatch, type AnyMatch, type Matcher } from './match.ts';
import type { PatternElt, PatternRef, PatternUse } from './pattern-refs.ts';

/** What a map converter's values are parsed into (HAProxy's map_parse_str/int/ip). */
export type ValueType = 'str' | 'int' | 'ip';

export interface Found {
  readonly elt: PatternElt;
  /** Found through a tree index (get map|acl says idx=tree) rather than the list. */
  readonly tree: boolean;
}

// Which parse/index pair each method uses (pat_parse_fcts × pat_index_fcts): uses that share it share entries.
const INDEX_CLASS: Record<AnyMatch, string> = {
  found: 'nothing', bool: 'nothing', int: 'int', len: 'int', ip: 'ip', bin: 'bin', str: 'str-tree', beg: 'str-prefix',
  sub: 'str-list', dir: 'str-list', dom: 'str-list', end: 'str-list', reg: 'reg', regm: 'regm', meth: 'meth',
};

/** map_parse_int: read_int64 (an optional sign, digits) must take the whole text; an empty one reads as 0. */
export function parseMapInt(text: string): Int | undefined {
  const r = readInt64At(text);
  return r.end === text.length ? r.value : undefined;
}

/** map_parse_ip: an IPv4 or IPv6 address. */
export function parseMapIp(text: string): string | undefined {
  if (parseIpv4(text) >= 0) return text;
  return parseIpv6(text, new Uint16Array(8)) ? text : undefined;
}

/** The value a map entry gives, typed as the converter's output. */
export function parseMapValue(text: string, type: ValueType): SampleValue | undefined {
  if (type === 'str') return text;
  if (type === 'int') return parseMapInt(text);
  return parseMapIp(text);
}

/** A use of a reference by `method` (with HAProxy's flags), and the value parser of a map converter. */
export function patternUse(method: AnyMatch, icase: boolean, noDns: boolean, values?: ValueType): PatternUse {
  const use: PatternUse = {
    method,
    icase,
    noDns,
    key: `${INDEX_CLASS[method]}|${values ?? '-'}|${icase ? 'i' : ''}${noDns ? 'n' : ''}`,
    parsePattern: (p) => {
      const r = compileMatch(method, [p], icase, noDns);
      return 'error' in r ? r.error : null;
    },
  };
  return values === undefined ? use : { ...use, values, parseSample: (v) => parseMapValue(v, values) !== undefined };
}

interface Built {
  readonly find: (v: SampleValue) => Found | undefined;
}

const prefixLen4 = (mask: number): number => {
  let n = 0;
  while (n < 32 && ((mask >>> (31 - n)) & 1) === 1) n++;
  return ((mask << n) >>> 0) === 0 || n === 32 ? n : -1;
};

// v4 sample (or the v4 inside a mapped/compatible/6to4 v6 one), HAProxy's order of trees then list.
function buildIp(elts: readonly PatternElt[], noDns: boolean): Built {
  type Net = { elt: PatternElt; net: IpNet; bits: number; match: Matcher };
  const tree4: Net[] = [];
  const tree6: Net[] = [];
  const list: Net[] = [];
  for (const elt of elts) {
    const ok = compileMatch('ip', [elt.pattern], false, noDns);
    if ('error' in ok) continue;
    const net = parseIpNet(elt.pattern);
    if (!net) continue;
    if (net.v === 6) tree6.push({ elt, net, bits: net.prefix, match: ok.match });
    else {
      const bits = prefixLen4(net.mask);
      (bits >= 0 ? tree4 : list).push({ elt, net, bits, match: ok.match });
    }
  }
  const longest = (nets: readonly Net[], sample: string): Found | undefined => {
    let best: Net | undefined;
    for (const n of nets) {
      if (n.match(sample) < 0) continue;
      if (!best || n.bits > best.bits) best = n;
    }
    return best ? { elt: best.elt, tree: true } : undefined;
  };
  // a v4 sample tries the v4 tree, then the v6 one (as ::ffff:a.b.c.d); a v6 sample the other way round
  return {
    find: (v) => {
      const s = v as string;
      const isV4 = s.indexOf(':') < 0;
      const first = isV4 ? longest(tree4, s) ?? longest(tree6, s) : longest(tree6, s) ?? longest(tree4, s);
      if (first) return first;
      for (const n of list) if (n.match(s) >= 0) return { elt: n.elt, tree: false };
      return undefined;
    },
  };
}

function build(method: AnyMatch, icase: boolean, noDns: boolean, elts: readonly PatternElt[]): Built {
  if (method === 'ip') return buildIp(elts, noDns);
  if (method === 'str' && !icase) {
    const byKey = new Map<string, PatternElt>();
    for (const e of elts) if (!byKey.has(e.pattern)) byKey.set(e.pattern, e);
    return {
      find: (v) => {
        const elt = byKey.get(v as string);
        return elt ? { elt, tree: true } : undefined;
      },
    };
  }
  const matchers: { elt: PatternElt; match: Matcher }[] = [];
  for (const elt of elts) {
    const m = compileMatch(method, [elt.pattern], icase, noDns);
    if (!('error' in m)) matchers.push({ elt, match: m.match });
  }
  if (method === 'beg' && !icase) {
    return {
      find: (v) => {
        let best: PatternElt | undefined;
        for (const m of matchers) if (m.match(v) >= 0 && (!best || m.elt.pattern.length > best.pattern.length)) best = m.elt;
        return best ? { elt: best, tree: true } : undefined;
      },
    };
  }
  return {
    find: (v) => {
      for (const m of matchers) if (m.match(v) >= 0) return { elt: m.elt, tree: false };
      return undefined;
    },
  };
}

/**
 * Looks samples up in a reference's current generation with one method; rebuilt on first use after a change.
 * `v` must already have the type the method expects (the caller casts).
 */
export class PatternLookup {
  private builtAt = -1;
  private gen = -1;
  private built: Built = { find: () => undefined };

  constructor(readonly ref: PatternRef, readonly method: AnyMatch, readonly icase: boolean, readonly noDns: boolean) {}

  find(v: SampleValue): Found | undefined {
    if (this.builtAt !== this.ref.revision || this.gen !== this.ref.currGen) {
      this.built = build(this.method, this.icase, this.noDns, this.ref.current());
      this.builtAt = this.ref.revision;
      this.gen = this.ref.currGen;
    }
    return this.built.find(v);
  }
}
