// The playground screen's reducer, without a terminal: the request prompt, its history, panes and selection.
import { describe, expect, it } from 'vitest';
import { initialPlayground, playgroundReducer, type PlaygroundAction, type PlaygroundUi } from '../../../../lab/tui/state/playground.ts';
import { playBindingFor, playFooterKeys, type PlayKeyContext } from '../../../../lab/tui/state/play-keys.ts';

const run = (ui: PlaygroundUi, ...as: PlaygroundAction[]): PlaygroundUi => as.reduce(playgroundReducer, ui);
const start = initialPlayground('curl http://localhost/');

describe('the playground reducer', () => {
  it('sends what was typed: the prompt opens empty, enter makes the line the request space sends and keeps it in history', () => {
    const ui = run(start, { type: 'prompt-open' }, { type: 'prompt-type', text: 'curl -H "X-Env: dev" http://localhost/' }, { type: 'prompt-submit' });
    expect(ui.prompt).toBeNull();
    expect(ui.request).toBe('curl -H "X-Env: dev" http://localhost/');
    expect(ui.history).toEqual(['curl http://localhost/', 'curl -H "X-Env: dev" http://localhost/']);
  });

  it('walks the history with up and down, and gives back the line being typed at the end', () => {
    let ui = run(start, { type: 'prompt-open' }, { type: 'prompt-type', text: 'curl http://localhost/a' }, { type: 'prompt-submit' });
    ui = run(ui, { type: 'prompt-open' }, { type: 'prompt-type', text: 'curl http://loc' }, { type: 'prompt-history', delta: -1 });
    expect(ui.prompt?.text).toBe('curl http://localhost/a');
    ui = run(ui, { type: 'prompt-history', delta: -1 }, { type: 'prompt-history', delta: -1 });
    expect(ui.prompt?.text).toBe('curl http://localhost/');
    ui = run(ui, { type: 'prompt-history', delta: 1 }, { type: 'prompt-history', delta: 1 });
    expect(ui.prompt?.text).toBe('curl http://loc');
  });

  it('drops the line on escape, and sends nothing for an empty one', () => {
    expect(run(start, { type: 'prompt-open' }, { type: 'prompt-type', text: 'curl x' }, { type: 'prompt-cancel' }).request).toBe('curl http://localhost/');
    const empty = run(start, { type: 'prompt-open' }, { type: 'prompt-submit' });
    expect(empty.history).toEqual(['curl http://localhost/']);
    expect(empty.prompt).toBeNull();
  });

  it('does not repeat a request sent twice in a row in the history', () => {
    const twice = run(start, { type: 'prompt-open' }, { type: 'prompt-type', text: 'curl http://localhost/' }, { type: 'prompt-submit' });
    expect(twice.history).toEqual(['curl http://localhost/']);
  });

  it('backspaces whole characters, and toggles panes back to the response', () => {
    expect(run(start, { type: 'prompt-open' }, { type: 'prompt-type', text: 'a→' }, { type: 'prompt-backspace' }).prompt?.text).toBe('a');
    expect(run(start, { type: 'toggle-pane', pane: 'explain' }).pane).toBe('explain');
    expect(run(start, { type: 'toggle-pane', pane: 'explain' }, { type: 'toggle-pane', pane: 'explain' }).pane).toBe('response');
  });

  it('scores predictions as the episode screen does: a wrong guess counts against, a right one for', () => {
    let ui = run(start, { type: 'predict-toggle' }, { type: 'predict-guess', server: 'app/s1' }, { type: 'predict-resolve', actual: 'dev/s3' });
    expect(ui.predict).toMatchObject({ right: 0, total: 1, last: { ok: false, actual: 'dev/s3' } });
    ui = run(ui, { type: 'predict-guess', server: 'dev/s3' }, { type: 'predict-resolve', actual: 'dev/s3' });
    expect(ui.predict).toMatchObject({ right: 1, total: 2, last: { ok: true } });
    expect(run(ui, { type: 'predict-toggle' }).predict).toBeNull();
  });

  it('wraps the server selection both ways', () => {
    expect(run(start, { type: 'select', delta: -1, count: 3 }).selected).toBe(2);
    expect(run(start, { type: 'select', delta: 1, count: 3 }, { type: 'select', delta: 1, count: 3 }, { type: 'select', delta: 1, count: 3 }).selected).toBe(0);
  });
});

describe('the playground keys', () => {
  const ctx: PlayKeyContext = { hasServers: true, hasAnswer: false, hasUnsupported: false, canCompare: false, paneOpen: false, busy: false, predicting: false };
  it('offers explain only after an answer, compare only with haproxy installed, the ignored list only when there is one', () => {
    expect(playBindingFor('x', {}, ctx)).toBeUndefined();
    expect(playBindingFor('x', {}, { ...ctx, hasAnswer: true })?.action).toBe('explain');
    expect(playBindingFor('v', {}, ctx)).toBeUndefined();
    expect(playBindingFor('v', {}, { ...ctx, canCompare: true })?.action).toBe('compare');
    expect(playBindingFor('U', {}, ctx)).toBeUndefined();
    expect(playFooterKeys(ctx).slice(0, 3)).toEqual([': request', '? help', 'q quit']);
  });
});

describe('docs/play-keys.md', () => {
  it('stays in step with the key table', async () => {
    const { readFileSync } = await import('node:fs');
    const { playKeysMarkdown } = await import('../../../../lab/tui/state/play-keys.ts');
    expect(readFileSync(new URL('../../../../docs/play-keys.md', import.meta.url), 'utf8')).toBe(playKeysMarkdown());
  });
});
