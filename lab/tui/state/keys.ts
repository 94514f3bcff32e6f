// Every key of the episode screen as data: the footer lists those that work right now, the help overlay and
// docs/keys.md list them all, and the screen's input hook dispatches through the same table.
export type KeyAction =
  | 'fire'
  | 'prompt'
  | 'burst'
  | 'next-request'
  | 'checks'
  | 'edit'
  | 'inline-edit'
  | 'next-file'
  | 'reload'
  | 'select-next'
  | 'select-prev'
  | 'weight-up'
  | 'weight-down'
  | 'write-weights'
  | 'toggle-backend'
  | 'reset-step'
  | 'legend'
  | 'more-keys'
  | 'explain'
  | 'predict'
  | 'guess'
  | 'tab'
  | 'scroll-up'
  | 'scroll-down'
  | 'next-step'
  | 'prev-step'
  | 'hint'
  | 'solution'
  | 'help'
  | 'close'
  | 'home'
  | 'quit';

/** What decides which keys work now. */
export interface KeyContext {
  readonly hasEngine: boolean;
  readonly hasServers: boolean;
  readonly hasConfig: boolean;
  /** How many learner files a Docker step edits (`f` moves between them); 0 on a config step. */
  readonly fileCount?: number;
  readonly hasChecks: boolean;
  readonly predicting: boolean;
  readonly overlayOpen: boolean;
  readonly canNext: boolean;
  readonly canPrev: boolean;
  readonly hasHint: boolean;
  readonly hasSolution: boolean;
  readonly busy: boolean;
  readonly hasLastRequest: boolean;
  /** How many different requests (experiments) the step has. */
  readonly requests: number;
  /** Live weights differ from the config file (W would write them in). */
  readonly hasLiveWeights?: boolean;
  /** The last answer has an HAProxy log line to explain field by field. */
  readonly hasLogLine?: boolean;
  /** A typed request has an answer: the response pane can show. */
  readonly hasResponse?: boolean;
  /** A Docker step: the prompt also takes the document's `docker build` / `docker run`. */
  readonly docker?: boolean;
}

