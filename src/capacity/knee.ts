/**
 * The knee of the latency-versus-throughput curve: where p99 leaves its flat, low-load level.
 *
 * Definition (also in docs/catalogue.md): take the measured steps in order of asked rate; the
 * low-load p99 is that of the lowest rate. The limit is twice the low-load p99, but at least the
 * low-load p99 + 0.5 ms, because at sub-millisecond latencies scheduling jitter alone doubles a p99.
 * The knee is the lowest asked rate from which every higher measured rate has a p99 above the limit:
 * one noisy step that recovers at the next rate is not a knee. With fewer than two steps, or when
 * the highest rate is still under the limit, there is no knee (the curve stayed flat).
 *
 * This is a rule a reader can check by eye in the table, rather than a "maximum curvature" fit that
 * a handful of points, unevenly spaced by bisection, cannot support.
 */

/** Added to the low-load p99 before a rise counts, ms. */
export const KNEE_MIN_RISE_MS = 0.5;
/** A p99 above this multiple of the low-load p99 is off the flat part. */
export const KNEE_FACTOR = 2;

export interface CurvePoint {
  askedRate: number;
  achievedRate: number;
  p99Ms: number;
}

export interface Knee {
  /** The asked rate of the step where p99 left its low-load level for good, ops/s. */
  rate: number;
  achievedRate: number;
  p99Ms: number;
  /** p99 of the lowest-rate step, ms. */
  lowLoadP99Ms: number;
  /** max(2 × lowLoadP99Ms, lowLoadP99Ms + 0.5 ms). */
  limitMs: number;
}

export function findKnee(points: readonly CurvePoint[]): Knee | undefined {
  if (points.length < 2) return undefined;
  const curve = [...points].sort((a, b) => a.askedRate - b.askedRate);
  const lowLoadP99Ms = curve[0].p99Ms;
  const limitMs = Math.max(KNEE_FACTOR * lowLoadP99Ms, lowLoadP99Ms + KNEE_MIN_RISE_MS);
  // Walk down from the highest rate while p99 stays above the limit; the knee is the last such step.
  let knee: CurvePoint | undefined;
  for (let i = curve.length - 1; i >= 1; i--) {
    if (!(curve[i].p99Ms > limitMs)) break;
    knee = curve[i];
  }
  if (knee === undefined) return undefined;
  return { rate: knee.askedRate, achievedRate: knee.achievedRate, p99Ms: knee.p99Ms, lowLoadP99Ms, limitMs };
}
