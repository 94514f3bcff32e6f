import { describe, expect, it } from 'vitest';
import { splitLine, tokenize } from '../../../proxy/config/tokenize.ts';

const words = (line: string, env: Record<string, string> = {}): string[] => splitLine(line, env).map((w) => w.text);

describe('tokenize', () => {
  it('splits on spaces and tabs and drops leading indentation', () => {
    expect(words('    server  s1\t127.0.0.1:80   weight 2')).toEqual(['server', 's1', '127.0.0.1:80', 'weight', '2']);
  });

  it('treats # as a comment start, also in the middle of a line', () => {
    expect(words('bind *:4000  # Bind to port 4000 for incoming TCP traffic')).toEqual(['bind', '*:4000']);
    expect(words('# only a comment')).toEqual([]);
  });

  it('keeps # and spaces inside quotes and after a backslash', () => {
    expect(words(`acl a hdr(x) "a # b" 'c d' e\\ f g\\#h`)).toEqual(['acl', 'a', 'hdr(x)', 'a # b', 'c d', 'e f', 'g#h']);
  });

  it('joins quoted and unquoted parts of one word', () => {
    expect(words(`log-format "%ci:%cp"' '[%t]`)).toEqual(['log-format', '%ci:%cp [%t]']);
  });

  it('does not treat a trailing backslash as a line continuation (HAProxy 2.6 has none)', () => {
    const r = tokenize('server s 127.0.0.1:80 \\\n  weight 3\n', 'x.cfg');
    expect(r.lines.map((l) => l.words.map((w) => w.text))).toEqual([['server', 's', '127.0.0.1:80', '\\'], ['weight', '3']]);
  });

  it('decodes \\t \\n \\r and \\xHH escapes', () => {
    expect(words('x a\\tb c\\x41d')).toEqual(['x', 'a\tb', 'cAd']);
  });

  it('expands ${VAR}, $VAR and ${VAR-default} inside double quotes only', () => {
    const env = { PORT: '8080', HOST: '127.0.0.1' };
    expect(words('bind "${HOST}:${PORT}"', env)).toEqual(['bind', '127.0.0.1:8080']);
    expect(words('bind "$HOST:$PORT"', env)).toEqual(['bind', '127.0.0.1:8080']);
    expect(words("bind '${HOST}' ${HOST}", env)).toEqual(['bind', '${HOST}', '${HOST}']);
    expect(words('bind "${NOPE-127.0.0.2}:81"', env)).toEqual(['bind', '127.0.0.2:81']);
    expect(words('x "${NOPE}"', env)).toEqual(['x', '']);
  });

  it('splits "${VAR[*]}" into several words', () => {
    expect(words('server s "${ARGS[*]}"', { ARGS: 'a:1 weight 3' })).toEqual(['server', 's', 'a:1', 'weight', '3']);
  });

  it('records the file, line and 1-based column of every word', () => {
    const r = tokenize('global\n  maxconn 100\n', 'h.cfg');
    expect(r.lines[1]!.words.map((w) => w.loc)).toEqual([
      { file: 'h.cfg', line: 2, col: 3 },
      { file: 'h.cfg', line: 2, col: 11 },
    ]);
  });

  it('skips blank lines and lines whose first word is empty, as HAProxy does', () => {
    const r = tokenize('\n   \n"" maxconn 1\n# c\nglobal\n', 'x.cfg');
    expect(r.lines.map((l) => l.line)).toEqual([5]);
  });

  it('reports an unmatched quote with its position and a caret, like HAProxy', () => {
    const r = tokenize('defaults\n  option "httplog\n', 'e.cfg');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      severity: 'alert',
      form: 'parsing-tight',
      loc: { file: 'e.cfg', line: 2 },
      message: 'unmatched quote at position 10:\n  option "httplog\n         ^',
    });
    expect(r.lines.map((l) => l.line)).toEqual([1]);
  });

  it('reports a bad variable name, an unclosed brace and a bad hex escape', () => {
    const r = tokenize('a "$1"\nb "${X"\nc \\xZZ\n', 'v.cfg');
    expect(r.diagnostics.map((d) => d.message.split(' at ')[0])).toEqual([
      'forbidden first char in environment variable name',
      'unmatched brace in environment variable name',
      'truncated or invalid hexadecimal sequence',
    ]);
  });

  it('alerts on a missing final line feed only for files', () => {
    expect(tokenize('global\n  maxconn 1', 'f.cfg', { requireFinalNewline: true }).diagnostics[0]?.message).toBe(
      'Missing LF on last line, file might have been truncated at position 12.',
    );
    expect(tokenize('global\n  maxconn 1', 'buffer').diagnostics).toEqual([]);
  });

  it('accepts CRLF line endings', () => {
    const r = tokenize('global\r\n  maxconn 1\r\n', 'w.cfg');
    expect(r.lines.map((l) => l.words.map((w) => w.text))).toEqual([['global'], ['maxconn', '1']]);
  });
});
