// HAProxy 2.6's config-level directives (readcfgfile() in src/cfgparse.c, src/cfgcond.c): .if/.elif/.else/.endif
// blocks with their condition language, and .notice/.warning/.alert/.diag messages.
import type { Diagnostic, SourceLoc, Word } from './diagnostics.ts';

/** What the lab answers for version_atleast()/version_before() and feature(). */
export const HAPROXY_VERSION = '2.6.12';
const FEATURES = new Set(['ACCEPT4', 'BACKTRACE', 'CPU_AFFINITY', 'CRYPT_H', 'DL', 'EPOLL', 'GETADDRINFO', 'LIBCRYPT', 'LINUX_SPLICE', 'LINUX_TPROXY', 'LUA', 'NETFILTER', 'NS', 'OPENSSL', 'OT', 'PCRE2', 'PCRE2_JIT', 'POLL', 'PRCTL', 'PROMEX', 'RT', 'SLZ', 'SYSTEMD', 'TFO', 'THREAD', 'THREAD_DUMP', 'TPROXY']);
const PREDICATES: Readonly<Record<string, number>> = {
  defined: 1, feature: 1, streq: 2, strneq: 2, version_atleast: 1, version_before: 1,
  openssl_version_atleast: 1, openssl_version_before: 1, ssllib_name_startswith: 1,
};

class CondError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

// Compares dotted versions numerically: <0 when a < b.
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// Evaluates a .if expression (cfg_eval_condition): terms, '!', '&&', '||', parentheses; throws CondError.
export function evalCondition(text: string, env: Readonly<Record<string, string | undefined>>): boolean {
  let i = 0;
  const skip = (): void => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const term = (): boolean => {
    skip();
    const start = i;
    let neg = false;
    while (text[i] === '!') {
      neg = !neg;
      i++;
      skip();
    }
    const num = /^[+-]?(0x[0-9a-fA-F]+|\d+)/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return neg !== (Number(num[0]) !== 0);
    }
    if (text[i] === '(') {
      i++;
      const v = expr();
      skip();
      if (text[i] !== ')') throw new CondError(`expected ')' after conditional expression '${text.slice(start)}'`, start);
      i++;
      skip();
      return neg !== v;
    }
    const name = Object.keys(PREDICATES).find((p) => text.startsWith(`${p}(`, i));
    if (!name) throw new CondError(`unparsable conditional expression '${text.slice(start)}'`, start);
    i += name.length + 1;
    const close = text.indexOf(')', i);
    if (close < 0) throw new CondError(`missing closing ')' in argument 1 of predicate '${name}' used in conditional expression`, i);
    const args = text.slice(i, close).split(',');
    if (args.length !== PREDICATES[name]) {
      throw new CondError(`expects ${PREDICATES[name]} argument(s) in argument 1 of predicate '${name}' used in conditional expression`, i);
    }
    i = close + 1;
    const a = args[0]!;
    let v: boolean;
    switch (name) {
      case 'defined': v = env[a] !== undefined; break;
      case 'feature': v = FEATURES.has(a); break;
      case 'streq': v = a === args[1]; break;
      case 'strneq': v = a !== args[1]; break;
      case 'version_atleast': v = compareVersions(HAPROXY_VERSION, a) >= 0; break;
      case 'version_before': v = compareVersions(HAPROXY_VERSION, a) < 0; break;
      default: v = false; // the lab links no SSL library
    }
    return neg !== v;
  };
  const and = (): boolean => {
    let v = term();
    skip();
    while (text.startsWith('&&', i)) {
      i += 2;
      const r = term();
      v = v && r;
      skip();
    }
    return v;
  };
  const expr = (): boolean => {
    let v = and();
    skip();
    while (text.startsWith('||', i)) {
      i += 2;
      const r = and();
      v = v || r;
      skip();
    }
    return v;
  };
  if (text === '') return false;
  const v = expr();
  skip();
  if (i < text.length) throw new CondError(`unexpected character '${text[i]}' at the end of conditional expression '${text}'`, i);
  return v;
}

type State = 'take' | 'drop' | 'skip' | 'else-take' | 'else-drop';

