// Reads "if|unless COND" at the end of a rule through the ACL module, and joins rule words back into text.
import { parseCondition } from '../acl/index.ts';
import type { Condition } from '../acl/types.ts';
import type { ProxyLineContext } from './context.ts';
import type { Word } from './diagnostics.ts';

export type CondResult = { ok: true; cond?: Condition } | { ok: false; error: string } | { ok: false; trailing: Word };

// Parses words from index `at`: nothing, or if/unless plus a condition; anything else is returned as trailing.
export function readCondition(c: ProxyLineContext, at: number): CondResult {
  const w = c.word(at);
  if (!w) return { ok: true };
  if (w.text !== 'if' && w.text !== 'unless') return { ok: false, trailing: w };
  const r = parseCondition(w.text, c.args.slice(at + 1), c.acls, c.aclContext());
  if ('error' in r) return { ok: false, error: r.error };
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
