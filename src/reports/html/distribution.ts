import { decodeHistogram } from "../../measure/histogram.js";
import type { ChartSeries } from "./chart-spec.js";

/**
 * The HDR percentile curve of an encoded histogram, as HdrHistogram's plotter draws it: x is
 * 1 / (1 − p), on a log axis, so 90, 99, 99.9, 99.99 and 99.999 % sit one decade apart. Ten points
 * per decade up to p99.999, then the max at x = 10^6.
 */

/** The x of the max point: one decade past p99.999. */
export const MAX_X = 1_000_000;
const POINTS_PER_DECADE = 10;
const DECADES = 5;

export function percentileAxis(): number[] {
  const xs: number[] = [];
  for (let k = 0; k <= DECADES * POINTS_PER_DECADE; k++) xs.push(10 ** (k / POINTS_PER_DECADE));
  xs.push(MAX_X);
  return xs;
}

/** Latency in ms at each x of percentileAxis(); all null for an empty or missing histogram. */
export function percentileCurve(label: string, encoded: string | undefined): ChartSeries {
  const xs = percentileAxis();
  if (encoded === undefined || encoded === "") return { label, values: xs.map(() => null) };
  const histogram = decodeHistogram(encoded);
  if (histogram.totalCount === 0) return { label, values: xs.map(() => null) };
  const values = xs.map((x) => {
    const us = x >= MAX_X ? histogram.maxValue : histogram.getValueAtPercentile(100 - 100 / x);
    return Math.round(us) / 1000;
  });
  return { label, values };
}
