// The runtime API's map and ACL commands, answering as HAProxy 2.6's src/map.c does: show, get, add, del, set,
// clear, prepare and commit on the pattern references of the running config, with the same sentences. A
// change is seen by every ACL and map converter using the reference from the next lookup on.
import type { PatternRef, PatternRefs, PatternUse } from '../acl/pattern-refs.ts';
import { PatternLookup, parseMapValue } from '../acl/pattern-lookup.ts';
import type { AnyMatch } from '../acl/match.ts';
import { castSample } from '../sample/cast.ts';
import type { SampleType } from '../sample/sample.ts';

/** The commands of this module, as their first two words. */
export const MAP_COMMAND_WORDS: readonly string[] = [
  'add acl', 'clear acl', 'commit acl', 'del acl', 'get acl', 'prepare acl', 'show acl',
  'add map', 'clear map', 'commit map', 'del map', 'get map', 'prepare map', 'set map', 'show map',
];

/** HAProxy's usage lines for them, in its registration order. */
export const MAP_USAGES: readonly { words: readonly string[]; usage: string }[] = [
  { words: ['add', 'acl'], usage: 'add acl [@<ver>] <acl> <pattern>        : add an acl entry' },
  { words: ['clear', 'acl'], usage: 'clear acl [@<ver>] <acl>                : clear the contents of this acl' },
  { words: ['commit', 'acl'], usage: 'commit acl @<ver> <acl>                 : commit the ACL at this version' },
  { words: ['del', 'acl'], usage: 'del acl <acl> [<key>|#<ref>]            : delete acl entries matching <key>' },
  { words: ['get', 'acl'], usage: 'get acl <acl> <value>                   : report the patterns matching a sample for an ACL' },
  { words: ['prepare', 'acl'], usage: 'prepare acl <acl>                       : prepare a new version for atomic ACL replacement' },
  { words: ['show', 'acl'], usage: "show acl [@<ver>] <acl>]                : report available acls or dump an acl's contents" },
  { words: ['add', 'map'], usage: 'add map [@<ver>] <map> <key> <val>      : add a map entry (payload supported instead of key/val)' },
  { words: ['clear', 'map'], usage: 'clear map [@<ver>] <map>                : clear the contents of this map' },
  { words: ['commit', 'map'], usage: 'commit map @<ver> <map>                 : commit the map at this version' },
  { words: ['del', 'map'], usage: 'del map <map> [<key>|#<ref>]            : delete map entries matching <key>' },
  { words: ['get', 'map'], usage: 'get map <acl> <value>                   : report the keys and values matching a sample for a map' },
  { words: ['prepare', 'map'], usage: 'prepare map <acl>                       : prepare a new version for atomic map replacement' },
  { words: ['set', 'map'], usage: 'set map <map> [<key>|#<ref>] <value>    : modify a map entry' },
  { words: ['show', 'map'], usage: "show map [@ver] [map]                   : report available maps or dump a map's contents" },
];

// str2uic: the leading digits as an unsigned int.
const str2uic = (s: string): number => {
  let i = 0;
  for (const c of s) {
    if (c < '0' || c > '9') break;
    i = (i * 10 + (c.charCodeAt(0) - 48)) >>> 0;
  }
  return i;
};

// What pattern_exec_match casts the sample to for each method (pat_match_types).
const EXPECTS: Record<AnyMatch, SampleType | 'addr'> = {
  found: 'int', bool: 'int', int: 'int', ip: 'addr', bin: 'bin', len: 'str', str: 'str', beg: 'str', sub: 'str',
  dir: 'str', dom: 'str', end: 'str', reg: 'str', regm: 'str', meth: 'meth',
};

// An entry id "#0x..." as strtoll reads it, compared with the stand-in addresses; null when malformed.
function entryPtr(arg: string): bigint | null {
  const hex = arg.slice(3);
  return /^[0-9a-fA-F]+$/.test(hex) ? BigInt(`0x${hex}`) : null;
}

