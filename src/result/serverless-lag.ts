import type { RunResult, SeriesPoint } from "./result-types.js";

/**
 * Did ElastiCache Serverless scale slower than the load rose? Serverless adds capacity gradually
 * (it doubles every 10–12 minutes, REFERENCE-metrics.md), so a load that rises faster sees latency
 * climb until the capacity catches up. The sign is a stretch of the run where ECPU/s rose and p99
 * rose with it. ECPU/s is the client's estimate (ops/s × ECPU per operation, as in the cost
 * estimate): INFO does not show ElastiCacheProcessingUnits.
 */

/** The rise in ECPU/s that counts as the load rising. */
const MIN_ECPU_RISE = 1.25;
/** p99 must at least double, and by this much, to count as climbing, ms. */
const MIN_P99_FACTOR = 2;
const MIN_P99_RISE_MS = 2;
/** The stretch must last this many seconds: Serverless is not judged on a single slow second. */
const MIN_SPAN_S = 10;
/** Each end of a stretch is the mean of this many seconds, so one outlier second cannot make it. */
const SMOOTH_POINTS = 3;
/** Longer series are thinned to this many points before the pairwise search. */
const MAX_POINTS = 1500;

/** ElastiCache Serverless endpoints: `NAME-xxxxxx.serverless.use1.cache.amazonaws.com`. */
const SERVERLESS_HOST = /\.serverless\.[a-z0-9-]+\.cache\.amazonaws\.com$/i;

export function looksLikeServerless(result: RunResult): boolean {
  return SERVERLESS_HOST.test(result.target.host) || /serverless/i.test(result.env);
}

export interface ScalingLag {
  fromS: number;
  toS: number;
  p99FromMs: number;
  p99ToMs: number;
  ecpuFromPerSec: number;
  ecpuToPerSec: number;
}

/** The stretch of the run where p99 rose the most (by factor) while ECPU/s rose; undefined if none. */
export function serverlessScalingLag(
  series: readonly SeriesPoint[],
  ecpuPerOp: number,
): ScalingLag | undefined {
  const points = thin(series.filter((p) => p.ops > 0));
  if (points.length < SMOOTH_POINTS * 2) return undefined;
  const smooth = (i: number, pick: (p: SeriesPoint) => number) => {
    let sum = 0;
    for (let k = i; k < i + SMOOTH_POINTS; k++) sum += pick(points[k]);
    return sum / SMOOTH_POINTS;
  };
  const last = points.length - SMOOTH_POINTS;
  const ecpu = Array.from({ length: last + 1 }, (_, i) => smooth(i, (p) => p.opsPerSec) * ecpuPerOp);
  const p99 = Array.from({ length: last + 1 }, (_, i) => smooth(i, (p) => p.p99Ms));
  let best: ScalingLag | undefined;
  let bestFactor = 0;
  for (let a = 0; a <= last; a++) {
    for (let b = a + 1; b <= last; b++) {
      const fromS = points[a].tS;
      const toS = points[b + SMOOTH_POINTS - 1].tS;
      if (toS - fromS < MIN_SPAN_S) continue;
      if (ecpu[b] < ecpu[a] * MIN_ECPU_RISE) continue;
      if (p99[b] < p99[a] * MIN_P99_FACTOR || p99[b] - p99[a] < MIN_P99_RISE_MS) continue;
      const factor = p99[b] / Math.max(p99[a], 0.001);
      if (factor <= bestFactor) continue;
      bestFactor = factor;
      best = {
        fromS,
        toS,
        p99FromMs: round2(p99[a]),
        p99ToMs: round2(p99[b]),
        ecpuFromPerSec: Math.round(ecpu[a]),
        ecpuToPerSec: Math.round(ecpu[b]),
      };
    }
  }
  return best;
}

function thin(points: SeriesPoint[]): SeriesPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const step = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % step === 0);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
