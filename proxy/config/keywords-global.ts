// The "global" section's keywords (src/cfgparse-global.c, src/cli.c for "stats socket", src/thread.c).
import { hostname } from 'node:os';
import type { LineContext } from './context.ts';
import { BIND_KEYWORDS, GLOBAL_KEYWORDS } from './known-keywords.ts';
import { parseLog } from './log-target.ts';
import { PLAIN_FORMAT, tryRuleFormat } from '../sample/rule-format.ts';
import { usableAt } from '../sample/places.ts';
import { compileSampleExpr } from '../sample/sample-expr.ts';
import { parseVarName, VarStore } from '../sample/vars.ts';
import { sourceName } from '../http/actions/var-actions.ts';
import { bestMatch, didYouMean } from './suggest.ts';
import { parseTime } from './units.ts';
import { GLOBAL_SSL_HANDLERS } from './keywords-ssl.ts';

type GlobalKeyword = (c: LineContext) => void;

// "set-var proc.NAME EXPR" / "set-var-fmt proc.NAME FMT" (vars_parse_global_set_var): evaluated once, while the
// configuration is read, so only constants and earlier proc variables can be used.
function globalSetVar(c: LineContext): void {
  const kw = c.arg(0);
  if (c.arg(1) === '' || c.arg(2) === '') {
    c.alert(`'${kw}' requires a process-wide variable name ('proc.<name>') and a ${kw === 'set-var' ? 'sample expression' : 'format string'}.`);
    return;
  }
  const variable = parseVarName(c.arg(1));
  if ('error' in variable) {
    c.alert(`'${kw}' : ${variable.error}.`);
    return;
  }
  if (variable.scope !== 'proc') {
    c.alert(`'${kw}': cannot set variable '${c.arg(1)}', only scope 'proc' is permitted in the global section.`);
    return;
  }
  const store = new VarStore('proc');
  for (const [k, v] of c.state.global.procVars) store.set(k, v);
  const ctx = { src: '', srcPort: 0, dst: '', dstPort: 0, vars: { proc: store } };
  if (kw === 'set-var-fmt') {
    const f = tryRuleFormat(c.arg(2), { ...c.sampleScope, checkAt: ['cfg'] }, PLAIN_FORMAT);
    if ('error' in f) {
      c.alert(f.error);
      return;
    }
    c.state.global.procVars.set(variable.name, f.format(ctx));
    return;
  }
  const expr = compileSampleExpr(c.arg(2), c.sampleScope);
  if ('error' in expr) {
    c.alert(`${expr.error}`);
    return;
  }
  if (!usableAt(expr.source, 'cfg')) {
    c.alert(`fetch method 'set-var(${c.arg(1)})' extracts information from '${sourceName(expr.source)}', none of which is available here`);
    return;
  }
  const value = expr.evaluateSample(ctx);
  if (value !== undefined) c.state.global.procVars.set(variable.name, value);
}

// "maxconn 4096"-style integers: HAProxy only checks that a word is present, then atol()s it.
function integer(c: LineContext, apply: (n: number) => void): void {
  if (c.tooManyArgs(1)) return;
  if (c.arg(1) === '') {
    c.alert(`'${c.arg(0)}' expects an integer argument.`);
    return;
  }
  apply(Number.parseInt(c.arg(1), 10) || 0);
}

// Keywords HAProxy accepts that change nothing in the lab (process management, privileges, paths); a missing
// argument gets HAProxy's message.
function accepted(maxArgs: number, missing?: string): GlobalKeyword {
  return (c) => {
    if (c.tooManyArgs(maxArgs)) return;
    if (missing !== undefined && c.arg(1) === '') c.alert(missing.replace('%s', c.arg(0)));
  };
}

const STATS_SOCKET_LEVELS = ['user', 'operator', 'admin'] as const;

function statsKeyword(c: LineContext): void {
  const sub = c.arg(1);
  if (sub === 'socket') {
    if (c.arg(2) === '') {
      c.alert(`'stats socket' in global section expects an address or a path to a UNIX socket`);
      return;
    }
    let level: (typeof STATS_SOCKET_LEVELS)[number] = 'operator';
    // The options are bind options; HAProxy quotes these messages oddly (''level' ...'), and so do we.
    for (let i = 3; i < c.count; i++) {
      const opt = c.arg(i);
      const nargs = BIND_KEYWORDS[opt];
      if (nargs === undefined) {
        const best = bestMatch(opt, Object.keys(BIND_KEYWORDS));
        c.alert(`'stats socket' : unknown keyword '${opt}'.${best ? ` Did you mean '${best}' maybe ?` : ''}`, { at: c.word(i) });
        return;
      }
      if (opt === 'level') {
        const v = c.arg(i + 1);
        if (v === '') {
          c.alert(`'stats socket' : ''level' : missing level'`, { at: c.word(i) });
          return;
        }
        if (!(STATS_SOCKET_LEVELS as readonly string[]).includes(v)) {
          c.alert(`'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '${v}')'`, { at: c.word(i) });
          return;
        }
        level = v as typeof level;
      }
      i += Math.max(0, nargs);
    }
    c.state.global.statsSockets.push({ address: c.arg(2), level, loc: c.loc });
    return;
  }
  if (sub === 'timeout') {
    const t = parseTime(c.arg(2));
    if (!t.ok) {
      c.alert('badChar' in t ? `'stats timeout' : unexpected character '${t.badChar}'` : `timer overflow in argument '${c.arg(2)}' to 'stats timeout' (maximum value is 2147483647 ms or ~24.8 days)`);
    }
    return;
  }
  if (sub === 'maxconn') {
    if (!(Number.parseInt(c.arg(2), 10) > 0)) c.alert(`'stats maxconn' expects a positive value`);
    return;
  }
  if (sub === 'bind-process') {
    c.unsupported(`'stats bind-process'`);
    return;
  }
  c.alert(`'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '${sub}')`);
}

