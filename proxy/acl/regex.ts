// Regex patterns: HAProxy compiles them with PCRE2; we use JS RegExp and word compile errors as PCRE2 does
// (message and offset) for the errors people actually make, so config messages match haproxy's.

/** Compiles a pattern (-i → case-insensitive; a leading "(?i)" too, as in PCRE); an error text otherwise. */
export function compileRegex(pattern: string, icase: boolean): RegExp | string {
  let source = pattern;
  let flags = icase ? 'i' : '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const [why, at] = pcreWording(pattern, e instanceof Error ? e.message : String(e));
    return `regex '${pattern}' is invalid (error=${why}, erroffset=${at})`;
  }
}

// Index of the first ')' without an opening partner (escapes and classes skipped).
function unmatchedClose(p: string): number {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return i;
  }
  return 0;
}

// Index of a quantifier with nothing to repeat (at the start, or after '(', '|' or another quantifier).
function danglingQuantifier(p: string): number {
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?') && (i === 0 || '(|'.includes(p[i - 1]!) || (c !== '?' && '*+'.includes(p[i - 1]!)))) return i;
  }
  return 0;
}

function pcreWording(p: string, jsMessage: string): [string, number] {
  const m = jsMessage.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  if (/Unterminated character class/i.test(m)) return ['missing terminating ] for character class', p.length];
  if (/Unterminated group/i.test(m)) return ['missing closing parenthesis', p.length];
  if (/\\ at end of pattern/i.test(m)) return ['\\ at end of pattern', p.length];
  if (/Unmatched '\)'/i.test(m)) return ['unmatched closing parenthesis', unmatchedClose(p)];
  if (/Nothing to repeat/i.test(m)) return ['quantifier does not follow a repeatable item', danglingQuantifier(p)];
  if (/numbers out of order/i.test(m)) {
    const q = /\{(\d+),(\d+)\}/g;
    for (let r = q.exec(p); r; r = q.exec(p)) if (Number(r[1]) > Number(r[2])) return ['numbers out of order in {} quantifier', r.index + r[0].length - 1];
    return ['numbers out of order in {} quantifier', 0];
  }
  if (/Range out of order/i.test(m)) {
    const r = /(\\?.)-(\\?.)/g;
    for (let x = r.exec(p); x; x = r.exec(p)) if (x[1]!.slice(-1) > x[2]!.slice(-1)) return ['range out of order in character class', x.index + x[0].length - 1];
    return ['range out of order in character class', 0];
  }
  return [m.charAt(0).toLowerCase() + m.slice(1), 0];
}
