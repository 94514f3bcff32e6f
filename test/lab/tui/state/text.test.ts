import { describe, expect, it } from 'vitest';
import { fit, truncate, windowOf, wrapText } from '../../../../lab/tui/state/text.ts';
import { configLines, remapMarks } from '../../../../lab/tui/state/config-lines.ts';
import { FIXED_ROWS, layout, logRows } from '../../../../lab/tui/state/panes.ts';

describe('text fitting', () => {
  it('wraps words to the width and keeps paragraphs apart', () => {
    const lines = wrapText('one two three four five\n\nsix', 9);
    expect(lines).toEqual(['one two', 'three', 'four five', '', 'six']);
    expect(lines.every((l) => l.length <= 9)).toBe(true);
  });

  it('cuts with an ellipsis and pads to the exact width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
  });

  it('clamps a scroll window to the lines there are', () => {
    const w = windowOf([1, 2, 3, 4, 5], 2, 10);
    expect(w.shown).toEqual([4, 5]);
    expect(w.more).toBe(false);
    expect(windowOf([1, 2, 3], 2, 0).more).toBe(true);
  });
});

describe('config pane', () => {
  const cfg = 'backend servers\n    balance roundrobin\n    server server1 app1:5001 weight 2 check\n';

  it('marks the lines that matter with their note', () => {
    const c = configLines({ text: cfg, marks: [{ line: 3, note: 'weight 2' }], errors: [], width: 80 });
    expect(c.lines).toHaveLength(3);
    expect(c.lines[2]!.text).toMatch(/^3▶ {5}server server1 .*← weight 2$/);
    expect(c.focus).toBe(2);
  });

  it('flags a refused line and puts the message under it', () => {
    const c = configLines({ text: cfg, marks: [], errors: [{ severity: 'alert', message: "unknown keyword 'wieght'", loc: { file: 'h.cfg', line: 3, col: 31 } }], width: 80 });
    expect(c.lines[2]!.text.startsWith('3✗')).toBe(true);
    expect(c.lines[3]!.text).toContain("↑ unknown keyword 'wieght'");
  });

  it('moves a mark with its line when the learner inserts lines above it', () => {
    const edited = 'backend servers\n    # comment\n    balance roundrobin\n    server server1 app1:5001 weight 3 check\n';
    expect(remapMarks(cfg, edited, [{ line: 3, note: 'n' }])).toEqual([{ line: 4, note: 'n' }]);
  });
});

describe('layout', () => {
  it('keeps the live area shorter than the terminal, with room for log lines above it', () => {
    for (const rows of [24, 30, 50]) {
      const l = layout(rows, 3, true);
      expect(l.pane + l.second + FIXED_ROWS + 3 + logRows(rows)).toBeLessThan(rows);
      expect(logRows(rows)).toBeGreaterThanOrEqual(4);
    }
  });

  it('shows explanation and config together only when both get a useful height', () => {
    expect(layout(24, 3, true).second).toBe(0);
    expect(layout(60, 3, true).second).toBeGreaterThan(10);
  });

  it('says when the terminal is too small to be useful', () => {
    expect(layout(10, 3, false).tooSmall).toBe(true);
  });
});

describe('marks follow the learner’s file', () => {
  it('drops a mark whose line the learner removed, and draws the rest without error', () => {
    const cfg = 'backend b\n    server s1 a:1 check\n    server s2 a:2 check\n';
    const edited = 'backend b\n    server s2 a:2 weight 3 check\n';
    const marks = remapMarks(cfg, edited, [{ line: 2, note: 'one' }, { line: 3, note: 'two' }]);
    expect(marks).toEqual([{ line: 2, note: 'two' }]);
    const lines = configLines({ text: edited, marks, errors: [], width: 80 }).lines.map((l) => l.text);
    expect(lines.join('\n')).toContain('server s2 a:2 weight 3 check  ← two');
    expect(lines.join('\n')).not.toContain('one');
  });
});

describe('reflow', async () => {
  const { reflow } = await import('../../../../lab/tui/state/text.ts');
  it('joins hand-wrapped lines of a paragraph and keeps blank lines, code and list items', () => {
    expect(reflow('Give server1 weight 2 by\nadding `weight N`.\n\n    server s1 a:1\n- one\n- two')).toBe('Give server1 weight 2 by adding `weight N`.\n\n    server s1 a:1\n- one\n- two');
  });
});
