// Reads "if|unless COND" at the end of a rule through the ACL module, and joins rule words back into text.
import { conditionConflict, parseCondition, type CompiledCondition } from '../acl/index.ts';
import type { CheckPlace } from '../sample/index.ts';
import type { ProxyLineContext } from './context.ts';
import type { Word } from './diagnostics.ts';

export type CondResult = { ok: true; cond?: CompiledCondition } | { ok: false; error: string } | { ok: false; trailing: Word };

/** Where a rule's condition runs, for HAProxy's "will never match" warnings; rule names tcp-request rules. */
export interface CondPlace {
  readonly front: CheckPlace;
  readonly back: CheckPlace;
  readonly rule?: string;
}

// Parses words from index `at`: nothing, or if/unless plus a condition; anything else is returned as trailing.
// A condition that cannot match where it is used gets HAProxy's warning (warnif_cond_conflicts).
export function readCondition(c: ProxyLineContext, at: number, place?: CondPlace): CondResult {
  const w = c.word(at);
  if (!w) return { ok: true };
  if (w.text !== 'if' && w.text !== 'unless') return { ok: false, trailing: w };
  const r = parseCondition(w.text, c.args.slice(at + 1), c.acls, c.aclContext());
  if ('error' in r) return { ok: false, error: r.error };
  if (place) {
    const conflict = conditionConflict(r.cond, c.proxy.kind === 'backend' ? place.back : place.front, place.rule);
    if (conflict) c.warn(conflict);
  }
  c.proxy.conditions.push(r.cond);
  return { ok: true, cond: r.cond };
}

// HAProxy appends '.' after an ACL error message; avoid doubling one the ACL module already wrote.
export function sentence(message: string): string {
  return message.endsWith('.') ? message : `${message}.`;
}

// The rule as written, re-quoting words that contain spaces, for the explain view and logs.
export function ruleText(words: readonly Word[]): string {
  return words
    .map((w) => (w.text === '' || /[\s#"']/.test(w.text) ? `'${w.text.replace(/'/g, "'\\''")}'` : w.text))
    .join(' ');
}
