import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { newLatencyHistogram } from "../measure/histogram.js";
import type { ServerSample } from "../probes/types.js";
import type { ServerSampleEvent } from "../run/run-events.js";
import { MAX_VALUE_PAIRS, round3, valuesAndCounts } from "./hdr-buckets.js";
import type { PendingInterval, RunLabels } from "./metric-feed.js";

/**
 * The run's figures as CloudWatch PutMetricData datums (docs/publishers.md): one datum per metric
 * per measured second, timestamped with that second, so a 1-second StorageResolution shows the run
 * as it happened and a 60-second one lets CloudWatch add the seconds up. Latency also goes as
 * Values/Counts from the HDR histogram, so CloudWatch computes any percentile itself.
 */

/** PutMetricData's limits: per request, per datum. */
export const CLOUDWATCH_LIMITS = {
  datumsPerRequest: 1_000,
  bytesPerRequest: 1_000_000,
  valuesPerDatum: MAX_VALUE_PAIRS,
  dimensionsPerDatum: 30,
} as const;

type Dimensions = { Name: string; Value: string }[];

export function baseDimensions(labels: RunLabels, target = labels.target): Dimensions {
  return [
    { Name: "env", Value: labels.env || "unknown" },
    { Name: "scenario", Value: labels.scenario || "unknown" },
    { Name: "target", Value: target || "unknown" },
  ];
}

export function intervalDatums(item: PendingInterval, labels: RunLabels, resolutionS: 1 | 60): MetricDatum[] {
  const { event } = item;
  const p = event.point;
  const at = new Date(event.timeMs);
  const dims = baseDimensions(labels);
  const datum = (name: string, value: number, unit: MetricDatum["Unit"], dimensions = dims): MetricDatum => ({
    MetricName: name,
    Dimensions: dimensions,
    Timestamp: at,
    Value: round3(value),
    Unit: unit,
    StorageResolution: resolutionS,
  });
  const out: MetricDatum[] = [datum("OpsPerSec", p.opsPerSec, "Count/Second")];
  // Operations attempted: every reply plus every operation that got none (timed out or lost).
  const attempted = p.ops + p.errors - (p.errorReplies ?? 0);
  if (attempted > 0) {
    out.push(datum("TimeoutRate", (p.timeouts / attempted) * 100, "Percent"));
    out.push(datum("ErrorRate", (p.errors / attempted) * 100, "Percent"));
  }
  if (p.ops > 0) {
    out.push(datum("LatencyP50Ms", p.p50Ms, "Milliseconds"), datum("LatencyP99Ms", p.p99Ms, "Milliseconds"));
  }
  const all = newLatencyHistogram();
  for (const [command, histogram] of item.latencyUs) {
    all.add(histogram);
    const commandDims = [...dims, { Name: "command", Value: command }];
    const ops = event.commands.find((c) => c.name === command)?.ops ?? 0;
    out.push(datum("OpsPerSec", ops / event.spanS, "Count/Second", commandDims));
    const figures = p.perCommand[command];
    if (figures !== undefined && figures.ops > 0)
      out.push(
        datum("LatencyP50Ms", figures.p50Ms, "Milliseconds", commandDims),
        datum("LatencyP99Ms", figures.p99Ms, "Milliseconds", commandDims),
      );
    const errors = event.commands.find((c) => c.name === command)?.errors ?? 0;
    if (ops > 0) out.push(datum("ErrorRate", (errors / ops) * 100, "Percent", commandDims));
    out.push(latencyDatum(histogram, commandDims, at, resolutionS));
  }
  if (all.totalCount > 0) out.push(latencyDatum(all, dims, at, resolutionS));
  return out;
}

function latencyDatum(
  histogram: Parameters<typeof valuesAndCounts>[0],
  dimensions: Dimensions,
  at: Date,
  resolutionS: 1 | 60,
): MetricDatum {
  const { values, counts } = valuesAndCounts(histogram);
  return {
    MetricName: "Latency",
    Dimensions: dimensions,
    Timestamp: at,
    Values: values,
    Counts: counts,
    Unit: "Milliseconds",
    StorageResolution: resolutionS,
  };
}

/** `previous`: the node's sample before this one, for evictions in between. */
export function sampleDatums(
  event: ServerSampleEvent,
  previous: ServerSample | undefined,
  labels: RunLabels,
  resolutionS: 1 | 60,
): MetricDatum[] {
  const s = event.sample;
  const dims = baseDimensions(labels, event.node);
  const at = new Date(s.atMs);
  const out: MetricDatum[] = [];
  const add = (name: string, value: number | undefined, unit: MetricDatum["Unit"]) => {
    if (value !== undefined && Number.isFinite(value))
      out.push({
        MetricName: name,
        Dimensions: dims,
        Timestamp: at,
        Value: round3(value),
        Unit: unit,
        StorageResolution: resolutionS,
      });
  };
  add(
    "UsedMemoryMB",
    s.usedMemoryBytes === undefined ? undefined : s.usedMemoryBytes / 1_048_576,
    "Megabytes",
  );
  add("MemoryUsedPercent", s.memoryUsedPercent, "Percent");
  add("HitRatio", s.hitRatio, "None");
  add("ConnectedClients", s.connectedClients, "Count");
  if (s.evictedKeysTotal !== undefined && previous?.evictedKeysTotal !== undefined)
    add("Evictions", Math.max(0, s.evictedKeysTotal - previous.evictedKeysTotal), "Count");
  return out;
}

/**
 * Splits datums into requests within both limits: at most 1,000 datums and 1 MB each (estimated
 * from the JSON, which is longer than the wire form: ISO dates against epoch numbers).
 */
export function splitRequests(datums: MetricDatum[], namespace: string): MetricDatum[][] {
  const requests: MetricDatum[][] = [];
  let current: MetricDatum[] = [];
  const overhead = namespace.length + 64;
  let bytes = overhead;
  for (const d of datums) {
    const size = JSON.stringify(d).length + 1;
    if (
      current.length > 0 &&
      (current.length >= CLOUDWATCH_LIMITS.datumsPerRequest ||
        bytes + size > CLOUDWATCH_LIMITS.bytesPerRequest)
    ) {
      requests.push(current);
      current = [];
      bytes = overhead;
    }
    current.push(d);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** Every datum against CloudWatch's rules; returns the problems (an empty list when all is well). */
export function datumProblems(d: MetricDatum): string[] {
  const problems: string[] = [];
  const name = d.MetricName ?? "(no name)";
  if ((d.Dimensions?.length ?? 0) > CLOUDWATCH_LIMITS.dimensionsPerDatum)
    problems.push(`${name}: more than 30 dimensions`);
  for (const dim of d.Dimensions ?? [])
    if (!dim.Value || dim.Value.length > 1024)
      problems.push(`${name}: dimension ${dim.Name} must be 1-1024 characters`);
  if (d.Value !== undefined && !Number.isFinite(d.Value))
    problems.push(`${name}: value ${d.Value} is not finite`);
  if (d.Values !== undefined) {
    if (d.Values.length > CLOUDWATCH_LIMITS.valuesPerDatum)
      problems.push(`${name}: ${d.Values.length} values (at most 150)`);
    if (d.Values.length !== d.Counts?.length) problems.push(`${name}: Values and Counts differ in length`);
    if (d.Values.some((v) => !Number.isFinite(v))) problems.push(`${name}: a value is not finite`);
  }
  return problems;
}
