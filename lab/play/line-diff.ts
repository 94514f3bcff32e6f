// A unified diff of two texts by lines (longest common subsequence), and its inverse: applying such a diff.
// Transcripts show each reload as a diff and `lab play --replay` rebuilds the config from them.

// The diff of a → b as unified hunks with `context` lines around each change; '' when they are equal.
export function unifiedDiff(a: string, b: string, context = 2): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { op: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push({ op: ' ', text: x[i]!, ai: i++, bi: j++ });
    else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ op: '+', text: y[j]!, ai: i, bi: j++ });
    else ops.push({ op: '-', text: x[i]!, ai: i++, bi: j });
  }
  const changed = ops.map((o, k) => (o.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) end = Math.min(ops.length - 1, changed[++k]! + context);
    k++;
    const hunk = ops.slice(start, end + 1);
    const aStart = hunk[0]!.ai;
    const bStart = hunk[0]!.bi;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`);
    for (const o of hunk) out.push(`${o.op}${o.text}`);
  }
  return out.join('\n');
}

// Applies a unifiedDiff() result to a; throws (naming the hunk) when a does not match it.
export function applyDiff(a: string, diff: string): string {
  if (diff.trim() === '') return a;
  const x = a.split('\n');
  const out: string[] = [];
  let pos = 0;
  const lines = diff.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[k]!);
    if (!h) continue;
    const start = Number(h[1]) - 1;
    while (pos < start) out.push(x[pos++]!);
    for (k++; k < lines.length && !lines[k]!.startsWith('@@'); k++) {
      const l = lines[k]!;
      const op = l[0];
      const text = l.slice(1);
      if (op === '+') out.push(text);
      else if (op === ' ' || op === '-') {
        if (x[pos] !== text) throw new Error(`the diff does not apply at line ${pos + 1}: expected ${JSON.stringify(text)}, found ${JSON.stringify(x[pos])}`);
        if (op === ' ') out.push(text);
        pos++;
      }
    }
    k--;
  }
  while (pos < x.length) out.push(x[pos++]!);
  return out.join('\n');
}
