import {
  addEncoded,
  encodeHistogram,
  type LatencyHistogram,
  newLatencyHistogram,
} from "../measure/histogram.js";
import type { RunResult } from "../result/result-types.js";

/**
 * The shards' HDR histograms added together, per command and for `all`. Every cachestress
 * histogram has the same settings (src/measure/histogram.ts), so the sum holds exactly the values
 * all shards recorded: counts, percentiles, min and max are those of one histogram fed every value.
 */
export interface MergedHistograms {
  latency: Record<string, LatencyHistogram>;
  /** Open loop only. */
  serviceTime?: Record<string, LatencyHistogram>;
}

export function mergeHistograms(shards: readonly RunResult[]): MergedHistograms {
  const latency = addAll(shards.map((r) => r.histograms.latencyUs));
  const service = shards.map((r) => r.histograms.serviceTimeUs);
  const merged: MergedHistograms = { latency };
  if (service.some((s) => s !== undefined)) {
    merged.serviceTime = addAll(service.filter((s): s is Record<string, string> => s !== undefined));
  }
  return merged;
}

function addAll(encodedPerShard: readonly Record<string, string>[]): Record<string, LatencyHistogram> {
  const sums: Record<string, LatencyHistogram> = {};
  for (const encoded of encodedPerShard) {
    for (const [name, text] of Object.entries(encoded)) {
      sums[name] ??= newLatencyHistogram();
      addEncoded(sums[name], text);
    }
  }
  return sums;
}

export function encodeAll(histograms: Record<string, LatencyHistogram>): Record<string, string> {
  return Object.fromEntries(Object.entries(histograms).map(([name, h]) => [name, encodeHistogram(h)]));
}
