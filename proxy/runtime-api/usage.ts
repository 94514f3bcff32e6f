// The command table and the help/"Unknown command" answers, built as HAProxy 2.6 builds them
// (src/cli.c cli_gen_usage_msg, src/tools.c update_word_fingerprint / word_fingerprint_distance):
// exact leading words narrow the list, the rest is matched by a fingerprint of letter transitions,
// and the usage lines are HAProxy's own, sorted, followed by help/prompt/quit.
import { MAP_USAGES } from './map-commands.ts';

export type CliLevel = 'user' | 'operator' | 'admin';

export interface CommandEntry {
  /** Keywords as HAProxy registers them, e.g. ["show", "servers", "state"]. */
  readonly words: readonly string[];
  /** HAProxy's usage line, padded as it prints it. */
  readonly usage: string;
  /** ACCESS_EXPERIMENTAL: listed, and run, only once `experimental-mode on` was sent on the connection. */
  readonly experimental?: true;
}

/** The commands this runtime API answers, with HAProxy 2.6's usage lines verbatim. */
export const COMMANDS: readonly CommandEntry[] = [
  { words: ['clear', 'table'], usage: 'clear table <table> [<filter>]*         : remove an entry from a table (filter: data/key)' },
  { words: ['disable', 'server'], usage: "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)" },
  { words: ['enable', 'server'], usage: "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)" },
  { words: ['get', 'var'], usage: 'get var <name>                          : retrieve contents of a process-wide variable' },
  { words: ['get', 'weight'], usage: "get weight <bk>/<srv>                   : report a server's current weight" },
  { words: ['set', 'var'], usage: 'set var <name> [fmt|expr] {<fmt>|<expr>}: set variable from an expression or a format', experimental: true },
  { words: ['set', 'table'], usage: "set table <table> key <k> [data.* <v>]* : update or create a table entry's data" },
  { words: ['set', 'server'], usage: "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl" },
  { words: ['set', 'weight'], usage: "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)" },
  { words: ['show', 'backend'], usage: 'show backend                            : list backends in the current running config' },
  { words: ['show', 'info'], usage: 'show info [desc|json|typed|float]*      : report information about the running process' },
  { words: ['show', 'servers', 'state'], usage: 'show servers state [<backend>]          : dump volatile server information (all or for a single backend)' },
  { words: ['show', 'stat'], usage: 'show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server' },
  { words: ['show', 'table'], usage: "show table <table> [<filter>]*          : report table usage stats or dump this table's contents (filter: data/key)" },
  { words: ['show', 'version'], usage: 'show version                            : show version of the current process' },
  ...MAP_USAGES,
];

const ALL_COMMANDS = COMMANDS;

const ALWAYS = [
  '  help [<command>]                        : list matching or all commands',
  '  prompt                                  : toggle interactive mode with prompt',
  '  quit                                    : disconnect',
].join('\n') + '\n';

/** HAProxy's CLI_PREFIX_KW_NB and CLI_MAX_MATCHES. */
const PREFIX_WORDS = 5;
const MAX_MATCHES = 5;

// The entry whose keywords are all the leading args, or undefined (cli_find_kw).
export function findCommand(args: readonly string[]): CommandEntry | undefined {
  return COMMANDS.find((c) => c.words.every((w, i) => args[i] === w));
}

// update_word_fingerprint(): counts transitions between character classes (letters, digit, other, begin/end).
function addFingerprint(fp: Uint8Array, word: string): void {
  let from = 28;
  for (const ch of word) {
    const c = ch.toLowerCase();
    let to: number;
    if (c >= 'a' && c <= 'z') to = c.charCodeAt(0) - 96;
    else if (c >= '0' && c <= '9') to = 27;
    else to = 28;
    fp[to] = 1;
    fp[32 * from + to] = (fp[32 * from + to]! + 1) & 0xff;
    from = to;
  }
  fp[32 * from + 28] = (fp[32 * from + 28]! + 1) & 0xff;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

// The usage message for a command that did not match, or for "help [words]" (cli_gen_usage_msg).
export function usageMessage(rawArgs: readonly string[], experimental = false): string {
  const COMMANDS = ALL_COMMANDS.filter((c) => experimental || !c.experimental);
  let args = rawArgs;
  const isHelp = args[0] === 'help';
  if (isHelp) args = args.slice(1);
  const present = (i: number): boolean => args[i] !== undefined && args[i] !== '';

  // The number of leading words some command matches exactly.
  let length = 0;
  for (const c of COMMANDS) {
    for (let i = 0; i < Math.min(PREFIX_WORDS, c.words.length); i++) {
      if (!present(i) || c.words[i] !== args[i]) break;
      if (i + 1 > length) length = i + 1;
    }
  }

  let head: string;
  if (isHelp) head = 'The following commands are valid at this level:\n';
  else if (!length && !present(0)) head = 'Unknown command. Please enter one of the following commands only:\n';
  else head = 'Unknown command, but maybe one of the following ones is a better match:\n';

  const prefixMatches = (c: CommandEntry): boolean => {
    for (let i = 0; i < length; i++) {
      if (c.words[i] === undefined || !present(i) || c.words[i] !== args[i]) return false;
    }
    return true;
  };

  let entries: CommandEntry[] = [];
  const matches: { c: CommandEntry; dist: number }[] = [];
  if (present(length)) {
    for (const c of COMMANDS) {
      if (!prefixMatches(c)) continue;
      const wordSig = new Uint8Array(1024);
      const listSig = new Uint8Array(1024);
      let total = 0;
      for (let i = length; i < PREFIX_WORDS && present(i); i++) {
        addFingerprint(wordSig, args[i]!);
        total += args[i]!.length;
      }
      for (let i = length; i < PREFIX_WORDS && i < c.words.length; i++) {
        addFingerprint(listSig, c.words[i]!);
        total += c.words[i]!.length;
      }
      const dist = distance(wordSig, listSig);
      if (dist < Math.trunc((5 * total) / 2)) matches.push({ c, dist });
    }
    // Stable sort keeps registration order among equal distances, as the insertion in cli.c does.
    matches.sort((a, b) => a.dist - b.dist);
    matches.splice(MAX_MATCHES);
  }
  if (matches.length > 0) {
    const best = matches[0]!.dist;
    for (const m of matches) {
      if (m.dist > Math.trunc((5 * best) / 2)) break;
      entries.push(m.c);
    }
  } else {
    entries = COMMANDS.filter(prefixMatches);
  }
  entries.sort((a, b) => (a.usage < b.usage ? -1 : a.usage > b.usage ? 1 : 0));
  return head + entries.map((e) => `  ${e.usage}\n`).join('') + ALWAYS;
}
