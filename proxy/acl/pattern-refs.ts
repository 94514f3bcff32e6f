// Pattern references, as HAProxy 2.6's src/pattern.c keeps them (struct pat_ref): one per pattern file, and one
// per ACL expression for its inline patterns. A reference holds the entries (pattern, optional value, line,
// generation) that every ACL and map converter using it matches against, so the runtime API's add/del/set/clear
// and prepare/commit reach all of them at once, from the next lookup on.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** One entry (HAProxy's pat_ref_elt). `ptr` stands in for its address, which the CLI shows and accepts. */
export interface PatternElt {
  readonly ptr: string;
  readonly pattern: string;
  sample: string | undefined;
  /** Line in the file, or -1 for entries added at runtime. */
  readonly line: number;
  gen: number;
}

/**
 * One use of a reference with its own parsing (HAProxy's pattern_expr): the match method's pattern parser, the
 * flags and the value parser of a map converter. Uses that parse alike share one (pattern_new_expr's reuse).
 */
export interface PatternUse {
  /** What get map|acl prints as type= (the method of the first user). */
  readonly method: string;
  readonly icase: boolean;
  readonly noDns: boolean;
  /** Identifies the parse/index functions and flags: uses with the same key share this use. */
  readonly key: string;
  /** Checks a pattern; HAProxy's message when it does not parse. */
  parsePattern(pattern: string): string | null;
  /** Checks a value (map converters only); false when it does not parse. */
  readonly parseSample?: (value: string) => boolean;
  /** What a map converter's values are parsed into; absent for ACLs. */
  readonly values?: 'str' | 'int' | 'ip';
}

export interface RefFlags {
  acl: boolean;
  map: boolean;
  /** The entries carry values (a two-column file). */
  smp: boolean;
}

// Unsigned 32-bit arithmetic of generation numbers.
const u32 = (n: number): number => n >>> 0;

export class PatternRef {
  uniqueId: number;
  readonly reference: string | null;
  display: string;
  readonly flags: RefFlags;
  currGen = 0;
  nextGen = 0;
  /** HAProxy's entry_cnt: +1 per entry indexed in each use, -1 per entry deleted. */
  entryCnt = 0;
  /** Bumped on every change, so users rebuild what they compiled from the entries. */
  revision = 0;
  readonly elts: PatternElt[] = [];
  readonly uses: PatternUse[] = [];

  constructor(private readonly owner: PatternRefs, reference: string | null, display: string, flags: RefFlags, uniqueId = -1) {
    this.reference = reference;
    this.display = display;
    this.flags = flags;
    this.uniqueId = uniqueId;
  }

  /** The entries of the current generation, in order. */
  current(): PatternElt[] {
    return this.elts.filter((e) => e.gen === this.currGen);
  }

  /** Adds a use, or returns the existing one that parses alike (then nothing is pushed again). */
  addUse(use: PatternUse): { use: PatternUse; error?: string } {
    const same = this.uses.find((u) => u.key === use.key);
    if (same) return { use: same };
    this.uses.push(use);
    for (const elt of this.elts) {
      const err = this.push(elt, use);
      if (err !== null) return { use, error: elt.line > 0 ? `${err} at line ${elt.line} of file '${this.reference ?? ''}'` : err };
    }
    return { use };
  }

  // pat_ref_push: parses the value (when the use has a value parser) then the pattern, then indexes it.
  private push(elt: PatternElt, use: PatternUse): string | null {
    if (elt.sample !== undefined && use.parseSample && !use.parseSample(elt.sample)) return `unable to parse '${elt.sample}'`;
    const bad = use.parsePattern(elt.pattern);
    if (bad !== null) return bad;
    this.entryCnt++;
    return null;
  }

  /** pat_ref_append: an entry read from a file, not yet pushed to any use. */
  append(pattern: string, sample: string | undefined, line: number): PatternElt {
    const elt: PatternElt = { ptr: this.owner.nextPtr(), pattern, sample, line, gen: this.currGen };
    this.elts.push(elt);
    this.revision++;
    return elt;
  }

