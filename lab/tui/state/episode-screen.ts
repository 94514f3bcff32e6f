// What each key does on the episode screen, as a pure function: the screen's state and a keypress in, the new
// state and the effects to run out (send traffic, reload, change a weight...). The input hook
// (hooks/use-episode-screen.ts) binds it to the terminal and runs the effects; tests call it directly.
import { bindingFor, type KeyAction, type KeyContext, type PressedKey } from './keys.ts';
import { ctrlCEffect, episodeUiReducer, initialEpisodeUi, type EpisodeUi, type EpisodeUiAction } from './episode-ui.ts';
import { inlineReducer, inlineText, type InlineAction, type InlineEditor } from './inline-editor.ts';
import type { Tone } from './log.ts';
import { initialPrompt, promptKeyAction, promptReducer, type PromptState } from './request-prompt.ts';
import { isDockerLine } from '../../docker/typed-command.ts';

export type Tab = 'explain' | 'config' | 'response';

export interface ScreenState {
  readonly ui: EpisodeUi;
  readonly tab: Tab;
  /** Pane scroll offset chosen by the learner, or null to follow the pane's focus line. */
  readonly scroll: number | null;
  readonly inline: InlineEditor | null;
  /** The learner's $EDITOR owns the terminal. */
  readonly editing: boolean;
  /** `c` was pressed with live changes the checks would drop: the next `c` runs them anyway. */
  readonly checkArmed: boolean;
  /** `R` was pressed once: the next `R` puts the step's starting files back. */
  readonly resetArmed: boolean;
  /** Footer page shown (the footer pages when the keys do not fit its rows). */
  readonly footerPage: number;
  /** The request prompt (`:`): the line being typed and the requests typed before. */
  readonly request: PromptState;
}

/** The keypress as ink reports it, with the keys the inline editor needs too. */
export interface KeyPress {
  readonly input: string;
  readonly key: PressedKey & { readonly backspace?: boolean; readonly delete?: boolean; readonly home?: boolean; readonly end?: boolean };
}

/** What the key asks the outside world to do. */
export type Effect =
  | { readonly type: 'traffic'; readonly label: 'request' | 'burst' }
  /** Send a typed curl line; the answer goes to the response pane. */
  | { readonly type: 'send-line'; readonly line: string }
  /** Run a typed docker line (`docker build -t TAG .`, `docker run -p ...`) as `c` would build or run it. */
  | { readonly type: 'docker-line'; readonly line: string }
  | { readonly type: 'guess'; readonly index: number }
  | { readonly type: 'next-request' }
  | { readonly type: 'checks' }
  | { readonly type: 'open-editor' }
  | { readonly type: 'open-inline' }
  | { readonly type: 'save-inline'; readonly text: string }
  | { readonly type: 'reload' }
  | { readonly type: 'next-file' }
  | { readonly type: 'weight'; readonly delta: number }
  | { readonly type: 'write-weights' }
  | { readonly type: 'toggle-backend' }
  | { readonly type: 'reset-step' }
  | { readonly type: 'step'; readonly delta: 1 | -1 }
  | { readonly type: 'home' }
  | { readonly type: 'quit' }
  | { readonly type: 'abort-traffic' };

/** What the key function needs to know about the world besides its own state. */
export interface ScreenContext extends KeyContext {
  readonly serverCount: number;
  /** Rows of the upper pane (for page moves) and where it starts now. */
  readonly paneHeight: number;
  readonly paneOffset: number;
  readonly trafficRunning: boolean;
  /** Live changes the checks would drop (e.g. "weight server1 3"); empty when the file is what runs. */
  readonly liveChanges: readonly string[];
  /** $EDITOR / $VISUAL set: `e` opens it; else `e` opens the inline editor. */
  readonly hasEditor: boolean;
  /** Where the learner's config of this step is kept (named when `R` asks). */
  readonly keptFile?: string | null;
}

export interface KeyResult {
  readonly state: ScreenState;
  readonly effects: readonly Effect[];
}

export function initialScreen(): ScreenState {
  return { ui: initialEpisodeUi(), tab: 'explain', scroll: null, inline: null, editing: false, checkArmed: false, resetArmed: false, footerPage: 0, request: initialPrompt('') };
}

const NAMED = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'return', 'escape', 'tab', 'pageUp', 'pageDown', 'backspace', 'delete', 'home', 'end'] as const;

// ink hands a run of characters typed (or repeated, or pasted) between two reads over as one input: each
// character is its own keypress here, so `jj` moves two rows. Control characters inside the run get the key
// names ink would give them alone (DEL is ink's "delete", what the backspace key sends). Named keys and ctrl
// chords read alone stay whole.
export function splitKeys(p: KeyPress): KeyPress[] {
  const chars = Array.from(p.input);
  if (chars.length <= 1 || p.key.ctrl || p.key.meta || NAMED.some((n) => p.key[n])) return [p];
  return chars.map(charKey);
}

