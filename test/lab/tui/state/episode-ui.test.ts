import { describe, expect, it } from 'vitest';
import { ctrlCEffect, episodeUiReducer, initialEpisodeUi } from '../../../../lab/tui/state/episode-ui.ts';

describe('episode screen state', () => {
  it('stops running traffic on the first Ctrl+C and quits on the second', () => {
    let ui = initialEpisodeUi();
    expect(ctrlCEffect(ui, true)).toBe('stop-traffic');
    ui = episodeUiReducer(ui, { type: 'ctrl-c', trafficRunning: true });
    expect(ui.message?.text).toMatch(/Traffic stopped/);
    expect(ctrlCEffect(ui, false)).toBe('quit');
  });

  it('arms on a first Ctrl+C without traffic, and another key disarms', () => {
    let ui = episodeUiReducer(initialEpisodeUi(), { type: 'ctrl-c', trafficRunning: false });
    expect(ui.quitArmed).toBe(true);
    ui = episodeUiReducer(ui, { type: 'key' });
    expect(ctrlCEffect(ui, false)).toBe('arm');
  });

  it('wraps the server selection at both ends', () => {
    let ui = episodeUiReducer(initialEpisodeUi(), { type: 'select', delta: -1, count: 3 });
    expect(ui.selected).toBe(2);
    ui = episodeUiReducer(ui, { type: 'select', delta: 1, count: 3 });
    expect(ui.selected).toBe(0);
  });

  it('scores a prediction once the answer arrives, one guess at a time', () => {
    let ui = episodeUiReducer(initialEpisodeUi(), { type: 'predict-toggle' });
    ui = episodeUiReducer(ui, { type: 'predict-guess', server: 'servers/server3' });
    ui = episodeUiReducer(ui, { type: 'predict-guess', server: 'servers/server1' });
    expect(ui.predict?.guess).toBe('servers/server3');
    ui = episodeUiReducer(ui, { type: 'predict-resolve', actual: 'servers/server3' });
    ui = episodeUiReducer(ui, { type: 'predict-guess', server: 'servers/server1' });
    ui = episodeUiReducer(ui, { type: 'predict-resolve', actual: 'servers/server2' });
    expect(ui.predict).toMatchObject({ right: 1, total: 2, guess: null, last: { ok: false, actual: 'servers/server2' } });
  });

  it('toggles an overlay closed when its key is pressed again', () => {
    let ui = episodeUiReducer(initialEpisodeUi(), { type: 'toggle-overlay', overlay: 'explain' });
    expect(ui.overlay).toBe('explain');
    ui = episodeUiReducer(ui, { type: 'toggle-overlay', overlay: 'explain' });
    expect(ui.overlay).toBe('none');
  });
});