  /** pat_ref_load: appends an entry of generation `gen` and pushes it to every use; rolled back on error. */
  load(gen: number, pattern: string, sample: string | undefined, line = -1): string | null {
    const elt = this.append(pattern, sample, line);
    elt.gen = u32(gen);
    for (const use of this.uses) {
      const err = this.push(elt, use);
      if (err !== null) {
        this.deleteElt(elt);
        return err;
      }
    }
    return null;
  }

  // pat_ref_delete_by_ptr (and pat_delete_gen's single entry_cnt decrement).
  private deleteElt(elt: PatternElt): void {
    const i = this.elts.indexOf(elt);
    if (i >= 0) this.elts.splice(i, 1);
    this.entryCnt--;
    this.revision++;
  }

  /** pat_ref_delete: every entry whose pattern is `key` (any generation); false when there was none. */
  deleteKey(key: string): boolean {
    const hit = this.elts.filter((e) => e.pattern === key);
    for (const e of hit) this.deleteElt(e);
    return hit.length > 0;
  }

  /** pat_ref_delete_by_id: the entry shown as `ptr`. */
  deletePtr(ptr: string): boolean {
    const elt = this.elts.find((e) => e.ptr === ptr);
    if (!elt) return false;
    this.deleteElt(elt);
    return true;
  }

  // pat_ref_set_elt: the value must parse for every use that parses values.
  private setElt(elt: PatternElt, value: string): string | null {
    for (const use of this.uses) if (use.parseSample && !use.parseSample(value)) return `unable to parse '${value}'`;
    elt.sample = value;
    this.revision++;
    return null;
  }

  /**
   * pat_ref_set: the value of every entry whose pattern is `key`. As in HAProxy, a value that does not parse
   * leaves those entries unchanged without failing the command once an entry was found.
   */
  setKey(key: string, value: string): string | null {
    let found = false;
    for (const elt of this.elts) {
      if (elt.pattern !== key) continue;
      this.setElt(elt, value);
      found = true;
    }
    return found ? null : 'entry not found';
  }

  /** pat_ref_set_by_id. */
  setPtr(ptr: string, value: string): string | null {
    const elt = this.elts.find((e) => e.ptr === ptr);
    if (!elt) return 'key or pattern not found';
    return this.setElt(elt, value);
  }

  /** pat_ref_purge_range: drops entries whose generation lies in [from, to], wrapping as unsigned ints. */
  purgeRange(from: number, to: number): void {
    const span = u32(to - from);
    for (const elt of [...this.elts]) if (u32(elt.gen - from) <= span) this.deleteElt(elt);
  }

  /** pat_ref_newgen. */
  newGen(): number {
    this.nextGen = u32(this.nextGen + 1);
    return this.nextGen;
  }

  /** commit map|acl @GEN: makes GEN current and drops every older generation; false when GEN is out of range. */
  commit(gen: number): boolean {
    const g = u32(gen);
    if (u32(g - u32(this.currGen + 1)) >= u32(this.nextGen - this.currGen)) return false;
    if ((u32(g - this.currGen) | 0) > 0) this.currGen = g;
    if (g !== this.currGen) return false;
    const prev = u32(g - 1);
    this.purgeRange(u32(prev - 0x7fffffff), prev);
    this.revision++;
    return true;
  }
}

/** Where a reference is used from, for its description ("used by map at file 'h.cfg' line 12"). */
export interface UseSite {
  readonly kind: 'map' | 'acl';
  readonly file: string;
  readonly line: number;
}

/** The pattern references of one loaded config (HAProxy's pattern_reference list), in creation order. */
export class PatternRefs {
  readonly refs: PatternRef[] = [];
  private ptrCount = 0;
  private finalized = false;
  /** The config line being parsed: where new uses say they come from. */
  site: { file: string; line: number } = { file: '', line: 0 };

  constructor(private readonly baseDir: string) {}

  /** A stand-in for an entry's address: unique in this process, printed as HAProxy prints a pointer. */
  nextPtr(): string {
    this.ptrCount++;
    return `0x${(0x55d0c0a01000 + this.ptrCount * 0x50).toString(16)}`;
  }

  /** pat_ref_newid: the reference of one ACL expression's inline patterns. */
  inline(display: string, uniqueId = -1): PatternRef {
    const ref = new PatternRef(this, null, display, { acl: true, map: false, smp: false }, uniqueId);
    this.refs.push(ref);
    return ref;
  }