/** Tracks nested .if blocks for one file and reports the directives' messages. */
export class Directives {
  private readonly stack: State[] = [];

  constructor(
    private readonly diagnostics: Diagnostic[],
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  private report(severity: Diagnostic['severity'], message: string, loc: SourceLoc): void {
    diagnostics(this.diagnostics, severity, message, loc);
  }

  /** True while lines are masked out by a false .if branch. */
  get masked(): boolean {
    return this.stack.some((s) => s === 'drop' || s === 'skip' || s === 'else-drop');
  }

  private condition(words: readonly Word[], keyword: string): boolean | undefined {
    const text = words.slice(1).map((w) => w.text).join(' ');
    try {
      return evalCondition(text, this.env);
    } catch (e) {
      if (!(e instanceof CondError)) throw e;
      const pad = ' '.repeat(keyword.length + 1 + e.at);
      this.report('alert', `${e.message} in '${keyword}' at position ${e.at + 1}:\n  ${keyword} ${text}\n  ${pad}^`, words[0]!.loc);
      return undefined;
    }
  }

  // Handles a line whose first word starts with '.'; returns true when the line was a directive.
  handle(words: readonly Word[]): boolean {
    const kw = words[0]!.text;
    const loc = words[0]!.loc;
    const top = this.stack[this.stack.length - 1];
    switch (kw) {
      case '.if': {
        if (this.masked) {
          this.stack.push('skip');
          return true;
        }
        const v = this.condition(words, '.if');
        this.stack.push(v ? 'take' : 'drop');
        return true;
      }
      case '.elif': {
        if (!top) return this.lone(kw, loc);
        if (top === 'else-take' || top === 'else-drop') {
          this.report('alert', "'.elif' after '.else' is not permitted.", loc);
          return true;
        }
        if (top !== 'drop') {
          this.stack[this.stack.length - 1] = 'skip';
          return true;
        }
        const v = this.condition(words, '.elif');
        this.stack[this.stack.length - 1] = v ? 'take' : 'drop';
        return true;
      }
      case '.else':
        if (words.length > 1) return this.unexpected(words);
        if (!top) return this.lone(kw, loc);
        if (top === 'else-take' || top === 'else-drop') {
          this.report('alert', "'.else' after '.else' is not permitted.", loc);
          return true;
        }
        this.stack[this.stack.length - 1] = top === 'drop' ? 'else-take' : 'else-drop';
        return true;
      case '.endif':
        if (words.length > 1) return this.unexpected(words);
        if (!top) return this.lone(kw, loc);
        this.stack.pop();
        return true;
    }
    if (this.masked) return true;
    const levels: Record<string, Diagnostic['severity'] | 'diag'> = { '.alert': 'alert', '.warning': 'warning', '.notice': 'notice', '.diag': 'diag' };
    const level = levels[kw];
    if (!level) {
      this.report('alert', `unknown directive '${kw}'.`, loc);
      return true;
    }
    if (words.length > 2) {
      this.report('alert', `Unexpected argument '${words[2]!.text}' for '${kw}'. Use quotes if the message should contain spaces.`, loc);
      return true;
    }
    // .diag only speaks in HAProxy's diagnostic mode (-dD), which the lab does not have.
    if (level !== 'diag') this.report(level, `'${words[1]?.text ?? ''}'.`, loc);
    return true;
  }

  // At the end of a file: an open .if block is an error.
  finish(loc: SourceLoc): void {
    if (this.stack.length > 0) this.report('alert', "non-terminated '.if' block.", loc);
  }

  private lone(kw: string, loc: SourceLoc): true {
    this.report('alert', `lone '${kw}' with no matching '.if'.`, loc);
    return true;
  }

  private unexpected(words: readonly Word[]): true {
    this.report('alert', `Unexpected argument '${words[1]!.text}' for '${words[0]!.text}'.`, words[0]!.loc);
    return true;
  }
}

function diagnostics(out: Diagnostic[], severity: Diagnostic['severity'], message: string, loc: SourceLoc): void {
  out.push({ severity, message, loc, form: 'parsing-tight' });
}