export interface KeyBinding {
  readonly action: KeyAction;
  /** As shown to the learner. */
  readonly label: string;
  /** What it does, in a few words. */
  readonly does: string;
  /** Input characters that trigger it (ink's `input`), and named keys (ink's Key flags). */
  readonly chars: readonly string[];
  readonly named?: readonly ('upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'return' | 'escape' | 'tab' | 'pageUp' | 'pageDown')[];
  /** How the footer shows it (pairs share one entry, e.g. "↑↓ select"); default label + does. */
  readonly short?: string;
  /** Whether the footer lists it now, and whether pressing it does something. */
  readonly when: (c: KeyContext) => boolean;
}

const always = (): boolean => true;

export const episodeKeys: readonly KeyBinding[] = [
  { action: 'fire', label: 'space', does: 'send one request (the step’s curl)', short: 'space request', chars: [' '], named: ['return'], when: (c) => !c.predicting },
  { action: 'prompt', label: ':', does: 'type a request as curl (-X -H -A -d -b -u -i, -n N, -c C): the response pane shows status, who answered, headers, body; on a Docker step also the document\'s docker build / docker run', short: ': type request', chars: [':'], when: (c) => (c.hasServers || c.docker === true) && !c.predicting },
  { action: 'burst', label: 'b', does: 'send a burst of requests, one after another', short: 'b burst', chars: ['b'], when: (c) => !c.predicting },
  { action: 'next-request', label: 'u', does: 'next request of the step (the URL space sends)', short: 'u next URL', chars: ['u'], when: (c) => c.requests > 1 && !c.predicting },
  { action: 'checks', label: 'c', does: 'run the step’s experiments and checks', short: 'c check', chars: ['c'], when: (c) => c.hasChecks && !c.busy },
  { action: 'guess', label: '1-9', does: 'in predict mode: guess which server answers next', short: '1-9 guess', chars: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], when: (c) => c.predicting && c.hasServers },
  { action: 'predict', label: 'p', does: 'predict mode on/off (guess, then see)', short: 'p predict', chars: ['p'], when: (c) => c.hasEngine && c.hasServers },
  { action: 'explain', label: 'x', does: 'explain the last request (ACLs, rule, balancer)', short: 'x explain', chars: ['x'], when: (c) => c.hasLastRequest },
  { action: 'edit', label: 'e', does: 'edit the config (on a Docker step: the file f selected) in $EDITOR; a config applies live when valid', short: 'e edit', chars: ['e'], when: (c) => c.hasConfig },
  { action: 'inline-edit', label: 'i', does: 'edit the config (or the selected file) right here (no editor needed)', short: 'i inline edit', chars: ['i'], when: (c) => c.hasConfig },
  { action: 'next-file', label: 'f', does: 'next file of yours to edit (Dockerfile, .dockerignore, app.py...)', short: 'f next file', chars: ['f'], when: (c) => (c.fileCount ?? 0) > 1 },
  { action: 'reload', label: 'r', does: 'reload the config file (if watching missed a save)', short: 'r reload', chars: ['r'], when: (c) => c.hasConfig && (c.fileCount ?? 0) === 0 },
  { action: 'select-next', label: '↓', does: 'select next server', short: '↑↓ server', chars: ['j'], named: ['downArrow'], when: (c) => c.hasServers },
  { action: 'select-prev', label: '↑', does: 'select previous server', short: '↑↓ server', chars: ['k'], named: ['upArrow'], when: (c) => c.hasServers },
  { action: 'weight-up', label: '+', does: 'raise its weight (live)', short: '+- weight', chars: ['+', '='], when: (c) => c.hasEngine && c.hasServers },
  { action: 'weight-down', label: '-', does: 'lower its weight (live)', short: '+- weight', chars: ['-', '_'], when: (c) => c.hasEngine && c.hasServers },
  { action: 'write-weights', label: 'W', does: 'write the live weights into your config file', short: 'W write weights', chars: ['W'], when: (c) => c.hasConfig && c.hasLiveWeights === true },
  { action: 'toggle-backend', label: 's', does: 'stop/start its backend app', short: 's stop/start', chars: ['s'], when: (c) => c.hasServers },
  { action: 'tab', label: 'tab', does: 'switch explanation/config/response', short: 'tab pane', chars: [], named: ['tab'], when: (c) => (c.hasConfig || c.hasResponse === true) && !c.overlayOpen },
  { action: 'scroll-up', label: 'pgup', does: 'scroll the pane up', short: 'pgup/dn scroll', chars: ['<'], named: ['pageUp'], when: always },
  { action: 'scroll-down', label: 'pgdn', does: 'scroll the pane down', short: 'pgup/dn scroll', chars: ['>'], named: ['pageDown'], when: always },
  { action: 'next-step', label: '→', does: 'next step', short: '←→ step', chars: ['n'], named: ['rightArrow'], when: (c) => c.canNext },
  { action: 'prev-step', label: '←', does: 'previous step', short: '←→ step', chars: ['N'], named: ['leftArrow'], when: (c) => c.canPrev },
  { action: 'hint', label: 'h', does: 'hint for the task', short: 'h hint', chars: ['h'], when: (c) => c.hasHint },
  { action: 'solution', label: 'o', does: 'show the solution config', short: 'o solution', chars: ['o'], when: (c) => c.hasSolution },
  { action: 'legend', label: 'l', does: 'legend: every field of the last log line', short: 'l log legend', chars: ['l'], when: (c) => c.hasLogLine === true },
  { action: 'reset-step', label: 'R', does: 'put this step’s starting config back (asks first)', short: 'R reset step', chars: ['R'], when: (c) => c.hasConfig },
  { action: 'more-keys', label: 'm', does: 'more keys: the footer’s next page', short: 'm more keys', chars: ['m'], when: always },
  { action: 'help', label: '?', does: 'help: every key', short: '? help', chars: ['?'], when: always },
  { action: 'close', label: 'esc', does: 'close the pane / leave predict mode', short: 'esc close', chars: [], named: ['escape'], when: (c) => c.overlayOpen || c.predicting },
  { action: 'home', label: 'H', does: 'back to the episode list', short: 'H home', chars: ['H'], when: always },
  { action: 'quit', label: 'q', does: 'quit (stops every backend it started)', short: 'q quit', chars: ['q'], when: always },
];

