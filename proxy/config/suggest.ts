// "did you mean ... maybe ?": HAProxy's cfg_find_best_match() (src/cfgparse.c) compares words by their
// letter-transition fingerprints (src/tools.c make_word_fingerprint); we do the same so the hints agree.

function fingerprint(word: string): Uint8Array {
  const fp = new Uint8Array(1024);
  let from = 28;
  for (const ch of word.toLowerCase()) {
    const code = ch.charCodeAt(0);
    const to = code >= 97 && code <= 122 ? code - 96 : code >= 48 && code <= 57 ? 27 : 28;
    fp[to] = 1;
    fp[32 * from + to]!++;
    from = to;
  }
  fp[32 * from + 28]!++;
  return fp;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

// The candidate closest to word, or undefined when none is close enough (HAProxy's thresholds).
export function bestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const sig = fingerprint(word);
  let best: string | undefined;
  let bestDist = Number.MAX_SAFE_INTEGER;
  for (const c of candidates) {
    const d = distance(sig, fingerprint(c));
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  if (best === undefined || bestDist > 2 * word.length || bestDist > 2 * best.length) return undefined;
  return best;
}

// The hint text HAProxy appends, or undefined.
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const best = bestMatch(word, candidates);
  return best === undefined ? undefined : `did you mean '${best}' maybe ?`;
}
