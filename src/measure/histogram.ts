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
