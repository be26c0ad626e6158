import type { SeriesPoint } from "../result/result-types.js";

/** One shard's per-second series and when its measured part started (epoch ms, when known). */
export interface ShardSeries {
  series: SeriesPoint[];
  measureStartEpochMs?: number;
}

/**
 * The shards' per-second series on one time axis. Each point is placed by wall-clock time (shard
 * start + its tS) relative to the earliest shard's start and rounded to the whole second; when a
 * shard did not record its start, all series are aligned at their own t = 0 instead.
 *
 * Within a second, counts (ops, errors, timeouts, per-command ops) and rates (ops/s, target rate)
 * add up across shards. The series carries percentiles, not histograms, so p50, p99 and max of a
 * merged second are the highest of the shards' values: exact for max, and an upper bound for the
 * percentiles (no more than 1 % of all values can lie above the highest of the shards' p99s).
 */
export function mergeSeries(shards: readonly ShardSeries[]): SeriesPoint[] {
  const starts = shards.map((s) => s.measureStartEpochMs);
  const aligned = starts.every((s) => s !== undefined);
  const originMs = aligned ? Math.min(...(starts as number[])) : 0;
  const buckets = new Map<number, SeriesPoint[][]>();
  shards.forEach((shard, s) => {
    const offsetS = aligned ? (shard.measureStartEpochMs! - originMs) / 1000 : 0;
    for (const point of shard.series) {
      const second = Math.max(1, Math.round(offsetS + point.tS));
      let perShard = buckets.get(second);
      if (perShard === undefined) {
        perShard = shards.map(() => []);
        buckets.set(second, perShard);
      }
      perShard[s].push(point);
    }
  });
  return [...buckets.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([second, perShard]) => mergeSecond(second, perShard));
}

/** One merged second from each shard's points in it (usually one, two when a short last interval joins). */
function mergeSecond(second: number, perShard: SeriesPoint[][]): SeriesPoint {
  const merged: SeriesPoint = {
    tS: second,
    ops: 0,
    opsPerSec: 0,
    errors: 0,
    timeouts: 0,
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    perCommand: {},
  };
  let targetRate: number | undefined;
  for (const points of perShard) {
    if (points.length === 0) continue;
    merged.opsPerSec += shardRate(points);
    const targets = points.map((p) => p.targetRate).filter((t): t is number => t !== undefined);
    if (targets.length > 0) targetRate = (targetRate ?? 0) + mean(targets);
    for (const p of points) {
      merged.ops += p.ops;
      merged.errors += p.errors;
      merged.timeouts += p.timeouts;
      merged.p50Ms = Math.max(merged.p50Ms, p.p50Ms);
      merged.p99Ms = Math.max(merged.p99Ms, p.p99Ms);
      merged.maxMs = Math.max(merged.maxMs, p.maxMs);
      for (const [name, c] of Object.entries(p.perCommand)) {
        const into = merged.perCommand[name] ?? { ops: 0, p50Ms: 0, p99Ms: 0 };
        into.ops += c.ops;
        into.p50Ms = Math.max(into.p50Ms, c.p50Ms);
        into.p99Ms = Math.max(into.p99Ms, c.p99Ms);
        merged.perCommand[name] = into;
      }
    }
  }
  merged.opsPerSec = round1(merged.opsPerSec);
  if (targetRate !== undefined) merged.targetRate = round1(targetRate);
  return merged;
}

/**
 * One shard's ops/s over its points in one second: their ops over their combined length, each
 * point's length being its ops / its ops/s. Two points fall in one second when a short last
 * interval follows a full one; adding their rates would count that second twice.
 */
function shardRate(points: SeriesPoint[]): number {
  if (points.length === 1) return points[0].opsPerSec;
  let ops = 0;
  let spanS = 0;
  for (const p of points) {
    if (p.opsPerSec <= 0) continue;
    ops += p.ops;
    spanS += p.ops / p.opsPerSec;
  }
  return spanS > 0 ? ops / spanS : 0;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