function charKey(c: string): KeyPress {
  if (c === '\r' || c === '\n') return { input: '', key: { return: true } };
  if (c === '\t') return { input: '', key: { tab: true } };
  if (c === '\x7f') return { input: '', key: { delete: true } };
  if (c === '\b') return { input: '', key: { backspace: true } };
  const code = c.charCodeAt(0);
  if (code < 0x20) return { input: String.fromCharCode(code + 96), key: { ctrl: true } };
  return { input: c, key: {} };
}

function ui(s: ScreenState, a: EpisodeUiAction): ScreenState {
  return { ...s, ui: episodeUiReducer(s.ui, a) };
}

function say(s: ScreenState, text: string, tone: Tone): ScreenState {
  return ui(s, { type: 'message', text, tone });
}

const page = (c: ScreenContext): number => Math.max(1, c.paneHeight - 2);

// One keypress: Ctrl+C first (it always works), then the inline editor when open, then the key table.
export function pressKey(s0: ScreenState, p: KeyPress, c: ScreenContext): KeyResult {
  const { input, key } = p;
  if (key.ctrl && input === 'c') {
    const effect = ctrlCEffect(s0.ui, c.trafficRunning);
    if (effect === 'quit') return { state: s0, effects: [{ type: 'quit' }] };
    const state = ui(s0, { type: 'ctrl-c', trafficRunning: effect === 'stop-traffic' });
    return { state, effects: effect === 'stop-traffic' ? [{ type: 'abort-traffic' }] : [] };
  }
  const s = ui(s0, { type: 'key' });
  if (s.request.prompt) return promptKey(s, p);
  if (s.inline) return inlineKey(s, s.inline, p, c);
  const b = bindingFor(input, key, c);
  const disarmed: ScreenState = {
    ...s,
    checkArmed: b?.action === 'checks' ? s.checkArmed : false,
    resetArmed: b?.action === 'reset-step' ? s.resetArmed : false,
  };
  if (!b) return { state: disarmed, effects: [] };
  return act(disarmed, b.action, input, c);
}

function act(s: ScreenState, action: KeyAction, input: string, c: ScreenContext): KeyResult {
  const none = (state: ScreenState): KeyResult => ({ state, effects: [] });
  const one = (state: ScreenState, e: Effect): KeyResult => ({ state, effects: [e] });
  const overlay = (o: 'explain' | 'hint' | 'solution' | 'help' | 'legend'): KeyResult =>
    none({ ...ui(s, { type: 'toggle-overlay', overlay: o }), scroll: null });
  switch (action) {
    case 'fire':
      return one(s, { type: 'traffic', label: 'request' });
    case 'burst':
      return one(s, { type: 'traffic', label: 'burst' });
    case 'prompt':
      return none({ ...s, request: promptReducer(s.request, { type: 'prompt-open' }) });
    case 'next-request':
      return one(s, { type: 'next-request' });
    case 'checks':
      if (c.liveChanges.length > 0 && !s.checkArmed) {
        return none({
          ...say(
            s,
            `c judges the config file: it reloads it, which drops your live changes (${c.liveChanges.join(', ')}) — HAProxy too forgets runtime changes on reload. W writes the weights into your config; c again checks the file as it is.`,
            'warn',
          ),
          checkArmed: true,
        });
      }
      return one({ ...s, checkArmed: false }, { type: 'checks' });
    case 'edit':
      return c.hasEditor ? one({ ...s, editing: true }, { type: 'open-editor' }) : one(s, { type: 'open-inline' });
    case 'inline-edit':
      return one(s, { type: 'open-inline' });
    case 'reload':
      return one(s, { type: 'reload' });
    case 'next-file':
      return one({ ...s, tab: 'config', scroll: null }, { type: 'next-file' });
    case 'select-next':
      return none(ui(s, { type: 'select', delta: 1, count: c.serverCount }));
    case 'select-prev':
      return none(ui(s, { type: 'select', delta: -1, count: c.serverCount }));
    case 'weight-up':
      return one(s, { type: 'weight', delta: 1 });
    case 'weight-down':
      return one(s, { type: 'weight', delta: -1 });
    case 'write-weights':
      return one(s, { type: 'write-weights' });
    case 'toggle-backend':
      return one(s, { type: 'toggle-backend' });
    case 'reset-step':
      if (!s.resetArmed) {
        return none({
          ...say(s, `R again puts this step’s starting config back${c.keptFile ? ` into ${c.keptFile}` : ''} (your edits to it are lost); any other key keeps them.`, 'warn'),
          resetArmed: true,
        });
      }
      return one({ ...s, resetArmed: false }, { type: 'reset-step' });
    case 'explain':
      return overlay('explain');
    case 'legend':
      return overlay('legend');
    case 'predict':
      return none(ui(s, { type: 'predict-toggle' }));
    case 'guess': {
      const index = Number(input) - 1;
      if (index >= c.serverCount || !s.ui.predict || s.ui.predict.guess !== null || c.trafficRunning) return none(s);
      return one(s, { type: 'guess', index });
    }
    case 'tab':
      return none({ ...s, tab: nextTab(s.tab, c), scroll: null });
    case 'scroll-up':
      return none({ ...s, scroll: Math.max(0, (s.scroll ?? c.paneOffset) - page(c)) });
    case 'scroll-down':
      return none({ ...s, scroll: (s.scroll ?? c.paneOffset) + page(c) });
    case 'more-keys':
      return none({ ...s, footerPage: s.footerPage + 1 });
    case 'next-step':
      return one(s, { type: 'step', delta: 1 });
    case 'prev-step':
      return one(s, { type: 'step', delta: -1 });
    case 'hint':
      return overlay('hint');
    case 'solution':
      return overlay('solution');
    case 'help':
      return overlay('help');
    case 'close': {
      const closed = s.ui.overlay !== 'none' ? ui(s, { type: 'overlay', overlay: 'none' }) : s.ui.predict ? ui(s, { type: 'predict-toggle' }) : s;
      return none({ ...closed, scroll: null });
    }
    case 'home':
      return { state: s, effects: [{ type: 'abort-traffic' }, { type: 'home' }] };
    case 'quit':
      return { state: s, effects: [{ type: 'abort-traffic' }, { type: 'quit' }] };
  }
}

