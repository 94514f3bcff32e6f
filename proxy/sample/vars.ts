// HAProxy's variables (src/vars.c): named samples kept per scope. proc lives as long as the process, sess as the
// client connection, txn for one request and its response; req and res share one store per stream that is
// emptied when the response side starts (so a req.* variable is gone in http-response rules, and a res.* one
// cannot be set before). A variable keeps its sample's type: a bool stays a JS boolean, an int a number, bytes a
// Buffer, a string (or an address, which travels as text) a string.
import type { SampleType, SampleValue } from './sample.ts';

export type VarScope = 'proc' | 'sess' | 'txn' | 'req' | 'res' | 'check';

export interface VarName {
  readonly scope: VarScope;
  readonly name: string;
}

const SCOPES: readonly VarScope[] = ['proc', 'sess', 'txn', 'req', 'res', 'check'];

/**
 * Parses "txn.foo" as HAProxy's vars_hash_name does; returns HAProxy's message when it cannot. `after` is what
 * followed the name where it was written (")" in an action keyword), which HAProxy's message quotes too.
 */
export function parseVarName(text: string, after = ''): VarName | { error: string } {
  if (text.length === 0) return { error: 'Empty variable name cannot be accepted' };
  const scope = SCOPES.find((s) => text.length > s.length + 1 && text.startsWith(`${s}.`));
  if (!scope) {
    return { error: `invalid variable name '${text}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'` };
  }
  const name = text.slice(scope.length + 1);
  for (let i = 0; i < name.length; i++) {
    if (!/[A-Za-z0-9_.]/.test(name[i]!)) return { error: `invalid syntax at char '${name.slice(i)}${after}'` };
  }
  return { scope, name };
}

/** One scope's variables. */
export class VarStore {
  // made on the first set: most transactions never set a variable
  private map: Map<string, SampleValue> | null = null;
  constructor(public scope: VarScope) {}
  get(name: string): SampleValue | undefined {
    return this.map?.get(name);
  }
  set(name: string, value: SampleValue): void {
    (this.map ??= new Map()).set(name, value);
  }
  unset(name: string): void {
    this.map?.delete(name);
    this.created?.delete(name);
  }
  /** Names that exist without a value (HAProxy's SMP_T_ANY: made by a conditional set-var that then declined). */
  private created: Set<string> | null = null;
  exists(name: string): boolean {
    return this.map?.has(name) === true || this.created?.has(name) === true;
  }
  create(name: string): void {
    if (!this.exists(name)) (this.created ??= new Set()).add(name);
  }
  clear(): void {
    this.map?.clear();
    this.created?.clear();
  }
  get size(): number {
    return this.map?.size ?? 0;
  }
  entries(): IterableIterator<[string, SampleValue]> {
    return (this.map ?? new Map<string, SampleValue>()).entries();
  }
}

/** The stores a sample context reaches; a missing one (no stream yet) gives no sample and takes no value. */
export interface VarSet {
  readonly proc: VarStore;
  readonly sess?: VarStore;
  readonly txn?: VarStore;
  /** The stream's req/res store: its scope says which of the two it is at this point. */
  readonly reqres?: VarStore;
}

function storeOf(set: VarSet, scope: VarScope): VarStore | undefined {
  switch (scope) {
    case 'proc':
      return set.proc;
    case 'sess':
      return set.sess;
    case 'txn':
      return set.txn;
    case 'req':
    case 'res': {
      const s = set.reqres;
      return s && s.scope === scope ? s : undefined;
    }
    case 'check':
      return undefined;
  }
}

export function getVar(set: VarSet | undefined, v: VarName): SampleValue | undefined {
  return set ? storeOf(set, v.scope)?.get(v.name) : undefined;
}

/** Stores a value; false when the scope is not reachable here (as HAProxy, silently ignored by the rules). */
export function setVar(set: VarSet | undefined, v: VarName, value: SampleValue): boolean {
  const s = set ? storeOf(set, v.scope) : undefined;
  if (!s) return false;
  s.set(v.name, value);
  return true;
}

export function unsetVar(set: VarSet | undefined, v: VarName): void {
  if (set) storeOf(set, v.scope)?.unset(v.name);
}

/** The sample type a stored value has (see the header comment: addresses read back as strings). */
export function typeOfValue(value: SampleValue): SampleType {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (Buffer.isBuffer(value)) return 'bin';
  return 'str';
}

/** set-var's conditions (src/vars.c conditions_array), as written after the variable's name. */
export const VAR_CONDITIONS = ['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt'] as const;
export type VarCondition = (typeof VAR_CONDITIONS)[number];

/** Reads the conditions (the empty word too, as HAProxy's loop ends on it); HAProxy's message for an unknown one. */
export function parseVarConditions(words: readonly string[]): ReadonlySet<VarCondition> | { error: string } {
  const out = new Set<VarCondition>();
  for (const w of words) {
    if (w === '') break;
    if (!(VAR_CONDITIONS as readonly string[]).includes(w)) return { error: `unknown condition "${w}"` };
    out.add(w as VarCondition);
  }
  return out;
}

const isText = (v: SampleValue): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v);

/**
 * Stores a value under set-var's conditions, as var_set does: a variable that did not exist is created first
 * (without a value) unless ifexists refuses, so a condition that then declines leaves it existing but unset;
 * ifgt/iflt compare integers only (the old value must be greater/less than the new one); ifempty takes only
 * an empty string or binary, ifnotempty refuses one. False when it declined (or the scope is not reachable): the
 * set-var converter then fails, which ends its chain.
 */
export function setVarIf(set: VarSet | undefined, v: VarName, value: SampleValue, conds: ReadonlySet<VarCondition>): boolean {
  if (conds.size === 0) return setVar(set, v, value);
  const s = set ? storeOf(set, v.scope) : undefined;
  if (!s) return false;
  const exists = s.exists(v.name);
  if (exists ? conds.has('ifnotexists') : conds.has('ifexists')) return false;
  s.create(v.name);
  const prev = s.get(v.name);
  if ((conds.has('ifset') && prev === undefined) || (conds.has('ifnotset') && prev !== undefined)) return false;
  if (conds.has('ifempty') && !isText(value)) return false;
  if (isText(value)) {
    if ((conds.has('ifnotempty') && value.length === 0) || (conds.has('ifempty') && value.length > 0)) return false;
  } else if (typeOfValue(value) === 'int' && prev !== undefined && typeOfValue(prev) === 'int') {
    const [a, b] = [BigInt(prev as number | bigint), BigInt(value as number | bigint)];
    if ((conds.has('ifgt') && !(a > b)) || (conds.has('iflt') && !(a < b))) return false;
  }
  s.set(v.name, value);
  return true;
}