const findByPtr = (ref: PatternRef, ptr: bigint): string | undefined => ref.elts.find((e) => BigInt(e.ptr) === ptr)?.ptr;

/** Runs one map/acl command (`args` as split by the CLI); the answer without the CLI's closing newline. */
export function runMapCommand(args: readonly string[], refs: PatternRefs | undefined, payload?: string): string {
  const lookups = new WeakMap<PatternUse, PatternLookup>();
  const isMap = args[1] === 'map';
  const unknown = isMap ? 'Unknown map identifier. Please use #<id> or <file>.\n' : 'Unknown ACL identifier. Please use #<id> or <file>.\n';
  const find = (id: string | undefined, checkKind: boolean): PatternRef | undefined => {
    const ref = id === undefined || refs === undefined ? undefined : refs.lookup(id);
    if (!ref || (checkKind && !(isMap ? ref.flags.map : ref.flags.acl))) return undefined;
    return ref;
  };
  let a = [...args];
  const verb = a[0];
  const genArg = (): string | undefined => {
    if (a[2]?.startsWith('@')) {
      const g = a[2].slice(1);
      a = [a[0]!, a[1]!, ...a.slice(3)];
      return g;
    }
    return undefined;
  };
  const present = (i: number): boolean => a[i] !== undefined && a[i] !== '';

  switch (verb) {
    case 'show': {
      if (!present(2)) {
        const list = (refs?.refs ?? []).filter((r) => (isMap ? r.flags.map : r.flags.acl));
        return '# id (file) description\n' + list.map((r) => `${r.uniqueId} (${r.reference ?? ''}) ${r.display}. curr_ver=${r.currGen} next_ver=${r.nextGen} entry_cnt=${r.entryCnt}\n`).join('');
      }
      const gen = genArg();
      const ref = find(a[2], true);
      if (!ref) return unknown;
      const want = gen === undefined ? ref.currGen : str2uic(gen);
      return ref.elts.filter((e) => e.gen === want).map((e) => (e.sample !== undefined ? `${e.ptr} ${e.pattern} ${e.sample}\n` : `${e.ptr} ${e.pattern}\n`)).join('');
    }
    case 'get': {
      if (!present(2) || !present(3)) return isMap ? 'Missing map identifier and/or key.\n' : 'Missing ACL identifier and/or key.\n';
      const ref = find(a[2], false);
      if (!ref) return unknown;
      const key = a[3]!;
      return ref.uses.map((use) => {
        let lookup = lookups.get(use);
        if (!lookup) lookups.set(use, (lookup = new PatternLookup(ref, use.method as AnyMatch, use.icase, use.noDns)));
        const method = use.method as AnyMatch;
        const v = method === 'found' || method === 'bool' ? undefined : castSample(key, 'str', EXPECTS[method]);
        const found = v === undefined ? undefined : lookup.find(v);
        let line = `type=${use.method}, case=${use.icase ? 'insensitive' : 'sensitive'}`;
        if (!found) return `${line}, ${isMap ? 'found' : 'match'}=no\n`;
        line += `, ${isMap ? 'found' : 'match'}=yes, idx=${found.tree ? 'tree' : 'list'}`;
        line += isMap ? `, key="${found.elt.pattern}"` : `, pattern="${found.elt.pattern}"`;
        if (isMap) {
          const data = use.values !== undefined && found.elt.sample !== undefined ? parseMapValue(found.elt.sample, use.values) : undefined;
          const type = use.values === 'int' ? 'sint' : use.values === 'ip' ? (String(data).includes(':') ? 'ipv6' : 'ipv4') : 'str';
          line += data !== undefined ? `, value="${found.elt.sample}", type="${type}"` : ', value=none';
        }
        return line + '\n';
      }).join('');
    }
    case 'add': {
      const gen = genArg();
      if (isMap && (payload === undefined ? !present(2) || !present(3) || !present(4) : !present(2))) {
        return "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n";
      }
      if (!isMap && (!present(2) || !present(3))) return "'add acl' expects two parameters: ACL identifier and pattern.\n";
      const ref = find(a[2], false);
      if (!ref) return unknown;
      const genId = gen === undefined ? ref.currGen : str2uic(gen);
      if (gen !== undefined && ((genId - ref.nextGen) | 0) > 0) {
        return `Version number in the future, please use 'prepare ${isMap ? 'map' : 'acl'}' before.\n`;
      }
      if (!isMap && ref.flags.smp) return "This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n";
      if (payload === undefined) {
        const err = ref.load(genId, a[3]!, isMap ? a[4] : undefined);
        return err === null ? '' : `${err}.\n`;
      }
      // cli_parse_add_map's payload loop, as it reads it: a key up to a blank, blanks, the value to the line's end
      let p = 0;
      while (p < payload.length) {
        let l = 0;
        while (p + l < payload.length && payload[p + l] !== ' ' && payload[p + l] !== '\t') l++;
        const key = payload.slice(p, p + l);
        p += l;
        if (p >= payload.length && isMap) return `Missing value for key '${key}'.\n`;
        p++;
        while (payload[p] === ' ' || payload[p] === '\t') p++;
        let v = 0;
        while (p + v < payload.length && payload[p + v] !== '\n') v++;
        const value = payload.slice(p, p + v);
        p += v;
        if (p < payload.length) p++;
        const err = ref.load(genId, key, isMap ? value : undefined);
        if (err !== null) return `${err}.\n`;
      }
      return '';
    }
    case 'del': {
      if (!present(2) || !present(3)) {
        return `This command expects two parameters: ${isMap ? 'map' : 'ACL'} identifier and key.\n`;
      }
      const ref = find(a[2], true);
      if (!ref) return 'Unknown map identifier. Please use #<id> or <file>.\n';
      const key = a[3]!;
      if (key.startsWith('#0x')) {
        const ptr = entryPtr(key);
        if (ptr === null) return 'Malformed identifier. Please use #<id> or <file>.\n';
        const at = findByPtr(ref, ptr);
        return at !== undefined && ref.deletePtr(at) ? '' : 'Key not found.\n';
      }
      return ref.deleteKey(key) ? '' : 'Key not found.\n';
    }
    case 'set': {
      if (!present(2) || !present(3) || !present(4)) return "'set map' expects three parameters: map identifier, key and value.\n";
      const ref = find(a[2], false);
      if (!ref) return unknown;
      const key = a[3]!;
      if (key.startsWith('#0x')) {
        const ptr = entryPtr(key);
        if (ptr === null) return 'Malformed identifier. Please use #<id> or <file>.\n';
        const at = findByPtr(ref, ptr);
        const err = at === undefined ? 'key or pattern not found' : ref.setPtr(at, a[4]!);
        return err === null ? '' : `${err}.\n`;
      }
      const err = ref.setKey(key, a[4]!);
      return err === null ? '' : `${err}.\n`;
    }
    case 'clear': {
      const gen = genArg();
      if (!present(2)) return isMap ? 'Missing map identifier.\n' : 'Missing ACL identifier.\n';
      const ref = find(a[2], true);
      if (!ref) return unknown;
      const g = gen === undefined ? ref.currGen : str2uic(gen);
      ref.purgeRange(g, g);
      return '';
    }
    case 'prepare': {
      const ref = find(a[2], true);
      if (!ref) return unknown;
      return `New version created: ${ref.newGen()}\n`;
    }
    case 'commit': {
      if (!a[2]?.startsWith('@')) return 'Missing version number.\n';
      const gen = str2uic(a[2].slice(1));
      if (!present(3)) return isMap ? 'Missing map identifier.\n' : 'Missing ACL identifier.\n';
      const ref = find(a[3], true);
      if (!ref) return unknown;
      return ref.commit(gen) ? '' : 'Version number out of range.\n';
    }
    default:
      return '';
  }
}
