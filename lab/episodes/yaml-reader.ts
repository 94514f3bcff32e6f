// Reads typed values out of a parsed YAML tree, collecting every mismatch with its file:line:col.
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { EpisodeError, YamlLoc } from './schema.ts';

type AnyNode = Node | null | undefined;

/** The keys of one YAML mapping, with the node of each value, in order. */
export interface Fields {
  readonly node: YAMLMap;
  readonly loc: YamlLoc;
  get(key: string): AnyNode;
  has(key: string): boolean;
  /** Where the key itself stands (for "missing" and "unknown" messages). */
  keyLoc(key: string): YamlLoc;
}

export class YamlReader {
  readonly errors: EpisodeError[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  // Where a node starts (or the file's start when the node is absent).
  loc(node: AnyNode, fallback?: YamlLoc): YamlLoc {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { file: this.file, line: 1, col: 1 };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  // Records a problem at a node.
  error(at: AnyNode | YamlLoc, message: string): void {
    const loc = at && 'file' in at ? at : this.loc(at as AnyNode);
    this.errors.push({ loc, message });
  }

  // A mapping's fields; reports keys outside `allowed` (null: any key) with a did-you-mean, and missing `required` keys.
  fields(node: AnyNode, what: string, allowed: readonly string[] | null, required: readonly string[], parent?: YamlLoc): Fields | null {
    if (!isMap(node)) {
      this.error(node ?? parent ?? null, `${what}: expected a mapping (key: value lines), got ${describe(node)}`);
      return null;
    }
    const pairs = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.error(pair.key as AnyNode, `${what}: keys must be plain words`);
        continue;
      }
      if (pairs.has(key)) this.error(pair.key as AnyNode, `${what}: key '${key}' is given twice`);
      pairs.set(key, pair);
      if (allowed && !allowed.includes(key)) {
        const near = closest(key, allowed);
        this.error(pair.key as AnyNode, `${what}: unknown key '${key}'${near ? `, did you mean '${near}'?` : ''} (known: ${allowed.join(', ')})`);
      }
    }
    const loc = this.loc(node, parent);
    for (const key of required) {
      if (!pairs.has(key)) this.error(loc, `${what}: missing required key '${key}'`);
    }
    return {
      node,
      loc,
      get: (key) => pairs.get(key)?.value as AnyNode,
      has: (key) => pairs.has(key),
      keyLoc: (key) => this.loc(pairs.get(key)?.key as AnyNode, loc),
    };
  }

  // A string scalar (numbers are not strings here: quote them).
  str(node: AnyNode, what: string): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.error(node, `${what}: expected text, got ${describe(node)}`);
    return undefined;
  }

  // A non-empty string.
  text(node: AnyNode, what: string): string | undefined {
    const s = this.str(node, what);
    if (s !== undefined && s.trim() === '') {
      this.error(node, `${what}: must not be empty`);
      return undefined;
    }
    return s;
  }

  // A number, optionally an integer within [min, max].
  num(node: AnyNode, what: string, opts: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
      this.error(node, `${what}: expected a number, got ${describe(node)}`);
      return undefined;
    }
    const v = node.value;
    if (opts.int && !Number.isInteger(v)) this.error(node, `${what}: expected a whole number, got ${v}`);
    else if (opts.min !== undefined && v < opts.min) this.error(node, `${what}: must be >= ${opts.min}, got ${v}`);
    else if (opts.max !== undefined && v > opts.max) this.error(node, `${what}: must be <= ${opts.max}, got ${v}`);
    else return v;
    return undefined;
  }

  bool(node: AnyNode, what: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.error(node, `${what}: expected true or false, got ${describe(node)}`);
    return undefined;
  }

  // A sequence's items (a single scalar is not accepted: write [a] or a list).
  list(node: AnyNode, what: string): readonly AnyNode[] {
    if (isSeq(node)) return node.items as AnyNode[];
    this.error(node, `${what}: expected a list, got ${describe(node)}`);
    return [];
  }

  // A list of non-empty strings.
  strList(node: AnyNode, what: string): string[] {
    const out: string[] = [];
    this.list(node, what).forEach((item, i) => {
      const s = this.text(item, `${what}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return out;
  }
}

function describe(node: AnyNode): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = (node as Scalar).value;
    if (v === null) return 'nothing';
    return `${typeof v} ${JSON.stringify(v)}`;
  }
  return 'something else';
}

// The allowed word nearest to a typo (edit distance <= 2), or undefined.
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
