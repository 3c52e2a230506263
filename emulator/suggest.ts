// The known name nearest to a misspelt one, for "did you mean" hints in configuration errors.

/** Optimal string alignment distance: Levenshtein plus swapping two neighbours ("defualt" is 1 from "default"). */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The closest of `known` to `name`, ignoring case, or undefined when none is close: at most a third of the
 * name's characters differ (at least one), so a hint never points at an unrelated key.
 */
export function nearest(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const budget = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(wanted, k.toLowerCase());
    if (d <= budget && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` when a known name is close, else ''. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const n = nearest(name, known);
  return n === undefined ? '' : ` (did you mean "${n}"?)`;
}
