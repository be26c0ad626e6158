import type { JsHistogram } from "hdr-histogram-js";
import type { LatencyHistogram } from "../measure/histogram.js";

/**
 * HDR histograms (µs) turned into what each backend takes: Prometheus cumulative buckets, CloudWatch
 * Values/Counts pairs, OpenTelemetry exponential buckets. Each walks the recorded values once, so the
 * cost is the number of distinct values (a few thousand at most), not the number of operations.
 * A value counts at the top of its HDR bucket, so counts are exact within HDR's 0.1 % value error.
 */

/**
 * Prometheus bucket bounds, µs: from 50 µs, since a cache on the same host answers in 100-300 µs
 * and the default buckets (from 5 ms) would put every reply in the first one, to 10 s.
 */
export const LATENCY_BUCKETS_US = [
  50, 100, 200, 300, 500, 750, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 25_000, 50_000, 100_000, 250_000,
  500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
] as const;

export interface RecordedValue {
  valueUs: number;
  count: number;
}

export function recordedValues(histogram: LatencyHistogram): RecordedValue[] {
  const values: RecordedValue[] = [];
  if (histogram.totalCount === 0) return values;
  const iterator = (histogram as unknown as JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push({ valueUs: step.valueIteratedTo, count: step.countAtValueIteratedTo });
  }
  return values;
}

export interface BucketCounts {
  /** Cumulative count at or below each bound of `boundsUs`, same order. */
  cumulative: number[];
  count: number;
  /** Sum of all values, µs. */
  sumUs: number;
}

export function cumulativeBuckets(
  histogram: LatencyHistogram,
  boundsUs: readonly number[] = LATENCY_BUCKETS_US,
): BucketCounts {
  const perBucket = new Array<number>(boundsUs.length).fill(0);
  let count = 0;
  let sumUs = 0;
  for (const { valueUs, count: n } of recordedValues(histogram)) {
    count += n;
    sumUs += valueUs * n;
    const i = boundsUs.findIndex((bound) => valueUs <= bound);
    if (i >= 0) perBucket[i] += n;
  }
  let running = 0;
  return { cumulative: perBucket.map((n) => (running += n)), count, sumUs };
}

/** CloudWatch takes at most 150 distinct values per datum. */
export const MAX_VALUE_PAIRS = 150;

/**
 * Values (ms) and their counts for CloudWatch, so it computes percentiles itself. Past 150 distinct
 * values, neighbours are merged into groups of equal size, each kept at its count-weighted mean.
 */
export function valuesAndCounts(
  histogram: LatencyHistogram,
  maxPairs = MAX_VALUE_PAIRS,
): { values: number[]; counts: number[] } {
  const recorded = recordedValues(histogram);
  const group = Math.max(1, Math.ceil(recorded.length / maxPairs));
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < recorded.length; i += group) {
    let count = 0;
    let weighted = 0;
    for (const r of recorded.slice(i, i + group)) {
      count += r.count;
      weighted += r.valueUs * r.count;
    }
    values.push(round3(weighted / count / 1000));
    counts.push(count);
  }
  return { values, counts };
}

export interface ExponentialBuckets {
  scale: number;
  offset: number;
  counts: number[];
  count: number;
  /** Seconds. */
  sum: number;
  min: number;
  max: number;
}

/** OpenTelemetry's default largest number of buckets for an exponential histogram. */
const MAX_EXPONENTIAL_BUCKETS = 160;

/**
 * OpenTelemetry's base-2 exponential histogram of the values in seconds: bucket i holds values in
 * (2^(i/2^scale), 2^((i+1)/2^scale)]. The scale is the finest that fits 160 buckets, as the SDK's own
 * aggregation would pick.
 */
export function exponentialBuckets(histogram: LatencyHistogram): ExponentialBuckets | undefined {
  const recorded = recordedValues(histogram);
  if (recorded.length === 0) return undefined;
  const seconds = recorded.map((r) => ({ v: r.valueUs / 1e6, n: r.count }));
  const min = seconds[0].v;
  const max = seconds[seconds.length - 1].v;
  const index = (v: number, scale: number) => Math.ceil(Math.log2(v) * 2 ** scale) - 1;
  let scale = 20;
  while (scale > -10 && index(max, scale) - index(min, scale) + 1 > MAX_EXPONENTIAL_BUCKETS) scale--;
  const offset = index(min, scale);
  const counts = new Array<number>(index(max, scale) - offset + 1).fill(0);
  let count = 0;
  let sum = 0;
  for (const { v, n } of seconds) {
    counts[index(v, scale) - offset] += n;
    count += n;
    sum += v * n;
  }
  return { scale, offset, counts, count, sum, min, max };
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
