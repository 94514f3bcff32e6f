// The request prompt shared by the playground and the episode screen: the line being typed, ↑↓ through the
// history, enter makes it the request (space resends it), esc drops it. Pure; keys map to actions here too, so
// both screens read a keypress the same way.
export interface RequestPrompt {
  readonly text: string;
  /** Position in the history while browsing it with ↑↓ (history.length: the line being typed). */
  readonly browsing: number;
  /** What was typed before browsing started. */
  readonly draft: string;
}

export interface PromptState {
  readonly prompt: RequestPrompt | null;
  /** Requests sent, oldest first, without repeats in a row. */
  readonly history: readonly string[];
  /** The last request submitted (what space resends on the playground). */
  readonly request: string;
}

export type PromptAction =
  | { readonly type: 'prompt-open' }
  | { readonly type: 'prompt-type'; readonly text: string }
  | { readonly type: 'prompt-backspace' }
  | { readonly type: 'prompt-history'; readonly delta: -1 | 1 }
  | { readonly type: 'prompt-cancel' }
  /** Closes the prompt; the typed line becomes the request and joins the history. */
  | { readonly type: 'prompt-submit' };

export const HISTORY_KEEP = 50;

export function initialPrompt(request: string): PromptState {
  return { prompt: null, history: request ? [request] : [], request };
}

// Applies one prompt action to any state that carries the prompt's fields.
export function promptReducer<T extends PromptState>(s: T, a: PromptAction): T {
  switch (a.type) {
    case 'prompt-open':
      // empty: the learner types a new request; ↑ brings back the last ones
      return { ...s, prompt: { text: '', browsing: s.history.length, draft: '' } };
    case 'prompt-type':
      return s.prompt ? { ...s, prompt: { ...s.prompt, text: s.prompt.text + a.text, browsing: s.history.length } } : s;
    case 'prompt-backspace':
      return s.prompt ? { ...s, prompt: { ...s.prompt, text: Array.from(s.prompt.text).slice(0, -1).join(''), browsing: s.history.length } } : s;
    case 'prompt-history': {
      const p = s.prompt;
      if (!p) return s;
      const at = Math.max(0, Math.min(s.history.length, p.browsing + a.delta));
      if (at === p.browsing) return s;
      const draft = p.browsing === s.history.length ? p.text : p.draft;
      return { ...s, prompt: { text: at === s.history.length ? draft : s.history[at]!, browsing: at, draft } };
    }
    case 'prompt-cancel':
      return { ...s, prompt: null };
    case 'prompt-submit': {
      const line = s.prompt?.text.trim() ?? '';
      if (!s.prompt || line === '') return { ...s, prompt: null };
      const history = s.history.at(-1) === line ? s.history : [...s.history, line].slice(-HISTORY_KEEP);
      return { ...s, prompt: null, request: line, history };
    }
  }
}

/** The keys the prompt reads (a subset of ink's Key). */
export interface PromptKey {
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

// What a keypress does while the prompt is open (null: nothing). Ctrl+U drops the line, as in a shell.
export function promptKeyAction(input: string, key: PromptKey): PromptAction | null {
  if (key.return) return { type: 'prompt-submit' };
  if (key.escape) return { type: 'prompt-cancel' };
  if (key.upArrow) return { type: 'prompt-history', delta: -1 };
  if (key.downArrow) return { type: 'prompt-history', delta: 1 };
  if (key.backspace || key.delete) return { type: 'prompt-backspace' };
  if (key.ctrl && input === 'u') return { type: 'prompt-cancel' };
  if (!key.ctrl && !key.meta && input) return { type: 'prompt-type', text: input.replace(/[\r\n]/g, '') };
  return null;
}

/** The status line while the prompt is open. */
export const PROMPT_STATUS = 'enter sends · ↑↓ history · esc drops · e.g. curl -X POST -H "X-Env: dev" http://localhost/api -n 5 -c 2';
