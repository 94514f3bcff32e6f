import { describe, expect, it } from 'vitest';
import { initialScreen, pressKey, splitKeys, withInline, type KeyPress, type ScreenContext, type ScreenState } from '../../../../lab/tui/state/episode-screen.ts';
import { openInline } from '../../../../lab/tui/state/inline-editor.ts';

const ctx: ScreenContext = {
  hasEngine: true, hasServers: true, hasConfig: true, hasChecks: true, predicting: false, overlayOpen: false,
  canNext: true, canPrev: false, hasHint: true, hasSolution: true, busy: false, hasLastRequest: true, requests: 1,
  serverCount: 3, paneHeight: 10, paneOffset: 0, trafficRunning: false, liveChanges: [], hasEditor: true,
};

// Feeds one terminal read (ink's input and key) through splitKeys and pressKey, as the input hook does.
function type(s: ScreenState, input: string, key: KeyPress['key'] = {}, c: ScreenContext = ctx) {
  const effects = [];
  for (const p of splitKeys({ input, key })) {
    const r = pressKey(s, p, c);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

describe('episode screen keys (no terminal)', () => {
  it('splits a run of characters read at once into one keypress each', () => {
    expect(splitKeys({ input: 'jj', key: {} })).toEqual([{ input: 'j', key: {} }, { input: 'j', key: {} }]);
    expect(splitKeys({ input: '', key: { upArrow: true } })).toHaveLength(1);
    expect(splitKeys({ input: 'c', key: { ctrl: true } })).toHaveLength(1);
    // A backspace (DEL) read together with the next character is still a backspace.
    expect(splitKeys({ input: '\x7f2', key: {} })).toEqual([{ input: '', key: { delete: true } }, { input: '2', key: {} }]);
    expect(splitKeys({ input: 'j\x03', key: {} })[1]).toEqual({ input: 'c', key: { ctrl: true } });
  });

  it('moves two rows for jj and wraps around the servers', () => {
    expect(type(initialScreen(), 'jj').state.ui.selected).toBe(2);
    expect(type(initialScreen(), 'jjj').state.ui.selected).toBe(0);
  });

  it('asks for two bursts for bb and two weight steps for ++', () => {
    expect(type(initialScreen(), 'bb').effects).toEqual([{ type: 'traffic', label: 'burst' }, { type: 'traffic', label: 'burst' }]);
    expect(type(initialScreen(), '++').effects).toEqual([{ type: 'weight', delta: 1 }, { type: 'weight', delta: 1 }]);
  });

  it('warns before checks that would drop live weights, and runs them on the second c', () => {
    const c = { ...ctx, liveChanges: ['server1 weight 3, the file says 1'] };
    const first = type(initialScreen(), 'c', {}, c);
    expect(first.effects).toEqual([]);
    expect(first.state.ui.message?.text).toContain('drops your live changes (server1 weight 3, the file says 1)');
    expect(first.state.ui.message?.text).toContain('HAProxy too forgets runtime changes on reload');
    expect(type(first.state, 'c', {}, c).effects).toEqual([{ type: 'checks' }]);
    // Any other key in between disarms it.
    expect(type(type(first.state, 'j', {}, c).state, 'c', {}, c).effects).toEqual([]);
    // Without live changes c runs right away.
    expect(type(initialScreen(), 'c').effects).toEqual([{ type: 'checks' }]);
  });

  it('resets the step only on a second R', () => {
    const first = type(initialScreen(), 'R', {}, { ...ctx, keptFile: '/home/u/.config/haproxy-lab/work/ep/st/haproxy.cfg' });
    expect(first.effects).toEqual([]);
    expect(first.state.ui.message?.text).toContain('into /home/u/.config/haproxy-lab/work/ep/st/haproxy.cfg');
    expect(type(first.state, 'R').effects).toEqual([{ type: 'reset-step' }]);
    expect(type(type(first.state, 'x').state, 'R').effects).toEqual([]);
  });

  it('opens the inline editor for e when no EDITOR is set, and the editor when one is', () => {
    expect(type(initialScreen(), 'e', {}, { ...ctx, hasEditor: false }).effects).toEqual([{ type: 'open-inline' }]);
    const r = type(initialScreen(), 'e');
    expect(r.effects).toEqual([{ type: 'open-editor' }]);
    expect(r.state.editing).toBe(true);
  });

  it('types a pasted run of characters into the line being edited as text, not as keys', () => {
    let s = withInline(initialScreen(), openInline('a\nserver s1 x:1\n', 2));
    s = type(s, '', { return: true }).state;
    s = type(s, ' weight 3').state;
    const saved = type(type(s, '', { return: true }).state, 's');
    expect(saved.effects).toEqual([{ type: 'save-inline', text: 'a\nserver s1 x:1 weight 3\n' }]);
  });

  it('moves to the first and last line with home and end in the inline editor', () => {
    let s = withInline(initialScreen(), openInline('1\n2\n3\n4\n', 2));
    s = type(s, '', { end: true }).state;
    expect(s.inline?.cursor).toBe(3);
    s = type(s, '', { home: true }).state;
    expect(s.inline?.cursor).toBe(0);
  });

  it('stops traffic on the first Ctrl+C and quits on the second', () => {
    const first = type(initialScreen(), 'c', { ctrl: true }, { ...ctx, trafficRunning: true });
    expect(first.effects).toEqual([{ type: 'abort-traffic' }]);
    expect(type(first.state, 'c', { ctrl: true }).effects).toEqual([{ type: 'quit' }]);
  });

  it('pages the footer with m', () => {
    expect(type(initialScreen(), 'mm').state.footerPage).toBe(2);
  });

  it('opens the request prompt on :, takes every key as text there, and sends the line on enter', () => {
    const open = type(initialScreen(), ':');
    expect(open.state.request.prompt?.text).toBe('');
    // q, c, b, j are text in the prompt, not quit, checks, burst or a move
    const typed = type(open.state, 'curl -X GET http://localhost/submit -n 2 qcbj');
    expect(typed.effects).toEqual([]);
    expect(typed.state.ui.selected).toBe(0);
    expect(typed.state.request.prompt?.text).toBe('curl -X GET http://localhost/submit -n 2 qcbj');
    const back = type(typed.state, '', { delete: true });
    expect(back.state.request.prompt?.text).toBe('curl -X GET http://localhost/submit -n 2 qcb');
    const sent = type(type(initialScreen(), ':curl -X GET http://localhost/submit').state, '', { return: true });
    expect(sent.effects).toEqual([{ type: 'send-line', line: 'curl -X GET http://localhost/submit' }]);
    expect(sent.state.request.prompt).toBeNull();
    expect(sent.state.tab).toBe('response');
    expect(sent.state.request.history).toEqual(['curl -X GET http://localhost/submit']);
  });

  it('drops the prompt on esc and sends nothing for an empty line', () => {
    const dropped = type(type(initialScreen(), ':curl http://localhost/').state, '', { escape: true });
    expect(dropped.state.request.prompt).toBeNull();
    expect(dropped.effects).toEqual([]);
    expect(dropped.state.tab).toBe('explain');
    const empty = type(type(initialScreen(), ':   ').state, '', { return: true });
    expect(empty.effects).toEqual([]);
    expect(empty.state.tab).toBe('explain');
  });

  it('brings earlier requests back with up and down in the prompt', () => {
    let s = type(type(initialScreen(), ':curl http://localhost/a').state, '', { return: true }).state;
    s = type(type(s, ':curl http://localhost/b').state, '', { return: true }).state;
    s = type(s, ':draft').state;
    s = type(s, '', { upArrow: true }).state;
    expect(s.request.prompt?.text).toBe('curl http://localhost/b');
    s = type(s, '', { upArrow: true }).state;
    expect(s.request.prompt?.text).toBe('curl http://localhost/a');
    s = type(type(s, '', { downArrow: true }).state, '', { downArrow: true }).state;
    expect(s.request.prompt?.text).toBe('draft');
    // the arrows browse the history, they do not move the server selection
    expect(s.ui.selected).toBe(0);
  });

  it('stops typed requests with Ctrl+C even while the prompt is open', () => {
    const open = type(initialScreen(), ':curl');
    const r = type(open.state, 'c', { ctrl: true }, { ...ctx, trafficRunning: true });
    expect(r.effects).toEqual([{ type: 'abort-traffic' }]);
  });

  it('cycles tab through explanation, config and, once a typed request has an answer, the response', () => {
    const withAnswer = { ...ctx, hasResponse: true };
    const a = type(initialScreen(), '', { tab: true }, withAnswer).state;
    expect(a.tab).toBe('config');
    const b = type(a, '', { tab: true }, withAnswer).state;
    expect(b.tab).toBe('response');
    expect(type(b, '', { tab: true }, withAnswer).state.tab).toBe('explain');
    // without an answer there is no response pane to go to
    expect(type(a, '', { tab: true }).state.tab).toBe('explain');
    // a step without a config: tab goes between explanation and response only
    const noConfig = { ...withAnswer, hasConfig: false };
    expect(type(initialScreen(), '', { tab: true }, noConfig).state.tab).toBe('response');
  });

  it('has no prompt key without servers to answer, nor in predict mode', () => {
    expect(type(initialScreen(), ':', {}, { ...ctx, hasServers: false }).state.request.prompt).toBeNull();
    expect(type(initialScreen(), ':', {}, { ...ctx, predicting: true }).state.request.prompt).toBeNull();
  });
});