  /**
   * pattern_read_from_file's reference part: the file's reference, read on first use (two columns when
   * `twoColumns`), or the existing one with this use added to its description. HAProxy's message on failure.
   */
  file(name: string, twoColumns: boolean, site: UseSite): PatternRef | { error: string } {
    const existing = this.refs.find((r) => r.reference === name);
    if (existing) {
      if (twoColumns && !existing.flags.smp) {
        return { error: `The file "${name}" is already used as one column file and cannot be used by as two column file.` };
      }
      if (!twoColumns && existing.flags.smp) {
        return { error: `The file "${name}" is already used as two column file and cannot be used by as one column file.` };
      }
      existing.display += `, by ${site.kind} at file '${site.file}' line ${site.line}`;
      if (site.kind === 'map') existing.flags.map = true;
      else existing.flags.acl = true;
      return existing;
    }
    const path = isAbsolute(name) ? name : resolve(this.baseDir, name);
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch {
      return { error: `failed to open pattern file <${name}>` };
    }
    const display = `pattern loaded from file '${name}' used by ${site.kind} at file '${site.file}' line ${site.line}`;
    const ref = new PatternRef(this, name, display, { acl: site.kind === 'acl', map: site.kind === 'map', smp: twoColumns }, -1);
    this.refs.push(ref);
    readEntries(text, twoColumns, (pattern, sample, line) => ref.append(pattern, sample, line));
    return ref;
  }

  /** A reference by `#ID` or by file name, as pat_ref_lookup_ref finds it. */
  lookup(text: string): PatternRef | undefined {
    if (text.startsWith('#')) {
      const id = text.slice(1);
      if (!/^[-+]?\d+$/.test(id)) return undefined;
      return this.refs.find((r) => r.uniqueId === Number(id));
    }
    return this.refs.find((r) => r.reference === text);
  }

  /** Whether a `-u ID` is taken already. */
  hasId(id: number): boolean {
    return this.refs.some((r) => r.uniqueId === id);
  }

  /**
   * pattern_finalize_config: ids for the references without one (the lowest free, in creation order), then the
   * list sorted by id. Also adds the two ACLs of HAProxy's internal httpclient proxy, which every 2.6 process
   * has and `show acl` lists after the config's own.
   */
  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    for (let i = 0; i < 2; i++) {
      const ref = this.inline("acl 'var' file 'httpclient' line 0");
      ref.load(0, '0.0.0.0', undefined);
      ref.entryCnt = 1;
    }
    const taken = new Set(this.refs.filter((r) => r.uniqueId !== -1).map((r) => r.uniqueId));
    let next = 0;
    for (const ref of this.refs) {
      if (ref.uniqueId !== -1) continue;
      while (taken.has(next)) next++;
      ref.uniqueId = next++;
    }
    this.refs.sort((a, b) => a.uniqueId - b.uniqueId);
  }
}

/**
 * Reads a pattern file as pat_ref_read_from_file(_smp) does: lines starting with '#' are comments, leading
 * blanks are dropped, empty lines skipped. One column: the rest of the line (up to CR/LF) is the pattern.
 * Two columns: the first word is the key, blanks follow, the rest without trailing blanks is the value.
 */
export function readEntries(text: string, twoColumns: boolean, add: (pattern: string, sample: string | undefined, line: number) => void): void {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, n) => {
    if (raw.startsWith('#')) return;
    let c = 0;
    while (raw[c] === ' ' || raw[c] === '\t') c++;
    const rest = raw.slice(c);
    const cut = rest.search(/[\r\n]/);
    const body = cut >= 0 ? rest.slice(0, cut) : rest;
    if (body === '') return;
    if (!twoColumns) {
      add(body, undefined, n + 1);
      return;
    }
    let k = 0;
    while (k < body.length && body[k] !== ' ' && body[k] !== '\t') k++;
    const key = body.slice(0, k);
    let v = k;
    while (body[v] === ' ' || body[v] === '\t') v++;
    let e = body.length;
    while (e > v && (body[e - 1] === ' ' || body[e - 1] === '\t')) e--;
    add(key, body.slice(v, e), n + 1);
  });
}
