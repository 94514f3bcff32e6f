import { describe, expect, it } from 'vitest';
import { inlineLines, inlineReducer, inlineText, openInline, type InlineAction, type InlineEditor } from '../../../../lab/tui/state/inline-editor.ts';

const cfg = 'backend servers\n    balance roundrobin\n    server server1 app1:5001 check\n';
const run = (s: InlineEditor, ...as: InlineAction[]): InlineEditor => as.reduce(inlineReducer, s);

describe('inline editor', () => {
  it('edits one line: types at the caret and keeps it on enter', () => {
    let s = run(openInline(cfg, 3), { type: 'begin' }, { type: 'col', delta: -6 }, { type: 'type', text: ' weight 3' }, { type: 'commit' });
    expect(s.lines[2]).toBe('    server server1 app1:5001 weight 3 check');
    expect(s.dirty).toBe(true);
    expect(inlineText(s)).toBe(cfg.replace('5001 check', '5001 weight 3 check'));
    s = run(s, { type: 'begin' }, { type: 'backspace' }, { type: 'cancel' });
    expect(s.lines[2]).toBe('    server server1 app1:5001 weight 3 check');
  });

  it('adds a line below with the same indentation and drops it again on escape', () => {
    const s = run(openInline(cfg, 3), { type: 'insert-below' });
    expect(s.lines).toHaveLength(4);
    expect(s.edit?.text).toBe('    ');
    expect(run(s, { type: 'cancel' }).lines).toHaveLength(3);
    expect(run(s, { type: 'type', text: 'server server2 app2:5002 check' }, { type: 'commit' }).lines[3]).toBe('    server server2 app2:5002 check');
  });

  it('deletes the line under the cursor and keeps the cursor in range', () => {
    const s = run(openInline(cfg, 3), { type: 'delete-line' });
    expect(s.lines).toEqual(['backend servers', '    balance roundrobin']);
    expect(s.cursor).toBe(1);
  });

  it('does not move between lines while a line is being edited', () => {
    const s = run(openInline(cfg, 1), { type: 'begin' }, { type: 'move', delta: 1 });
    expect(s.cursor).toBe(0);
  });

  it('shows the caret in the edited line and errors under their lines', () => {
    const s = run(openInline(cfg, 3), { type: 'begin' }, { type: 'home' });
    const v = inlineLines(s, [{ severity: 'alert', message: 'bad balance', loc: { file: 'h.cfg', line: 2, col: 5 } }], 80);
    expect(v.lines[1]!.text).toMatch(/^2✗ {5}balance/);
    expect(v.lines[2]!.text).toContain('↑ bad balance');
    expect(v.lines[3]!.text).toBe('3› ▏    server server1 app1:5001 check');
    expect(v.focus).toBe(3);
  });
});
