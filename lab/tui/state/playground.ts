// The playground screen's state: which pane shows, the request prompt (text, history), the selected server, the
// status line and what runs. Pure, so every key's effect is testable without a terminal.
import type { Tone } from './log.ts';
import { episodeUiReducer, initialEpisodeUi, type Prediction } from './episode-ui.ts';
import { promptReducer, type PromptAction, type PromptState } from './request-prompt.ts';

export type PlayPane = 'response' | 'config' | 'explain' | 'unsupported' | 'help';

export interface PlaygroundUi extends PromptState {
  readonly pane: PlayPane;
  readonly selected: number;
  readonly message: { readonly text: string; readonly tone: Tone } | null;
  readonly busy: string | null;
  readonly quitArmed: boolean;
  /** Predict mode, exactly as on the episode screen (its reducer decides). */
  readonly predict: Prediction | null;
}

export type PlaygroundAction =
  | { readonly type: 'pane'; readonly pane: PlayPane }
  | { readonly type: 'toggle-pane'; readonly pane: PlayPane }
  | PromptAction
  | { readonly type: 'select'; readonly delta: number; readonly count: number }
  | { readonly type: 'message'; readonly text: string; readonly tone?: Tone }
  | { readonly type: 'busy'; readonly busy: string | null }
  | { readonly type: 'ctrl-c' }
  | { readonly type: 'key' }
  | { readonly type: 'predict-toggle' }
  | { readonly type: 'predict-guess'; readonly server: string }
  | { readonly type: 'predict-resolve'; readonly actual: string | null };

// A fresh screen whose space key sends `request`.
export function initialPlayground(request: string): PlaygroundUi {
  return { pane: 'response', prompt: null, history: [request], request, selected: 0, message: null, busy: null, quitArmed: false, predict: null };
}

// Applies one action.
export function playgroundReducer(ui: PlaygroundUi, a: PlaygroundAction): PlaygroundUi {
  switch (a.type) {
    case 'pane':
      return { ...ui, pane: a.pane };
    case 'toggle-pane':
      return { ...ui, pane: ui.pane === a.pane ? 'response' : a.pane };
    case 'prompt-open':
    case 'prompt-type':
    case 'prompt-backspace':
    case 'prompt-history':
    case 'prompt-cancel':
      return promptReducer(ui, a);
    case 'prompt-submit': {
      const submitted = ui.prompt !== null && ui.prompt.text.trim() !== '';
      const next = promptReducer(ui, a);
      return submitted ? { ...next, pane: 'response' } : next;
    }
    case 'select':
      return { ...ui, selected: a.count <= 0 ? 0 : (ui.selected + a.delta + a.count) % a.count };
    case 'message':
      return { ...ui, message: { text: a.text, tone: a.tone ?? 'plain' } };
    case 'busy':
      return { ...ui, busy: a.busy };
    case 'ctrl-c':
      return ui.quitArmed ? ui : { ...ui, quitArmed: true, message: { text: 'Press Ctrl+C again to quit (q quits too).', tone: 'warn' } };
    case 'key':
      return ui.quitArmed ? { ...ui, quitArmed: false } : ui;
    case 'predict-toggle':
    case 'predict-guess':
    case 'predict-resolve': {
      const e = episodeUiReducer({ ...initialEpisodeUi(), predict: ui.predict }, a);
      return { ...ui, predict: e.predict, ...(e.message ? { message: e.message } : {}) };
    }
  }
}