export const GLOBAL_HANDLERS: Readonly<Record<string, GlobalKeyword>> = {
  log(c) {
    const r = parseLog(c.args, c.kwm === 'no', true, c.state.env);
    if (r.kind === 'error') c.alert(`log : ${r.message}`);
    else if (r.kind === 'unsupported') c.unsupported(r.what);
    else if (r.kind === 'clear') c.state.global.logs.length = 0;
    else if (r.kind === 'target') c.state.global.logs.push(r.target);
  },
  maxconn(c) {
    integer(c, (n) => (c.state.global.maxconn = n));
  },
  'log-tag'(c) {
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`'log-tag' expects a tag for use in syslog.`);
      return;
    }
    c.state.global.logTag = c.arg(1);
  },
  // "localpeer NAME": the local peer's name, unless -L gave it or a peers section was already read.
  localpeer(c) {
    if (c.tooManyArgs(1)) return;
    if (c.arg(1) === '') {
      c.alert(`'localpeer' expects a name as an argument.`);
      return;
    }
    if (c.state.global.localPeerFromCmdline) {
      c.warn(`'localpeer' ignored since it is already set by using the '-L' command line argument.`);
      return;
    }
    if (c.state.global.peersSeen) {
      c.warn(`'localpeer' ignored since it is used after 'peers' section.`);
      return;
    }
    c.state.global.localPeer = c.arg(1);
  },
  'log-send-hostname'(c) {
    if (c.tooManyArgs(1)) return;
    c.state.global.logSendHostname = c.arg(1) !== '' ? c.arg(1) : hostname();
  },
  nbthread(c) {
    if (c.tooManyArgs(1)) return;
    const n = /^\d+$/.test(c.arg(1)) ? Number(c.arg(1)) : NaN;
    if (Number.isNaN(n)) {
      c.alert(`'nbthread' passed a missing or unparsable integer value in '${c.arg(1)}'`);
      return;
    }
    if (n < 1 || n > 64) {
      c.alert(`'nbthread' value must be between 1 and 64 (was ${n})`);
      return;
    }
    c.state.global.nbthread = n;
  },
  'tune.bufsize'(c) {
    integer(c, (n) => {
      if (n <= 0) c.alert(`'tune.bufsize' expects a positive integer argument.`);
      else c.state.global.bufsize = n;
    });
  },
  'tune.http.maxhdr'(c) {
    integer(c, (n) => {
      if (n < 1 || n > 32767) c.alert(`'tune.http.maxhdr' expects a numeric value between 1 and 32767`);
      else c.state.global.maxhdr = n;
    });
  },
  stats: statsKeyword,
  'set-var': globalSetVar,
  'set-var-fmt': globalSetVar,
  ...GLOBAL_SSL_HANDLERS,
  daemon: accepted(0),
  'master-worker': accepted(1),
  quiet: accepted(0),
  user: accepted(1),
  group: accepted(1),
  uid: accepted(1, "'%s' expects an integer argument."),
  gid: accepted(1, "'%s' expects an integer argument."),
  chroot: accepted(1, "'%s' expects a directory as an argument."),
  pidfile: accepted(1, "'%s' expects a file name as an argument."),
  description: () => undefined,
  node: accepted(1),
  nbproc(c) {
    c.alert(
      'nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.',
    );
  },
};

// Dispatches one global line; unknown keywords alert with HAProxy's hint, known-but-unimplemented ones warn.
export function parseGlobalLine(c: LineContext): void {
  const kw = c.arg(0);
  const handler = GLOBAL_HANDLERS[kw];
  if (handler) {
    handler(c);
    return;
  }
  if (GLOBAL_KEYWORDS.includes(kw)) {
    c.unsupported(`'${kw}'`);
    return;
  }
  const hint = didYouMean(kw, GLOBAL_KEYWORDS);
  c.alert(`unknown keyword '${kw}' in 'global' section`, { hint });
}
