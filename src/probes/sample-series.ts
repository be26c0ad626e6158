import type { SlowlogEntry } from "./parse-info.js";
import type { ServerSample } from "./types.js";

/**
 * What the server's side of a whole run comes to: the numbers the report's summary, risk zones and
 * recommendations read. Optional fields are undefined when no sample carried them (a managed service
 * that hides a field, or a server that never answered); the counter deltas are 0 then, and
 * `infoSamples` says whether there was anything to count.
 */
export interface ServerSummary {
  /** Samples that carried INFO fields; 0 means every counter below is 0 for want of data. */
  infoSamples: number;
  memoryUsedPercentMax?: number;
  /** The last maxmemory reported; 0 = no limit. */
  maxmemoryBytes?: number;
  usedMemoryBytesStart?: number;
  usedMemoryBytesEnd?: number;
  usedMemoryBytesMax?: number;
  /** hits / (hits + misses) over the whole run, 0..1; undefined when the run made no lookups. */
  hitRatio?: number;
  /** Counter growth over the run (restarts of the server are handled: a counter that drops starts again from 0). */
  evictedKeys: number;
  expiredKeys: number;
  rejectedConnections: number;
  connectedClientsMax?: number;
  maxclients?: number;
  /** 100 = one core. */
  processCpuPercentMax?: number;
  processCpuPercentMean?: number;
  processRssBytesMax?: number;
  fragmentationMax?: number;
  /** SLOWLOG entries logged during the run, and the slowest five of them, slowest first. */
  slowlogEntries: number;
  slowlogSlowest: SlowlogEntry[];
  /** Per LATENCY event, the largest spike that happened during the run, ms. */
  latencyEventsMax: Record<string, number>;
}

const SLOWEST_KEPT = 5;

type NumericField = {
  [K in keyof ServerSample]-?: ServerSample[K] extends number | undefined ? K : never;
}[keyof ServerSample];

function values(samples: readonly ServerSample[], field: NumericField): number[] {
  const out: number[] = [];
  for (const s of samples) {
    const v = s[field];
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

const max = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : Math.max(...xs));
const mean = (xs: number[]): number | undefined =>
  xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * How much a "total since the server started" counter grew across the samples, the way Prometheus's
 * increase() reads it: a drop means the server restarted (or CONFIG RESETSTAT), and the value after
 * the drop is what was counted since.
 */
export function counterIncrease(totals: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < totals.length; i++) {
    const step = totals[i] - totals[i - 1];
    sum += step >= 0 ? step : totals[i];
  }
  return sum;
}

/** Hits and misses must come from the same samples, or the ratio mixes two different windows. */
function runHitRatio(samples: readonly ServerSample[]): number | undefined {
  const both = samples.filter(
    (s) => s.keyspaceHitsTotal !== undefined && s.keyspaceMissesTotal !== undefined,
  );
  const hits = counterIncrease(both.map((s) => s.keyspaceHitsTotal!));
  const misses = counterIncrease(both.map((s) => s.keyspaceMissesTotal!));
  return hits + misses > 0 ? hits / (hits + misses) : undefined;
}

/**
 * LATENCY LATEST only ever shows each event's latest spike and its all-time max. A spike belongs to
 * the run when its time is not before the first sample; an all-time max that grew past what the first
 * sample showed was also set during the run, even if a later, smaller spike has replaced it as latest.
 */
function latencyMaxDuringRun(samples: readonly ServerSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (samples.length === 0) return out;
  const runStartS = Math.floor(samples[0].atMs / 1000);
  const baselineMaxMs = samples[0].latencyEvents ?? {};
  const raise = (event: string, ms: number) => {
    if (!(out[event] >= ms)) out[event] = ms;
  };
  for (const s of samples) {
    for (const [event, e] of Object.entries(s.latencyEvents ?? {})) {
      if (e.atS === undefined || e.atS >= runStartS) raise(event, e.latestMs);
      const before = baselineMaxMs[event];
      if (before !== undefined && e.maxMs > before.maxMs) raise(event, e.maxMs);
    }
  }
  return out;
}

function slowlogOfRun(samples: readonly ServerSample[]): { count: number; slowest: SlowlogEntry[] } {
  // Keyed by id: the prober never repeats an entry, but a merged or re-read series might.
  const byId = new Map<number, SlowlogEntry>();
  for (const s of samples) for (const e of s.slowlog ?? []) byId.set(e.id, e);
  const all = [...byId.values()];
  all.sort((a, b) => b.durationUs - a.durationUs || a.id - b.id);
  return { count: all.length, slowest: all.slice(0, SLOWEST_KEPT) };
}

export function summarizeServer(samples: readonly ServerSample[]): ServerSummary {
  const used = values(samples, "usedMemoryBytes");
  const cpu = values(samples, "processCpuPercent");
  const slowlog = slowlogOfRun(samples);
  const summary: ServerSummary = {
    infoSamples: samples.filter((s) => s.usedMemoryBytes !== undefined || s.commandCalls !== undefined)
      .length,
    memoryUsedPercentMax: max(values(samples, "memoryUsedPercent")),
    maxmemoryBytes: values(samples, "maxmemoryBytes").at(-1),
    usedMemoryBytesStart: used[0],
    usedMemoryBytesEnd: used.at(-1),
    usedMemoryBytesMax: max(used),
    hitRatio: runHitRatio(samples),
    evictedKeys: counterIncrease(values(samples, "evictedKeysTotal")),
    expiredKeys: counterIncrease(values(samples, "expiredKeysTotal")),
    rejectedConnections: counterIncrease(values(samples, "rejectedConnectionsTotal")),
    connectedClientsMax: max(values(samples, "connectedClients")),
    maxclients: values(samples, "maxclients").at(-1),
    processCpuPercentMax: max(cpu),
    processCpuPercentMean: mean(cpu),
    processRssBytesMax: max(values(samples, "processRssBytes")),
    fragmentationMax: max(values(samples, "memFragmentationRatio")),
    slowlogEntries: slowlog.count,
    slowlogSlowest: slowlog.slowest,
    latencyEventsMax: latencyMaxDuringRun(samples),
  };
  // Undefined fields are dropped so the result JSON holds only what was measured.
  for (const key of Object.keys(summary) as (keyof ServerSummary)[]) {
    if (summary[key] === undefined) delete summary[key];
  }
  return summary;
}
