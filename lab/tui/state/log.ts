// The log pane's finished lines. Items only ever get appended, so <Static> prints each one once.
export type Tone = 'plain' | 'ok' | 'bad' | 'warn' | 'dim' | 'accent';

export interface LogItem {
  readonly id: number;
  readonly text: string;
  readonly tone: Tone;
}

export interface LogState {
  readonly items: readonly LogItem[];
  readonly nextId: number;
  /** Bumped when old items are dropped: <Static> keyed by it starts over with only unprinted items. */
  readonly epoch: number;
}

export type LogAction = { readonly type: 'append'; readonly lines: readonly { readonly text: string; readonly tone: Tone }[] };

/** Bounds memory; <Static> has printed older lines already and the terminal's scrollback keeps them. */
export const LOG_KEEP = 2000;

// An empty log.
export function initialLog(): LogState {
  return { items: [], nextId: 1, epoch: 0 };
}

// Appends lines, numbering them. Past LOG_KEEP the printed ones are dropped all at once and the epoch moves on,
// because <Static> remembers how many items it printed, not which.
export function logReducer(state: LogState, action: LogAction): LogState {
  if (action.lines.length === 0) return state;
  let id = state.nextId;
  const added = action.lines.map((l) => ({ id: id++, text: l.text, tone: l.tone }));
  if (state.items.length + added.length > LOG_KEEP) return { items: added.slice(-LOG_KEEP), nextId: id, epoch: state.epoch + 1 };
  return { items: state.items.concat(added), nextId: id, epoch: state.epoch };
}
