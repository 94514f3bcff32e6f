// The episode screen's own state: which pane is open, which server is selected, predict mode, the status line,
// and the two-press Ctrl+C. Pure, so every key's effect is testable without a terminal.
import type { Tone } from './log.ts';

export type Overlay = 'none' | 'help' | 'explain' | 'checks' | 'hint' | 'solution' | 'legend';

export interface Prediction {
  /** The server (backend/server key) the learner bet on for the request in flight, or null while choosing. */
  readonly guess: string | null;
  readonly right: number;
  readonly total: number;
  /** The last outcome, for the status line. */
  readonly last: { readonly guess: string; readonly actual: string | null; readonly ok: boolean } | null;
}

export interface EpisodeUi {
  readonly overlay: Overlay;
  /** Index into the episode's server list. */
  readonly selected: number;
  readonly predict: Prediction | null;
  readonly message: { readonly text: string; readonly tone: Tone } | null;
  /** What runs in the background right now ("burst 12/60", "checks"), or null. */
  readonly busy: string | null;
  /** Ctrl+C was pressed once: the next press quits. */
  readonly quitArmed: boolean;
}

export type EpisodeUiAction =
  | { readonly type: 'overlay'; readonly overlay: Overlay }
  | { readonly type: 'toggle-overlay'; readonly overlay: Overlay }
  | { readonly type: 'select'; readonly delta: number; readonly count: number }
  | { readonly type: 'predict-toggle' }
  | { readonly type: 'predict-guess'; readonly server: string }
  | { readonly type: 'predict-resolve'; readonly actual: string | null }
  | { readonly type: 'message'; readonly text: string; readonly tone?: Tone }
  | { readonly type: 'busy'; readonly busy: string | null }
  | { readonly type: 'ctrl-c'; readonly trafficRunning: boolean }
  | { readonly type: 'key' }
  | { readonly type: 'step-changed' };

// A fresh screen.
export function initialEpisodeUi(): EpisodeUi {
  return { overlay: 'none', selected: 0, predict: null, message: null, busy: null, quitArmed: false };
}

// What the first and second Ctrl+C do: stop traffic first, then arm, then quit.
export function ctrlCEffect(ui: EpisodeUi, trafficRunning: boolean): 'stop-traffic' | 'arm' | 'quit' {
  if (trafficRunning) return 'stop-traffic';
  return ui.quitArmed ? 'quit' : 'arm';
}

// Applies one UI action.
export function episodeUiReducer(ui: EpisodeUi, a: EpisodeUiAction): EpisodeUi {
  switch (a.type) {
    case 'overlay':
      return { ...ui, overlay: a.overlay };
    case 'toggle-overlay':
      return { ...ui, overlay: ui.overlay === a.overlay ? 'none' : a.overlay };
    case 'select': {
      if (a.count <= 0) return { ...ui, selected: 0 };
      const next = (((ui.selected + a.delta) % a.count) + a.count) % a.count;
      return { ...ui, selected: next };
    }
    case 'predict-toggle':
      return ui.predict
        ? { ...ui, predict: null, message: { text: `Predict mode off: ${ui.predict.right}/${ui.predict.total} right.`, tone: 'accent' } }
        : { ...ui, predict: { guess: null, right: 0, total: 0, last: null }, message: null };
    case 'predict-guess':
      if (!ui.predict || ui.predict.guess !== null) return ui;
      return { ...ui, predict: { ...ui.predict, guess: a.server } };
    case 'predict-resolve': {
      const p = ui.predict;
      if (!p || p.guess === null) return ui;
      const ok = p.guess === a.actual;
      return {
        ...ui,
        predict: { guess: null, right: p.right + (ok ? 1 : 0), total: p.total + 1, last: { guess: p.guess, actual: a.actual, ok } },
      };
    }
    case 'message':
      return { ...ui, message: { text: a.text, tone: a.tone ?? 'plain' } };
    case 'busy':
      return { ...ui, busy: a.busy };
    case 'ctrl-c': {
      const effect = ctrlCEffect(ui, a.trafficRunning);
      if (effect === 'stop-traffic') return { ...ui, quitArmed: true, busy: null, message: { text: 'Traffic stopped. Press Ctrl+C again to quit.', tone: 'warn' } };
      if (effect === 'arm') return { ...ui, quitArmed: true, message: { text: 'Press Ctrl+C again to quit.', tone: 'warn' } };
      return ui;
    }
    case 'key':
      // Any other key disarms the pending quit.
      return ui.quitArmed ? { ...ui, quitArmed: false, message: null } : ui;
    case 'step-changed':
      return { ...initialEpisodeUi(), predict: ui.predict ? { guess: null, right: ui.predict.right, total: ui.predict.total, last: null } : null };
  }
}
