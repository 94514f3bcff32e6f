// The playground's keys: the request prompt (typing, ↑↓ history, enter sends, esc drops), the inline editor
// (handed to its own handler), else the key table. Only turns keys into actions; it does nothing itself.
import { useInput, type Key } from 'ink';
import type { PlaygroundAction, PlaygroundUi } from '../state/playground.ts';
import { promptKeyAction } from '../state/request-prompt.ts';
import { playBindingFor, type PlayKeyAction, type PlayKeyContext } from '../state/play-keys.ts';

export interface PlaygroundInput {
  readonly ui: PlaygroundUi;
  readonly ctx: PlayKeyContext;
  readonly dispatch: (a: PlaygroundAction) => void;
  /** A key table action, or 'submit' when the prompt's line is to be sent. */
  readonly act: (a: PlayKeyAction | 'submit', input: string) => void;
  /** Set while the inline editor is open: it takes every key. */
  readonly inlineKey: ((input: string, key: Key) => void) | null;
  readonly onCtrlC: () => void;
  readonly active: boolean;
}

// Subscribes to the terminal's keys while `active`.
export function usePlaygroundInput(p: PlaygroundInput): void {
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        p.onCtrlC();
        return;
      }
      p.dispatch({ type: 'key' });
      if (p.ui.prompt) {
        const pa = promptKeyAction(input, key);
        if (pa?.type === 'prompt-submit') p.act('submit', '');
        else if (pa) p.dispatch(pa);
        return;
      }
      if (p.inlineKey) {
        p.inlineKey(input, key);
        return;
      }
      // keys that arrive together ("jj") come as one input: each one counts
      const chars = input.length > 1 && !/[^\x20-\x7e]/.test(input) ? Array.from(input) : [input];
      for (const ch of chars) {
        const b = playBindingFor(ch, key, p.ctx);
        if (b) p.act(b.action, ch);
      }
    },
    { isActive: p.active },
  );
}
