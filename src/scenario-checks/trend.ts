/** Small statistics for the checks that judge a trend over a run. */

/** Least-squares slope of `value` over `tS` (seconds), per minute; undefined with fewer than 3 points. */
export function slopePerMinute(points: { tS: number; value: number }[]): number | undefined {
  const n = points.length;
  if (n < 3) return undefined;
  let sumT = 0;
  let sumV = 0;
  for (const p of points) {
    sumT += p.tS;
    sumV += p.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.tS - meanT) * (p.value - meanV);
    variance += (p.tS - meanT) ** 2;
  }
  return variance === 0 ? undefined : (covariance / variance) * 60;
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
