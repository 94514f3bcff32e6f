// Small, line-exact edits of a learner's config text: what the `W` key writes when live weights should become
// part of the file. Only the named line changes; comments and spacing elsewhere stay as the learner wrote them.

// The text with `weight N` set on the server line at `line` (1-based): replaces an existing weight, else adds
// one right after the server's address. Throws when that line is not a server line.
export function setServerWeight(text: string, line: number, weight: number): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const raw = lines[line - 1];
  if (raw === undefined) throw new Error(`line ${line} is past the end of the file (${lines.length} lines)`);
  const [code, comment = ''] = splitComment(raw);
  const m = /^(\s*server\s+\S+\s+\S+)(.*)$/.exec(code);
  if (!m) throw new Error(`line ${line} is not a server line: ${raw.trim()}`);
  const rest = m[2]!;
  const next = /(^|\s)weight\s+\S+/.test(rest) ? rest.replace(/(^|\s)weight\s+\S+/, `$1weight ${weight}`) : ` weight ${weight}${rest}`;
  lines[line - 1] = m[1]! + next + comment;
  return lines.join(eol);
}

// Code and "# comment" of a config line (a '#' inside quotes is not a comment).
function splitComment(raw: string): [string, string] {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      let j = i;
      while (j > 0 && /\s/.test(raw[j - 1]!)) j--;
      return [raw.slice(0, j), raw.slice(j)];
    }
  }
  return [raw, ''];
}
