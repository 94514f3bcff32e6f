// The map converters of HAProxy 2.6 (src/map.c): map(FILE[,DEFAULT]) and map_<match>[_<output>], which look
// the sample up in a map file's keys with a match method and give the value of the entry found, typed as the
// output says (str, int or ip), else the default, else nothing (the converter fails). The file's entries are a
// pattern reference shared with every other user of the file, so the runtime API's changes reach them.
import { PatternRefs, type PatternRef } from '../acl/pattern-refs.ts';
import type { SampleScope } from './scope.ts';
import { PatternLookup, parseMapIp, parseMapValue, patternUse, type ValueType } from '../acl/pattern-lookup.ts';
import { compileRegex } from '../acl/regex.ts';
import type { AnyMatch } from '../acl/match.ts';
import { castSample } from './cast.ts';
import type { ConverterDef } from './converters.ts';
import type { ArgValue, SampleType, SampleValue } from './sample.ts';

// What each match method expects the sample to be (pat_match_types), as the converter's input type.
const INPUT: Partial<Record<AnyMatch, SampleType>> = { int: 'int', ip: 'ip' };
const OUTPUT: Record<ValueType, SampleType> = { str: 'str', int: 'int', ip: 'ip' };

interface Loaded {
  readonly ref: PatternRef;
  readonly lookup: PatternLookup;
  readonly regex?: Map<string, RegExp | string>;
}

// One converter use per config line and arguments: the config check and the compile of a format string both
// run validate(), and HAProxy loads each use once.
const useKey = (name: string, args: readonly ArgValue[]): string => `${name}\u0000${String(args[0])}\u0000${String(args[1] ?? '')}`;

// exp_replace: the value with \N replaced by capture N and \xHH by that byte; null when the value ends in '\'.
function expReplace(template: string, m: RegExpExecArray): string | null {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = template[++i];
    if (n === undefined) return null;
    if (n >= '0' && n <= '9') out += m[Number(n)] ?? '';
    else if (n === 'x') {
      const h1 = template[++i];
      const h2 = template[++i];
      if (h1 === undefined || h2 === undefined) return null;
      const hex = (h: string): number => {
        const d = h.toUpperCase().charCodeAt(0) - 48;
        return d > 9 ? d - 7 : d;
      };
      out += String.fromCharCode(((hex(h1) << 4) + hex(h2)) & 0xff);
    } else out += n;
  }
  return out;
}

function mapConverter(name: string, method: AnyMatch, values: ValueType): ConverterDef {
  const loads = new WeakMap<object, Map<string, Loaded>>();
  const load = (args: readonly ArgValue[], scope: SampleScope): Loaded | { error: string } => {
    // a lone expression checked outside a config load gets a throwaway set
    const refs = scope.patterns ?? new PatternRefs(process.cwd());
    let mine = loads.get(refs);
    if (!mine) loads.set(refs, (mine = new Map()));
    const key = useKey(name, args) + `\u0000${refs.site.file}:${refs.site.line}`;
    const known = mine.get(key);
    if (known) return known;
    const ref = refs.file(String(args[0] ?? ''), true, { kind: 'map', file: refs.site.file, line: refs.site.line });
    if ('error' in ref) return ref;
    const added = ref.addUse(patternUse(method, false, true, values));
    if (added.error !== undefined) return { error: added.error };
    const loaded: Loaded = { ref, lookup: new PatternLookup(ref, method, false, true), ...(method === 'regm' ? { regex: new Map() } : {}) };
    mine.set(key, loaded);
    return loaded;
  };
  return {
    name,
    inType: INPUT[method] ?? 'str',
    outType: OUTPUT[values],
    args: ['str', values === 'int' ? 'sint' : 'str'],
    minArgs: 1,
    validate: (args, scope) => {
      const got = load(args, scope);
      if ('error' in got) return got.error;
      if (values === 'ip' && args[1] !== undefined && parseMapIp(String(args[1])) === undefined) return `map: cannot parse default ip <${String(args[1])}>.`;
      return null;
    },
    compile: (args, scope) => {
      const got = load(args, scope);
      if ('error' in got) throw new Error(`map converter '${name}' compiled without its check: ${got.error}`);
      const { lookup, regex } = got;
      const dflt: SampleValue | undefined = args[1] === undefined ? undefined : values === 'int' ? (args[1] as number) : String(args[1]);
      return (v) => {
        const found = lookup.find(v);
        if (!found) return dflt;
        const { elt } = found;
        // an entry without a value (a one-column file's, added with `add map`) gives the integer 1
        if (elt.sample === undefined) return castSample(1, 'int', OUTPUT[values]);
        if (regex) {
          let re = regex.get(elt.pattern);
          if (re === undefined) regex.set(elt.pattern, (re = compileRegex(elt.pattern, false)));
          const m = typeof re === 'string' ? null : re.exec(v as string);
          return m ? expReplace(elt.sample, m) ?? undefined : undefined;
        }
        return parseMapValue(elt.sample, values);
      };
    },
  };
}

const METHODS: readonly AnyMatch[] = ['str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'int', 'ip'];

/** map, map_regm, and map_<method> with the outputs _str (implied), _int and _ip. */
export const MAP_CONVERTERS: readonly ConverterDef[] = [
  mapConverter('map', 'str', 'str'),
  mapConverter('map_regm', 'regm', 'str'),
  ...METHODS.flatMap((m) => [mapConverter(`map_${m}`, m, 'str'), mapConverter(`map_${m}_int`, m, 'int'), mapConverter(`map_${m}_ip`, m, 'ip')]),
];
