// The runtime API's commands over an Engine, answering as HAProxy 2.6's CLI answers (src/cli.c, src/server.c
// cli_parse_get_weight / _set_weight / _set_server / _disable_server / _enable_server, src/proxy.c,
// src/stats.c): same words, same error sentences, same permission levels.
import type { Engine } from '../api.ts';
import type { ProxySpec, ServerSpec } from '../config/model.ts';
import { renderStatsCsv } from '../stats/csv.ts';
import { staticWeightError } from '../balance/balancer.ts';
import { isDynamic } from '../balance/algorithms.ts';
import { findCommand, usageMessage, type CliLevel } from './usage.ts';
import { castSample } from '../sample/cast.ts';
import { parseVarName, typeOfValue } from '../sample/vars.ts';
import type { SampleType } from '../sample/sample.ts';

// HAProxy's smp_to_type names, as `get var` prints them.
const VAR_TYPE_NAMES: Record<SampleType, string> = { bool: 'bool', int: 'sint', ip: 'ipv4', str: 'str', bin: 'bin', meth: 'meth', any: 'any' };
import { MAP_COMMAND_WORDS, runMapCommand } from './map-commands.ts';
import { LAB_VERSION, renderServersState, renderShowBackend, renderShowInfo } from './views.ts';
import { runTableCommand } from './table-commands.ts';
import { runSetVar } from './var-commands.ts';

export interface CommandOutcome {
  /** The text to print before the post-command newline (may be empty). */
  readonly output: string;
  /** "quit": close the connection without printing anything. */
  readonly quit?: boolean;
  /** "prompt": toggle interactive mode. */
  readonly togglePrompt?: boolean;
}

export interface CommandContext {
  /** The socket's `level`; HAProxy's default is operator. */
  readonly level?: CliLevel;
  readonly now?: () => number;
}

export interface CommandProcessor {
  /** Runs one command (one line or one ';'-separated part), with the payload that followed a trailing "<<". */
  run(command: string, payload?: string): CommandOutcome;
}

const LEVELS: Record<CliLevel, number> = { user: 0, operator: 1, admin: 2 };

// Splits a command into words as cli_parse_request() does: spaces and tabs separate, a backslash escapes
// the next character ("\\" keeps one backslash).
export function splitArgs(command: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < command.length) {
    while (i < command.length && (command[i] === ' ' || command[i] === '\t')) i++;
    if (i >= command.length) break;
    let word = '';
    while (i < command.length && command[i] !== ' ' && command[i] !== '\t') {
      if (command[i] === '\\') {
        if (i + 1 < command.length) word += command[i + 1];
        i += 2;
        continue;
      }
      word += command[i];
      i++;
    }
    args.push(word);
  }
  return args;
}

/** The answer of server_parse_weight_change_request(): the new absolute weight, or HAProxy's message. */
export type WeightChange = { readonly weight: number } | { readonly error: string };

