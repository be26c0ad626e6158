/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), as benchstat uses it to say whether two sets of
 * repeated runs differ beyond noise. Two-sided. Exact distribution for small samples without ties,
 * the normal approximation with tie correction otherwise. With 2 runs per side the smallest
 * possible p is 1/3, so such a comparison is never significant: repeat runs more to tell.
 */

/** Above this many pairs the normal approximation is used even without ties. */
const EXACT_MAX_PAIRS = 400;

export interface MannWhitneyResult {
  u: number;
  p: number;
}

/** Ranks of all values together, ties sharing their mean rank; returns the rank sum of `a`. */
function rankSumOfFirst(a: readonly number[], b: readonly number[]): { sum: number; tieTerm: number } {
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort(
    (x, y) => x.v - y.v,
  );
  let sum = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k].first) sum += rank;
    i = j + 1;
  }
  return { sum, tieTerm };
}

/** counts[u] = number of orderings of n1 + n2 values with statistic U = u (no ties). */
function exactCounts(n1: number, n2: number): number[] {
  // f(i, j) as arrays over u, built up from f(0, j) = f(i, 0) = [1].
  let prev: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let i = 1; i <= n1; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n2; j++) {
      const size = i * j + 1;
      const counts = new Array<number>(size).fill(0);
      const left = prev[j]; // f(i-1, j), shifted by j
      for (let u = 0; u < left.length; u++) counts[u + j] += left[u];
      const down = cur[j - 1]; // f(i, j-1)
      for (let u = 0; u < down.length; u++) counts[u] += down[u];
      cur.push(counts);
    }
    prev = cur;
  }
  return prev[n2];
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf; error below 1.5e-7, plenty for a noise call.
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: 1 };
  const { sum, tieTerm } = rankSumOfFirst(a, b);
  const u = sum - (n1 * (n1 + 1)) / 2;
  if (tieTerm === 0 && n1 * n2 <= EXACT_MAX_PAIRS) {
    const counts = exactCounts(n1, n2);
    const total = counts.reduce((s, c) => s + c, 0);
    let low = 0;
    let high = 0;
    for (let k = 0; k < counts.length; k++) {
      if (k <= u) low += counts[k];
      if (k >= u) high += counts[k];
    }
    return { u, p: Math.min(1, (2 * Math.min(low, high)) / total) };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1 };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))) };
}