/** The subset of ink's Key this table reads. */
export interface PressedKey {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly tab?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

// The binding a keypress triggers, if it is one that works in this context.
export function bindingFor(input: string, key: PressedKey, ctx: KeyContext): KeyBinding | undefined {
  // ink reports escape with meta set; other meta/ctrl chords are not ours.
  if (key.ctrl || (key.meta && !key.escape)) return undefined;
  for (const b of episodeKeys) {
    const hit = b.named?.some((n) => key[n]) || (input !== '' && b.chars.includes(input));
    if (hit) return b.when(ctx) ? b : undefined;
  }
  return undefined;
}

// The keys the footer lists now: "? help" and "q quit" first (they must never be cut), then table order,
// one entry per short label.
export function footerKeys(ctx: KeyContext): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // "m more keys" is the footer's own: it shows only when the keys need more than one page.
  const active = episodeKeys.filter((b) => b.when(ctx) && b.action !== 'more-keys');
  const pinned = active.filter((b) => b.action === 'close' || b.action === 'help' || b.action === 'quit');
  for (const b of [...pinned, ...active.filter((x) => !pinned.includes(x))]) {
    const s = b.short ?? `${b.label} ${b.does}`;
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

// docs/keys.md: every key with what it does and when it works.
export function keysMarkdown(): string {
  const rows = episodeKeys.map((b) => {
    const extra = [...b.chars.filter((c) => c !== b.label && c !== ' ' && !/^[0-9]$/.test(c)), ...(b.named ?? []).map(namedLabel).filter((n) => n !== b.label)];
    const keys = [b.label, ...extra].map((k) => `\`${k}\``).join(' / ');
    return `| ${keys} | ${b.does} |`;
  });
  return [
    '# Keys of the lab',
    '',
    '`npm start` (or `lab`) opens the home screen: `↑`/`↓` choose an episode, `enter` opens it, `q` quits.',
    '`lab open EPISODE` goes straight to an episode. On the episode screen the footer lists the keys that work',
    'right now (when they do not fit, `m` shows its next page); this is all of them. Keys typed faster than the',
    'screen redraws (key repeat, a paste) each count: `jj` moves two rows, `bb` sends two bursts.',
    '',
    '| Key | What it does |',
    '| --- | --- |',
    ...rows,
    '| `Ctrl+C` | stops running traffic; a second press quits |',
    '',
    'In the inline editor (`i`, and `e` when `EDITOR` is not set): `↑`/`↓` choose a line, `enter` edits it (`←`/`→`',
    'and `home`/`end` move, `enter` keeps, `esc` drops), `o` adds a line below, `D` deletes the line, `s` saves and',
    'applies, `esc` leaves.',
    '',
    'The request prompt (`:`) takes a curl command line, as `lab curl` does: `-X -H -A -d -b -u -i --interface`,',
    '`-n N` times with `-c C` at once, the documents\' `localhost` addresses mapped to the lab\'s ports. `enter` sends',
    'it, `esc` drops it, `↑`/`↓` bring back earlier ones. The response pane shows the last answer: status line and who',
    'answered, the headers that matter first, the body (`pgdn` for the rest); `x` explains it, `tab` goes back to the',
    'explanation and config. In EP 4\'s Flask form step `curl -X POST http://localhost/submit` shows app2 answering',
    '"Form submitted successfully!", and `curl -X GET http://localhost/submit` app1 answering a 404 (its only page is /).',
    'On a Docker step the prompt also takes the document\'s `docker build -t TAG .` of an image the step builds (EP 2\'s',
    '`haproxy-tcp` from `Dockerfile.haproxy`, with or without `-f`) and EP 10\'s `docker run -p 5000:5000 flask-docker-app`:',
    'the build\'s steps go to the log pane, the container is published on a free 127.0.0.1 port (said in the status line;',
    '`curl http://localhost:5000/` at the prompt reaches it) and stays up until you leave the step. Other docker',
    'commands are answered with what the step takes.',
    '',
    'Your config is kept per episode and step (next to progress.json, in `work/EPISODE/STEP/`): it comes back when',
    'you reopen the step, also after quitting; `R` (twice) or `lab reset EPISODE --step ID` puts the starting one back.',
    'Weights changed with `+`/`-` are live only, as with HAProxy\'s runtime API: a reload (and `c`, which reloads the',
    'file) drops them, and `W` writes them into your file.',
    '',
    'Quitting stops every backend the lab started. Without a terminal (no TTY), use `lab run EPISODE` instead.',
    '',
  ].join('\n');
}

function namedLabel(n: string): string {
  return ({ upArrow: '↑', downArrow: '↓', leftArrow: '←', rightArrow: '→', return: 'enter', escape: 'esc', tab: 'tab', pageUp: 'pgup', pageDown: 'pgdn' } as Record<string, string>)[n] ?? n;
}
