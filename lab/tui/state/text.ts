// Text fitted to the screen by hand, so every pane's height is known before ink lays it out.
import type { Tone } from './log.ts';

export interface Line {
  readonly text: string;
  readonly tone?: Tone;
  readonly bold?: boolean;
  /** Index of the server whose glyph/color this line carries, if any. */
  readonly server?: number;
}

// Cuts s to width cells, ending with "…" when something was cut.
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(s);
  if (chars.length <= width) return s;
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

// Pads or cuts s to exactly width cells.
export function fit(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - Array.from(t).length));
}

// Word-wraps text to width; blank lines separate paragraphs and stay; leading indentation is kept.
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  const w = Math.max(8, width);
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    if (raw.trim() === '') {
      out.push('');
      continue;
    }
    const indent = /^\s*/.exec(raw)![0];
    let line = indent;
    for (const word of raw.trim().split(/\s+/)) {
      const candidate = line.trim() === '' ? indent + word : `${line} ${word}`;
      if (Array.from(candidate).length <= w) {
        line = candidate;
        continue;
      }
      if (line.trim() !== '') out.push(line);
      let rest = indent + word;
      while (Array.from(rest).length > w) {
        out.push(Array.from(rest).slice(0, w).join(''));
        rest = indent + Array.from(rest).slice(w).join('');
      }
      line = rest;
    }
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

// Wraps plain text into tone-less lines.
export function wrapLines(text: string, width: number, tone?: Tone): Line[] {
  return wrapText(text, width).map((t) => (tone ? { text: t, tone } : { text: t }));
}

// The window of `lines` that fits `height` starting at `offset` (clamped), with the offset actually used.
export function windowOf<T>(lines: readonly T[], height: number, offset: number): { readonly shown: readonly T[]; readonly offset: number; readonly more: boolean } {
  const h = Math.max(0, height);
  const max = Math.max(0, lines.length - h);
  const o = Math.max(0, Math.min(offset, max));
  return { shown: lines.slice(o, o + h), offset: o, more: o + h < lines.length };
}

// Joins the lines of each paragraph (YAML block text is wrapped by hand at the source's width), so wrapText can
// wrap it for the screen's. Blank lines, indented lines (code) and list items keep their own line.
export function reflow(text: string): string {
  const out: string[] = [];
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    const prev = out.length > 0 ? out[out.length - 1]! : null;
    const own = raw.trim() === '' || /^\s/.test(raw) || /^([-*•]|\d+\.)\s/.test(raw);
    if (prev !== null && prev.trim() !== '' && !own && !/^\s/.test(prev)) out[out.length - 1] = `${prev} ${raw.trim()}`;
    else out.push(raw);
  }
  return out.join('\n');
}
