// The config pane as lines: numbered, the lines that matter marked with their note, lines with errors flagged.
import type { Diagnostic } from '../../../proxy/index.ts';
import type { LineMark } from '../../episodes/schema.ts';
import { truncate, wrapText, type Line } from './text.ts';

export interface ConfigLinesInput {
  readonly text: string;
  readonly marks: readonly LineMark[];
  /** Diagnostics of a refused reload, shown on their lines. */
  readonly errors: readonly Diagnostic[];
  readonly width: number;
}

export interface ConfigLines {
  readonly lines: readonly Line[];
  /** Index (in lines) of the first marked or erroneous line, to scroll to. */
  readonly focus: number;
}

// Numbers every line; marked ones get "▶" and their note, erroneous ones "✗" and the message under them.
export function configLines({ text, marks, errors, width }: ConfigLinesInput): ConfigLines {
  const src = text.replace(/\r/g, '').split('\n');
  while (src.length > 0 && src[src.length - 1]!.trim() === '') src.pop();
  const numWidth = String(src.length).length;
  const byLine = new Map<number, Diagnostic[]>();
  for (const d of errors) {
    if (!d.loc) continue;
    const list = byLine.get(d.loc.line) ?? [];
    list.push(d);
    byLine.set(d.loc.line, list);
  }
  const markAt = new Map(marks.map((m) => [m.line, m.note]));
  const out: Line[] = [];
  let focus = -1;
  src.forEach((raw, i) => {
    const n = i + 1;
    const errs = byLine.get(n);
    const note = markAt.get(n);
    const sign = errs ? '✗' : note !== undefined ? '▶' : ' ';
    const body = `${String(n).padStart(numWidth)}${sign} ${raw.replace(/\t/g, '    ')}`;
    if ((errs || note !== undefined) && focus < 0) focus = out.length;
    if (errs) {
      out.push({ text: truncate(body, width), tone: 'bad', bold: true });
      // The whole message, wrapped under the line it is about (never cut at the screen's edge).
      const pad = ' '.repeat(numWidth + 2);
      for (const d of errs) {
        wrapText(`↑ ${d.message}${d.hint ? ` ${d.hint}` : ''}`, width - pad.length - 2).forEach((t, k) => out.push({ text: `${pad}${k > 0 ? '  ' : ''}${t}`, tone: 'bad' }));
      }
    } else if (note !== undefined) {
      const room = width - Array.from(body).length - 4;
      const text = room >= 12 ? `${body}  ← ${truncate(note, room)}` : truncate(body, width);
      out.push({ text, tone: 'warn', bold: true });
    } else {
      out.push({ text: truncate(body, width), tone: raw.trim().startsWith('#') ? 'dim' : 'plain' });
    }
  });
  // Errors without a line (e.g. a missing section) go first, where they are seen.
  const loose = errors.filter((d) => !d.loc || d.loc.line > src.length);
  if (loose.length > 0) {
    out.unshift(...loose.flatMap((d) => wrapText(`✗ ${d.message}${d.hint ? ` ${d.hint}` : ''}`, width).map((text) => ({ text, tone: 'bad' as const }))));
    focus = 0;
  }
  return { lines: out, focus: Math.max(0, focus) };
}

// Moves marks along with their lines when the learner's edits shift them: a mark follows the first line that
// starts with the same two words as its original line (e.g. "server server1"), else it is dropped.
export function remapMarks(original: string, edited: string, marks: readonly LineMark[]): LineMark[] {
  if (original === edited) return marks.slice();
  const before = original.replace(/\r/g, '').split('\n');
  const after = edited.replace(/\r/g, '').split('\n');
  const head = (s: string): string => s.trim().split(/\s+/).slice(0, 2).join(' ');
  const out: LineMark[] = [];
  for (const m of marks) {
    const was = before[m.line - 1];
    if (was === undefined) continue;
    if (after[m.line - 1]?.trim() === was.trim()) {
      out.push(m);
      continue;
    }
    const key = head(was);
    if (key === '') continue;
    const at = after.findIndex((l) => head(l) === key);
    if (at >= 0) out.push({ line: at + 1, note: m.note });
  }
  return out;
}