// explanation → config → response → explanation, skipping what the step does not have.
function nextTab(t: Tab, c: KeyContext): Tab {
  const order: Tab[] = ['explain', ...(c.hasConfig ? (['config'] as const) : []), ...(c.hasResponse ? (['response'] as const) : [])];
  return order[(order.indexOf(t) + 1) % order.length] ?? 'explain';
}

// Keys while the request prompt is open: it takes every key but Ctrl+C; enter sends the line and shows the
// response pane.
function promptKey(s: ScreenState, p: KeyPress): KeyResult {
  const a = promptKeyAction(p.input, p.key);
  if (!a) return { state: s, effects: [] };
  const request = promptReducer(s.request, a);
  if (a.type === 'prompt-submit' && s.request.prompt && isDockerLine(s.request.prompt.text)) {
    return { state: { ...s, request }, effects: [{ type: 'docker-line', line: request.request }] };
  }
  if (a.type === 'prompt-submit' && s.request.prompt && s.request.prompt.text.trim() !== '') {
    return { state: { ...ui(s, { type: 'overlay', overlay: 'none' }), request, tab: 'response', scroll: null }, effects: [{ type: 'send-line', line: request.request }] };
  }
  return { state: { ...s, request }, effects: [] };
}

// Keys while the inline editor is open: line moves, one-line edits, insert/delete, save, leave.
function inlineKey(s: ScreenState, ed: InlineEditor, p: KeyPress, c: ScreenContext): KeyResult {
  const { input, key } = p;
  const apply = (a: InlineAction): KeyResult => ({ state: { ...s, inline: inlineReducer(ed, a) }, effects: [] });
  if (ed.edit) {
    if (key.return) return apply({ type: 'commit' });
    if (key.escape) return apply({ type: 'cancel' });
    if (key.leftArrow) return apply({ type: 'col', delta: -1 });
    if (key.rightArrow) return apply({ type: 'col', delta: 1 });
    if (key.home || (key.ctrl && input === 'a')) return apply({ type: 'home' });
    if (key.end || (key.ctrl && input === 'e')) return apply({ type: 'end' });
    // Terminals send DEL (0x7f) for the backspace key, which ink names "delete".
    if (key.backspace || key.delete) return apply({ type: 'backspace' });
    if (!key.ctrl && !key.meta && input && !key.upArrow && !key.downArrow && !key.tab) return apply({ type: 'type', text: input.replace(/[\r\n]/g, '') });
    return { state: s, effects: [] };
  }
  if (key.upArrow || input === 'k') return apply({ type: 'move', delta: -1 });
  if (key.downArrow || input === 'j') return apply({ type: 'move', delta: 1 });
  if (key.pageUp) return apply({ type: 'move', delta: -page(c) });
  if (key.pageDown) return apply({ type: 'move', delta: page(c) });
  if (key.home) return apply({ type: 'move', delta: -ed.lines.length });
  if (key.end) return apply({ type: 'move', delta: ed.lines.length });
  if (key.return) return apply({ type: 'begin' });
  if (input === 'o') return apply({ type: 'insert-below' });
  if (input === 'D') return apply({ type: 'delete-line' });
  if (input === 's' || (key.ctrl && input === 's')) {
    return { state: { ...s, inline: { ...ed, dirty: false } }, effects: [{ type: 'save-inline', text: inlineText(ed) }] };
  }
  if (key.escape || input === 'q') {
    const left: ScreenState = { ...s, inline: null };
    return { state: ed.dirty ? say(left, 'Inline edits dropped (not saved): s saves them.', 'warn') : left, effects: [] };
  }
  return { state: s, effects: [] };
}

// The screen after the inline editor opened on text (cursor on the given line).
export function withInline(s: ScreenState, ed: InlineEditor): ScreenState {
  return { ...ui(s, { type: 'overlay', overlay: 'none' }), inline: ed };
}
