import { type LatencyHistogram, newLatencyHistogram } from "../../measure/histogram.js";

export { type LatencyHistogram, newLatencyHistogram };

/** Records a latency in ms into a µs histogram (the unit every cachestress histogram uses). */
export function recordMs(histogram: LatencyHistogram, ms: number): void {
  // Clocks of one process never run backwards, but a sub-µs interval still counts as one sample.
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface LatencyFiguresMs {
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** p50, p99 and max in ms (to the µs), or nulls when nothing was recorded. */
export function latencyFiguresMs(histogram: LatencyHistogram): LatencyFiguresMs {
  if (histogram.totalCount === 0) return { p50Ms: null, p99Ms: null, maxMs: null };
  // A percentile is the top of its HDR bucket, up to 0.1 % above the largest value recorded in it.
  const maxUs = histogram.maxValue;
  return {
    p50Ms: Math.min(histogram.getValueAtPercentile(50), maxUs) / 1000,
    p99Ms: Math.min(histogram.getValueAtPercentile(99), maxUs) / 1000,
    maxMs: maxUs / 1000,
  };
}

/** `p50 0.41 ms, p99 1.2 ms, max 3.1 ms` for summaries and per-connection figures. */
export function describeLatency(figures: LatencyFiguresMs): string {
  if (figures.p50Ms === null) return "no samples";
  return `p50 ${round2(figures.p50Ms)} ms, p99 ${round2(figures.p99Ms!)} ms, max ${round2(figures.maxMs!)} ms`;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
