// The playground screen's state: which pane shows, the request prompt (text, history), the selected server, the
// status line and what runs. Pure, so every key's effect is testable without a terminal.
import type { Tone } from './log.ts';
import { episodeUiReducer, initialEpisodeUi, type Prediction } from './episode-ui.ts';

export type PlayPane = 'response' | 'config' | 'explain' | 'unsupported' | 'help';

export interface RequestPrompt {
  readonly text: string;
  /** Position in the history while browsing it with ↑↓ (history.length: the line being typed). */
  readonly browsing: number;
  /** What was typed before browsing started. */
  readonly draft: string;
}

export interface PlaygroundUi {
  readonly pane: PlayPane;
  readonly prompt: RequestPrompt | null;
  /** Requests sent, oldest first, without repeats in a row. */
  readonly history: readonly string[];
  /** What space sends: the last request, or the default GET. */
  readonly request: string;
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
  | { readonly type: 'prompt-open' }
  | { readonly type: 'prompt-type'; readonly text: string }
  | { readonly type: 'prompt-backspace' }
  | { readonly type: 'prompt-history'; readonly delta: -1 | 1 }
  | { readonly type: 'prompt-cancel' }
  /** Closes the prompt; the typed line becomes the request space sends and joins the history. */
  | { readonly type: 'prompt-submit' }
  | { readonly type: 'select'; readonly delta: number; readonly count: number }
  | { readonly type: 'message'; readonly text: string; readonly tone?: Tone }
  | { readonly type: 'busy'; readonly busy: string | null }
  | { readonly type: 'ctrl-c' }
  | { readonly type: 'key' }
  | { readonly type: 'predict-toggle' }
  | { readonly type: 'predict-guess'; readonly server: string }
  | { readonly type: 'predict-resolve'; readonly actual: string | null };

export const HISTORY_KEEP = 50;

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
      // empty: the learner types a new request; ↑ brings back the last ones
      return { ...ui, prompt: { text: '', browsing: ui.history.length, draft: '' } };
    case 'prompt-type':
      return ui.prompt ? { ...ui, prompt: { ...ui.prompt, text: ui.prompt.text + a.text, browsing: ui.history.length } } : ui;
    case 'prompt-backspace':
      return ui.prompt ? { ...ui, prompt: { ...ui.prompt, text: Array.from(ui.prompt.text).slice(0, -1).join(''), browsing: ui.history.length } } : ui;
    case 'prompt-history': {
      const p = ui.prompt;
      if (!p) return ui;
      const at = Math.max(0, Math.min(ui.history.length, p.browsing + a.delta));
      if (at === p.browsing) return ui;
      const draft = p.browsing === ui.history.length ? p.text : p.draft;
      return { ...ui, prompt: { text: at === ui.history.length ? draft : ui.history[at]!, browsing: at, draft } };
    }
    case 'prompt-cancel':
      return { ...ui, prompt: null };
    case 'prompt-submit': {
      const line = ui.prompt?.text.trim() ?? '';
      if (!ui.prompt || line === '') return { ...ui, prompt: null };
      const history = ui.history.at(-1) === line ? ui.history : [...ui.history, line].slice(-HISTORY_KEEP);
      return { ...ui, prompt: null, request: line, history, pane: 'response' };
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
