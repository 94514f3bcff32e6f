// Every key of the playground screen as data (the episode screen's KeyBinding shape): the footer lists those that
// work now, the help pane lists them all, the input hook dispatches through the same table.
import type { PressedKey } from './keys.ts';

export type PlayKeyAction =
  | 'send' | 'prompt' | 'burst' | 'explain' | 'config' | 'unsupported' | 'edit' | 'inline-edit' | 'reload'
  | 'select-next' | 'select-prev' | 'weight-up' | 'weight-down' | 'toggle-server' | 'compare' | 'write'
  | 'scroll-up' | 'scroll-down' | 'help' | 'close' | 'quit' | 'predict' | 'guess';

export interface PlayKeyContext {
  readonly hasServers: boolean;
  readonly hasAnswer: boolean;
  readonly hasUnsupported: boolean;
  readonly canCompare: boolean;
  readonly paneOpen: boolean;
  readonly busy: boolean;
  readonly predicting: boolean;
}

export interface PlayKeyBinding {
  readonly action: PlayKeyAction;
  readonly label: string;
  readonly does: string;
  readonly chars: readonly string[];
  readonly named?: readonly ('upArrow' | 'downArrow' | 'return' | 'escape' | 'tab' | 'pageUp' | 'pageDown')[];
  readonly short?: string;
  readonly when: (c: PlayKeyContext) => boolean;
}

const always = (): boolean => true;

export const playKeys: readonly PlayKeyBinding[] = [
  { action: 'prompt', label: ':', does: 'type a request as curl (-X -H -A -d -b -u -i --interface, -n N, -c C); ↑↓ history', short: ': request', chars: [':', '/'], when: (c) => !c.busy },
  { action: 'send', label: 'space', does: 'send the last request again', short: 'space resend', chars: [' '], named: ['return'], when: (c) => !c.busy },
  { action: 'burst', label: 'b', does: 'send the last request 20 times', short: 'b x20', chars: ['b'], when: (c) => !c.busy },
  { action: 'predict', label: 'p', does: 'predict mode on/off: guess which server answers, then see', short: 'p predict', chars: ['p'], when: (c) => c.hasServers && !c.busy },
  { action: 'guess', label: '1-9', does: 'in predict mode: guess the server, the last request goes', short: '1-9 guess', chars: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], when: (c) => c.predicting && !c.busy },
  { action: 'explain', label: 'x', does: 'explain the last answer (ACLs, rule, balancer)', short: 'x explain', chars: ['x'], when: (c) => c.hasAnswer },
  { action: 'compare', label: 'v', does: 'real haproxy beside the engine on/off (both answers, differences marked)', short: 'v vs haproxy', chars: ['v'], when: (c) => c.canCompare && !c.busy },
  { action: 'config', label: 'tab', does: 'config pane (errors at their line) / response pane', short: 'tab config', chars: [], named: ['tab'], when: always },
  { action: 'unsupported', label: 'U', does: 'the keywords the lab ignores, with their line', short: 'U ignored', chars: ['U'], when: (c) => c.hasUnsupported },
  { action: 'edit', label: 'e', does: 'edit the config in $EDITOR; applied live when valid', short: 'e edit', chars: ['e'], when: always },
  { action: 'inline-edit', label: 'i', does: 'edit the config right here', short: 'i inline', chars: ['i'], when: always },
  { action: 'reload', label: 'r', does: 'reload the config file', short: 'r reload', chars: ['r'], when: always },
  { action: 'select-next', label: '↓', does: 'select next server', short: '↑↓ server', chars: ['j'], named: ['downArrow'], when: (c) => c.hasServers },
  { action: 'select-prev', label: '↑', does: 'select previous server', short: '↑↓ server', chars: ['k'], named: ['upArrow'], when: (c) => c.hasServers },
  { action: 'weight-up', label: '+', does: 'raise its weight (live)', short: '+- weight', chars: ['+', '='], when: (c) => c.hasServers },
  { action: 'weight-down', label: '-', does: 'lower its weight (live)', short: '+- weight', chars: ['-', '_'], when: (c) => c.hasServers },
  { action: 'toggle-server', label: 's', does: 'stop/start its stand-in', short: 's stop/start', chars: ['s'], when: (c) => c.hasServers },
  { action: 'write', label: 'w', does: 'write the session transcript (Markdown)', short: 'w write', chars: ['w'], when: always },
  { action: 'scroll-up', label: 'pgup', does: 'scroll the pane up', short: 'pgup/dn', chars: ['<'], named: ['pageUp'], when: always },
  { action: 'scroll-down', label: 'pgdn', does: 'scroll the pane down', short: 'pgup/dn', chars: ['>'], named: ['pageDown'], when: always },
  { action: 'help', label: '?', does: 'help: every key', short: '? help', chars: ['?'], when: always },
  { action: 'close', label: 'esc', does: 'back to the response pane', short: 'esc close', chars: [], named: ['escape'], when: (c) => c.paneOpen },
  { action: 'quit', label: 'q', does: 'quit (stops every stand-in and haproxy)', short: 'q quit', chars: ['q'], when: always },
];

// The binding a keypress triggers in this context.
export function playBindingFor(input: string, key: PressedKey, ctx: PlayKeyContext): PlayKeyBinding | undefined {
  if (key.ctrl || (key.meta && !key.escape)) return undefined;
  for (const b of playKeys) {
    const hit = b.named?.some((n) => key[n]) || (input !== '' && b.chars.includes(input));
    if (hit) return b.when(ctx) ? b : undefined;
  }
  return undefined;
}

// The footer's keys: help, the prompt and quit first, then table order, one per short label.
export function playFooterKeys(ctx: PlayKeyContext): string[] {
  const active = playKeys.filter((b) => b.when(ctx));
  const pinned = active.filter((b) => b.action === 'prompt' || b.action === 'help' || b.action === 'quit' || b.action === 'close');
  return [...new Set([...pinned, ...active.filter((b) => !pinned.includes(b))].map((b) => b.short ?? `${b.label} ${b.does}`))];
}

// docs/play-keys.md: every key of the playground with what it does.
export function playKeysMarkdown(): string {
  return [
    '# Keys of the playground (`lab play`)',
    '',
    'The footer lists the keys that work right now; this is all of them.',
    '',
    '| Key | What it does |',
    '| --- | --- |',
    ...playKeys.map((b) => `| ${[b.label, ...b.chars.filter((c) => c !== b.label && c !== ' ' && !/^[0-9]$/.test(c))].map((k) => `\`${k}\``).join(' / ')} | ${b.does} |`),
    '| `Ctrl+C` | stops running requests; a second press quits |',
    '',
    'In the request prompt (`:`): type a curl command line, `enter` sends it, `↑`/`↓` walk the history, `esc` drops it.',
    'In the inline editor (`i`): as on the episode screen (`↑`/`↓`, `enter` edits a line, `o`, `D`, `s` saves and applies).',
    '',
  ].join('\n');
}
