// Splits haproxy.cfg text into lines of words the way HAProxy 2.6's parse_line() does (src/tools.c):
// '#' comments (also mid-line), backslash escapes, single and double quotes, "${VAR}" / "$VAR" expanded inside
// double quotes, "${VAR-default}" and "${VAR[*]}" word expansion. A trailing backslash does NOT continue a line.
import type { Diagnostic, Word } from './diagnostics.ts';

export interface ConfigLine {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The words after unquoting, escaping and variable expansion; never empty. */
  readonly words: readonly Word[];
  /** The line as written (without the line feed), for messages. */
  readonly raw: string;
}

export interface TokenizeOptions {
  /** Environment for "${VAR}"; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** HAProxy alerts when a file's last line has no line feed; in-memory text (an editor buffer) is exempt. */
  readonly requireFinalNewline?: boolean;
}

export interface TokenizeResult {
  readonly lines: readonly ConfigLine[];
  readonly diagnostics: readonly Diagnostic[];
}

class LineError extends Error {
  constructor(readonly kind: string, readonly index: number) {
    super(kind);
  }
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

// Splits one line (already without its line feed) into words; throws LineError on a syntax error.
export function splitLine(
  raw: string,
  env: Readonly<Record<string, string | undefined>>,
  meta: { file: string; line: number } = { file: '', line: 0 },
): { text: string; col: number }[] {
  const words: { text: string; col: number }[] = [];
  let cur = '';
  let curCol = -1;
  let squote = false;
  let dquote = false;
  let quoteAt = -1;
  let i = 0;
  while (i < raw.length && isSpace(raw[i]!)) i++;
  const start = (at: number): void => {
    if (curCol < 0) curCol = at + 1;
  };
  const flush = (): void => {
    if (curCol >= 0) words.push({ text: cur, col: curCol });
    cur = '';
    curCol = -1;
  };
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\n' || c === '\0') break;
    if (c === '#' && !squote && !dquote) break;
    if (c === '"' && !squote) {
      start(i);
      dquote = !dquote;
      quoteAt = dquote ? i : -1;
      i++;
      continue;
    }
    if (c === "'" && !dquote) {
      start(i);
      squote = !squote;
      quoteAt = squote ? i : -1;
      i++;
      continue;
    }
    if (c === '\\' && !squote) {
      start(i);
      const n = raw[i + 1];
      let send = '\\';
      let adv = 1;
      if (n === ' ' || n === '\\') (send = n), (adv = 2);
      else if (n === 't') (send = '\t'), (adv = 2);
      else if (n === 'n') (send = '\n'), (adv = 2);
      else if (n === 'r') (send = '\r'), (adv = 2);
      else if (n === '#' || n === "'" || n === '"') (send = n), (adv = 2);
      else if (n === '$' && dquote) (send = '$'), (adv = 2);
      else if (n === 'x') {
        if (!isHex(raw[i + 2]) || !isHex(raw[i + 3])) throw new LineError('hex', i);
        send = String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16));
        adv = 4;
      }
      cur += send;
      i += adv;
      continue;
    }
    if (isSpace(c) && !squote && !dquote) {
      flush();
      while (i < raw.length && isSpace(raw[i]!)) i++;
      continue;
    }
    if (c === '$' && dquote) {
      start(i);
      i++;
      let brace = -1;
      if (raw[i] === '{') brace = i++;
      if (!/[A-Za-z_.]/.test(raw[i] ?? '')) throw new LineError('varname', i);
      const nameStart = i;
      if (raw[i] === '.') i++;
      while (i < raw.length && /[A-Za-z0-9_]/.test(raw[i]!)) i++;
      const name = raw.slice(nameStart, i);
      let value: string | undefined;
      if (name.startsWith('.')) {
        if (name === '.LINE') value = String(meta.line);
        else if (name === '.FILE') value = meta.file;
        else throw new LineError('varname', nameStart);
      } else value = env[name];
      let expand = false;
      if (raw[i] === '[' && brace >= 0) {
        if (raw[i + 1] !== '*' || raw[i + 2] !== ']') throw new LineError('expand', i);
        expand = true;
        i += 3;
      }
      if (brace >= 0) {
        if (raw[i] === '-') {
          const close = raw.indexOf('}', i);
          if (close < 0) throw new LineError('brace', brace);
          if (value === undefined) value = raw.slice(i + 1, close);
          i = close;
        } else if (raw[i] !== '}') throw new LineError('brace', brace);
        i++;
      }
      if (value !== undefined) {
        if (expand) {
          const parts = value.split(/[ \t]+/);
          parts.forEach((p, k) => {
            if (k > 0) {
              flush();
              start(i - 1);
            }
            cur += p;
          });
        } else cur += value;
      }
      continue;
    }
    start(i);
    cur += c;
    i++;
  }
  if (quoteAt >= 0) throw new LineError('quote', quoteAt);
  flush();
  return words;
}

const LINE_ERRORS: Record<string, string> = {
  quote: 'unmatched quote',
  brace: 'unmatched brace in environment variable name',
  varname: 'forbidden first char in environment variable name',
  hex: 'truncated or invalid hexadecimal sequence',
  expand: 'truncated or invalid word expansion sequence',
};

// Tokenizes a whole file's text; syntax errors become alerts worded like HAProxy's readcfgfile().
export function tokenize(text: string, file: string, options: TokenizeOptions = {}): TokenizeResult {
  const env = options.env ?? process.env;
  const lines: ConfigLine[] = [];
  const diagnostics: Diagnostic[] = [];
  const raws = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) raws.pop();
  raws.forEach((raw, index) => {
    const line = index + 1;
    const loc = { file, line, col: 1 };
    // HAProxy reads with fgets(): an embedded NUL ends what it sees of the line.
    const nul = raw.indexOf('\0');
    if (nul >= 0) {
      diagnostics.push({
        severity: 'alert',
        message: `Stray NUL character at position ${nul + 1}.`,
        loc,
        form: 'parsing-tight',
      });
    }
    const visible = nul >= 0 ? raw.slice(0, nul) : raw;
    const stripped = visible.endsWith('\r') ? visible.slice(0, -1) : visible;
    try {
      const words = splitLine(stripped, env, { file, line });
      // Like HAProxy, a line whose first word is empty (e.g. `"" x`) counts as empty.
      if (words.length > 0 && words[0]!.text !== '') {
        lines.push({ file, line, raw: stripped, words: words.map((w) => ({ text: w.text, loc: { file, line, col: w.col } })) });
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      const trimmed = stripped.replace(/^[ \t\v\f\r]+/, '');
      const lead = stripped.length - trimmed.length;
      const pos = e.index - lead;
      diagnostics.push({
        severity: 'alert',
        message: `${LINE_ERRORS[e.kind]} at position ${e.index + 1}:\n  ${trimmed}\n  ${' '.repeat(pos)}^`,
        loc: { file, line, col: e.index + 1 },
        form: 'parsing-tight',
      });
    }
  });
  if (options.requireFinalNewline && text.length > 0 && !endsWithNewline) {
    diagnostics.push({
      severity: 'alert',
      message: `Missing LF on last line, file might have been truncated at position ${raws[raws.length - 1]!.length + 1}.`,
      loc: { file, line: raws.length, col: 1 },
      form: 'parsing-tight',
    });
  }
  return { lines, diagnostics };
}