// Parses "N" or "N%" against the initial weight and the algorithm, with HAProxy's checks and wording.
export function parseWeightChange(text: string | undefined, initialWeight: number, dynamic: boolean): WeightChange {
  if (!text) return { error: 'Require <weight> or <weight%>.\n' };
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  if (!m) return { error: 'Empty weight string empty or preceded by garbage' };
  let w = Number(m[1]);
  const end = text.slice(m[0].length);
  if (end === '%') {
    if (w < 0) return { error: 'Relative weight must be positive.\n' };
    if (w > 25600) w = 25600;
    w = Math.trunc((initialWeight * w) / 100);
    if (w > 256) w = 256;
  } else if (w < 0 || w > 256) {
    return { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' };
  } else if (end !== '') {
    return { error: 'Trailing garbage in weight string' };
  }
  const refused = staticWeightError(dynamic, initialWeight, w);
  return refused ? { error: `${refused}\n` } : { weight: w };
}

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';

const UNSUPPORTED_SET_SERVER = new Set(['addr', 'agent-addr', 'agent-port', 'check-addr', 'check-port', 'fqdn', 'ssl']);

// Builds the processor for one socket (its level) over the engine.
export function createCommandProcessor(engine: Engine, ctx: CommandContext = {}): CommandProcessor {
  const level = LEVELS[ctx.level ?? 'operator'];
  const now = ctx.now ?? Date.now;

  const findBackend = (name: string): ProxySpec | undefined => {
    if (name.startsWith('#')) {
      const id = Number(name.slice(1));
      return [...engine.config.backends.values()].find((b) => b.id === id);
    }
    return engine.config.backends.get(name);
  };

  // cli_find_server(): "backend/server" → the specs, or HAProxy's error sentence.
  const findServer = (arg: string | undefined): { be: ProxySpec; sv: ServerSpec } | { error: string } => {
    const text = arg ?? '';
    const slash = text.indexOf('/');
    if (slash < 0 || slash === text.length - 1 || slash === 0) return { error: "Require 'backend/server'.\n" };
    const be = findBackend(text.slice(0, slash));
    if (!be) return { error: 'No such backend.\n' };
    const name = text.slice(slash + 1);
    const sv = name.startsWith('#') ? be.servers.find((s) => s.id === Number(name.slice(1))) : be.servers.find((s) => s.name === name);
    if (!sv) return { error: 'No such server.\n' };
    return { be, sv };
  };

  const attempt = (fn: () => void): CommandOutcome => {
    try {
      fn();
      return { output: '' };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return { output: msg.endsWith('\n') ? msg : msg + '\n' };
    }
  };

  const currentUserWeight = (be: string, sv: string, fallback: number): number =>
    engine.snapshot().backends.find((b) => b.name === be)?.servers.find((s) => s.name === sv)?.weight ?? fallback;

  const setWeight = (be: ProxySpec, sv: ServerSpec, text: string | undefined): CommandOutcome => {
    const change = parseWeightChange(text, sv.weight, isDynamic(be.balance));
    if ('error' in change) return { output: change.error };
    return attempt(() => engine.setWeight(be.name, sv.name, change.weight));
  };

  const requireAdmin = (): CommandOutcome | null => (level < LEVELS.admin ? { output: 'Permission denied\n' } : null);
  // experimental-mode, kept for the connection as appctx->cli_level keeps it
  let experimental = false;

  function run(command: string, payload?: string): CommandOutcome {
    const all = splitArgs(command);
    // "<<" ends the arguments: what follows the line is the payload
    const cut = all.indexOf('<<');
    const args = cut >= 0 ? all.slice(0, cut) : all;
    const cmd = findCommand(args);
    if (args[0] === 'quit') return { output: '', quit: true };
    if (args[0] === 'prompt') return { output: '', togglePrompt: true };
    if (args[0] === 'experimental-mode') {
      const denied = requireAdmin();
      if (denied) return denied;
      if (!args[1]) return { output: `experimental-mode is ${experimental ? 'ON' : 'OFF'}\n` };
      experimental = args[1] === 'on';
      return { output: '' };
    }
    if (args[0] === 'help' || !cmd) return { output: usageMessage(args, experimental) };
    if (cmd.experimental && !experimental) return { output: 'This command is restricted to experimental mode only.\n' };

    const words = cmd.words.join(' ');
    if (MAP_COMMAND_WORDS.includes(words)) return { output: runMapCommand(args, engine.config.patterns, cut >= 0 ? payload ?? '' : undefined) };
    switch (words) {
      case 'show info':
        return { output: renderShowInfo(engine.snapshot(), engine.config, now()) };
      case 'show version':
        return { output: LAB_VERSION + '\n' };
      case 'show stat': {
        const flags = new Set(args.slice(2));
        return {
          output: renderStatsCsv(engine.snapshot(), { config: engine.config, now: now(), upOnly: flags.has('up'), noMaint: flags.has('no-maint') }),
        };
      }
      case 'show backend':
        return { output: renderShowBackend(engine.snapshot()) };
      case 'show servers state': {
        const be = args[3];
        const name = be ? findBackend(be)?.name : undefined;
        if (be && !name) return { output: "Can't find backend.\n" };
        return { output: renderServersState(engine.snapshot(), engine.config, now(), name) ?? "Can't find backend.\n" };
      }
      case 'get var': {
        // vars_parse_cli_get_var: only proc.* variables exist outside a stream
        const name = args[2];
        if (!name) return { output: 'Missing process-wide variable identifier.\n' };
        const v = parseVarName(name);
        const value = 'error' in v || v.scope !== 'proc' ? undefined : engine.procVar(v.name);
        if (value === undefined) return { output: 'Variable not found.\n' };
        const type = typeOfValue(value);
        const text = castSample(value, type, 'str');
        // no newline of its own: the socket shows the value line followed by the one blank line only
        return { output: `${name}: type=${VAR_TYPE_NAMES[type]} value=<${String(text)}>` };
      }
      case 'set var':
        if (level < LEVELS.operator) return { output: 'Permission denied\n' };
        return { output: runSetVar(args, engine) };
      case 'show table':
      case 'clear table':
      case 'set table':
        return { output: runTableCommand(args, { tables: () => [...engine.stickTables().values()].reverse(), canSeeEntries: level >= LEVELS.operator }) };
      case 'get weight': {
        const found = findServer(args[2]);
        if ('error' in found) return { output: found.error };
        return { output: `${currentUserWeight(found.be.name, found.sv.name, found.sv.weight)} (initial ${found.sv.weight})\n` };
      }
      case 'set weight': {
        const denied = requireAdmin();
        if (denied) return denied;
        const found = findServer(args[2]);
        if ('error' in found) return { output: found.error };
        return setWeight(found.be, found.sv, args[3]);
      }
      case 'disable server':
      case 'enable server': {
        const denied = requireAdmin();
        if (denied) return denied;
        const found = findServer(args[2]);
        if ('error' in found) return { output: found.error };
        return attempt(() => engine.setServerAdmin(found.be.name, found.sv.name, args[0] === 'disable' ? 'maint' : 'ready'));
      }
      case 'set server': {
        const denied = requireAdmin();
        if (denied) return denied;
        const found = findServer(args[2]);
        if ('error' in found) return { output: found.error };
        const { be, sv } = found;
        const what = args[3] ?? '';
        const value = args[4] ?? '';
        if (what === 'weight') return setWeight(be, sv, value);
        if (what === 'state') {
          if (value === 'ready' || value === 'drain' || value === 'maint') return attempt(() => engine.setServerAdmin(be.name, sv.name, value));
          return { output: "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n" };
        }
        if (what === 'health') {
          if (value === 'up' || value === 'down') return attempt(() => engine.setServerHealth(be.name, sv.name, value));
          if (value === 'stopping') return { output: "'set server <srv> health stopping' is not supported by HAProxy Lab; use 'up' or 'down'.\n" };
          return { output: "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n" };
        }
        if (what === 'agent' || what === 'agent-send') return { output: 'agent checks are not enabled on this server.\n' };
        if (what === 'fqdn') {
          // cli_parse_set_server's refusals; a new name for a resolved server is not built (the resolver would re-ask)
          if (value === '') return { output: 'set server <b>/<s> fqdn requires a FQDN.\n' };
          if (sv.resolvers === undefined) return { output: 'set server <b>/<s> fqdn failed because no resolution is configured.\n' };
        }
        if (UNSUPPORTED_SET_SERVER.has(what)) {
          return { output: `'set server <srv> ${what}' is not supported by HAProxy Lab; supported: health | state | weight.\n` };
        }
        return { output: SET_SERVER_USAGE };
      }
      default:
        return { output: usageMessage(args, experimental) };
    }
  }

  return { run };
}
