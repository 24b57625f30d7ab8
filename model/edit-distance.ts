// "Did you mean …?" suggestions: optimal string alignment distance (Levenshtein plus
// adjacent transpositions, so `imgae` is one edit from `image`), case-insensitive.

export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[s.length]![t.length]!;
}

/** The closest candidate within a length-dependent distance, ties broken by name; or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of [...candidates].sort()) {
    // The distance is at least the difference in length: most candidates need no table at
    // all (a file of thousands of long unknown keys spent seconds here).
    if (c === word || Math.abs(c.length - word.length) > limit) continue;
    const dist = editDistance(word, c);
    if (dist <= limit && dist < word.length && dist < bestDist) {
      best = c;
      bestDist = dist;
    }
  }
  return best;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean "${c}"?`;
}
