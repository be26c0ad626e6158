import * as hdr from "hdr-histogram-js";

/**
 * Every latency in cachestress is an HDR histogram of microseconds with 3 significant digits
 * (0.1 % value error) that resizes itself, so one slow outlier of minutes is kept, not clipped.
 * The same settings everywhere are what makes histograms from threads, shards and runs add exactly.
 */
export type LatencyHistogram = hdr.Histogram;

export function newLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000, // 60 s in µs; grows past it when needed
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/**
 * Compressed base64, the HdrHistogram interchange format other HDR tools can read too.
 * `fast` uses deflate level 1: engine threads encode every second while operations are in flight,
 * and level 1 takes ~0.2 ms where the default takes ~1 ms of stalled event loop (measured with
 * 200,000 values), which would otherwise show up in the tail latency the tool reports.
 */
export function encodeHistogram(histogram: LatencyHistogram, fast = false): string {
  return hdr.encodeIntoCompressedBase64(histogram, fast ? 1 : undefined);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Re-home the values in a histogram built with our settings so later adds can auto-resize.
  const histogram = newLatencyHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Adds an encoded histogram into `into`; the empty string stands for an empty histogram. */
export function addEncoded(into: LatencyHistogram, encoded: string): void {
  if (encoded === "") return;
  into.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
}

/**
 * A histogram's recorded values as (value µs, count) pairs, one pair per non-empty bucket, the
 * value being the lowest of its bucket. Engine threads ship these each interval instead of
 * encoding: reading the counts takes a pass over one typed array, where encoding deflated and
 * base64-encoded them on the load thread, stalling it for a fraction of a millisecond and leaving
 * strings to collect. Adding them back is exact (every value lands in its own bucket again).
 */
export type HistogramCounts = Float64Array;

/** What an empty histogram ships. */
export const NO_COUNTS: HistogramCounts = new Float64Array(0);

/** The internals of the JS implementation (useWebAssembly: false) that reading buckets needs. */
type Buckets = hdr.JsHistogram;

export function histogramCounts(histogram: LatencyHistogram): HistogramCounts {
  if (histogram.totalCount === 0) return NO_COUNTS;
  const buckets = histogram as unknown as Buckets;
  const length = buckets.countsArrayLength;
  let filled = 0;
  for (let i = 0; i < length; i++) if (buckets.getCountAtIndex(i) > 0) filled++;
  const pairs = new Float64Array(filled * 2);
  let at = 0;
  for (let i = 0; i < length; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count === 0) continue;
    pairs[at++] = buckets.valueFromIndex(i);
    pairs[at++] = count;
  }
  return pairs;
}

/**
 * Adds shipped counts into `into`. The highest bucket is recorded at its highest equivalent value,
 * so the maximum reads the same as after decoding an encoded histogram.
 */
export function addCounts(into: LatencyHistogram, pairs: HistogramCounts): void {
  const last = pairs.length - 2;
  for (let at = 0; at < last; at += 2) into.recordValueWithCount(pairs[at], pairs[at + 1]);
  if (last >= 0) {
    const top = (into as unknown as Buckets).highestEquivalentValue(pairs[last]);
    into.recordValueWithCount(top, pairs[last + 1]);
  }
}
