// The inline editor (no $EDITOR needed): move between config lines, edit one line at a time, insert, delete,
// save. Pure, so every keystroke's effect is testable.
import type { Diagnostic } from '../../../proxy/index.ts';
import { truncate, wrapText, type Line } from './text.ts';

export interface LineEdit {
  readonly text: string;
  /** Cursor position within text, 0..text.length. */
  readonly col: number;
  /** True when this line was just inserted (cancelling removes it). */
  readonly inserted: boolean;
}

export interface InlineEditor {
  readonly lines: readonly string[];
  readonly cursor: number;
  readonly edit: LineEdit | null;
  readonly dirty: boolean;
}

export type InlineAction =
  | { readonly type: 'move'; readonly delta: number }
  | { readonly type: 'begin' }
  | { readonly type: 'insert-below' }
  | { readonly type: 'delete-line' }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'backspace' }
  | { readonly type: 'delete' }
  | { readonly type: 'col'; readonly delta: number }
  | { readonly type: 'home' }
  | { readonly type: 'end' }
  | { readonly type: 'commit' }
  | { readonly type: 'cancel' };

// An editor on text, cursor on the given 1-based line (e.g. the first marked one).
export function openInline(text: string, line = 1): InlineEditor {
  const lines = text.replace(/\r/g, '').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return { lines, cursor: Math.max(0, Math.min(lines.length - 1, line - 1)), edit: null, dirty: false };
}

// The text to save (with a final newline, as editors write it).
export function inlineText(s: InlineEditor): string {
  return s.lines.join('\n') + '\n';
}

// Applies one editing action.
export function inlineReducer(s: InlineEditor, a: InlineAction): InlineEditor {
  const e = s.edit;
  switch (a.type) {
    case 'move':
      if (e) return s;
      return { ...s, cursor: Math.max(0, Math.min(s.lines.length - 1, s.cursor + a.delta)) };
    case 'begin': {
      const text = s.lines[s.cursor] ?? '';
      return { ...s, edit: { text, col: text.length, inserted: false } };
    }
    case 'insert-below': {
      if (e) return s;
      // A new line starts with the indentation of the one above, as server lines share theirs.
      const indent = /^\s*/.exec(s.lines[s.cursor] ?? '')![0];
      const lines = [...s.lines.slice(0, s.cursor + 1), indent, ...s.lines.slice(s.cursor + 1)];
      return { lines, cursor: s.cursor + 1, edit: { text: indent, col: indent.length, inserted: true }, dirty: true };
    }
    case 'delete-line': {
      if (e || s.lines.length === 0) return s;
      const lines = s.lines.filter((_, i) => i !== s.cursor);
      return { ...s, lines: lines.length ? lines : [''], cursor: Math.min(s.cursor, Math.max(0, lines.length - 1)), dirty: true };
    }
    case 'type':
      if (!e) return s;
      return { ...s, edit: { ...e, text: e.text.slice(0, e.col) + a.text + e.text.slice(e.col), col: e.col + a.text.length } };
    case 'backspace':
      if (!e || e.col === 0) return s;
      return { ...s, edit: { ...e, text: e.text.slice(0, e.col - 1) + e.text.slice(e.col), col: e.col - 1 } };
    case 'delete':
      if (!e || e.col >= e.text.length) return s;
      return { ...s, edit: { ...e, text: e.text.slice(0, e.col) + e.text.slice(e.col + 1) } };
    case 'col':
      if (!e) return s;
      return { ...s, edit: { ...e, col: Math.max(0, Math.min(e.text.length, e.col + a.delta)) } };
    case 'home':
      return e ? { ...s, edit: { ...e, col: 0 } } : s;
    case 'end':
      return e ? { ...s, edit: { ...e, col: e.text.length } } : s;
    case 'commit': {
      if (!e) return s;
      const changed = e.inserted || s.lines[s.cursor] !== e.text;
      const lines = s.lines.map((l, i) => (i === s.cursor ? e.text : l));
      return { ...s, lines, edit: null, dirty: s.dirty || changed };
    }
    case 'cancel': {
      if (!e) return s;
      if (!e.inserted) return { ...s, edit: null };
      const lines = s.lines.filter((_, i) => i !== s.cursor);
      return { ...s, lines, cursor: Math.max(0, s.cursor - 1), edit: null };
    }
  }
}

// The editor's lines for the pane: numbered, the cursor line marked "›", the line being edited with a "▏" caret,
// lines a refused reload complained about flagged "✗" with the message under them.
export function inlineLines(s: InlineEditor, errors: readonly Diagnostic[], width: number): { lines: Line[]; focus: number } {
  const numWidth = String(s.lines.length).length;
  const out: Line[] = [];
  let focus = 0;
  s.lines.forEach((raw, i) => {
    const here = i === s.cursor;
    const errs = errors.filter((d) => d.loc?.line === i + 1);
    const text = here && s.edit ? s.edit.text.slice(0, s.edit.col) + '▏' + s.edit.text.slice(s.edit.col) : raw;
    const sign = here ? '›' : errs.length ? '✗' : ' ';
    if (here) focus = out.length;
    // The edited line scrolls sideways to keep the caret in view.
    const body = text.replace(/\t/g, '    ');
    const room = width - numWidth - 2;
    const shift = here && s.edit && s.edit.col > room - 2 ? s.edit.col - (room - 2) : 0;
    out.push({
      text: `${String(i + 1).padStart(numWidth)}${sign} ${truncate(Array.from(body).slice(shift).join(''), room)}`,
      ...(here ? { tone: s.edit ? 'accent' : 'warn', bold: true } : errs.length ? { tone: 'bad' } : {}),
    } as Line);
    const pad = ' '.repeat(numWidth + 2);
    for (const d of errs) wrapText(`↑ ${d.message}`, width - pad.length - 2).forEach((t, k) => out.push({ text: `${pad}${k > 0 ? '  ' : ''}${t}`, tone: 'bad' }));
  });
  return { lines: out, focus };
}
