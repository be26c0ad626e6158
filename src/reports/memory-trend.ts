import type { RunResult } from "../result/result-types.js";

/**
 * Right-sizing across runs (`cachestress advise`, docs/advice.md): the peak used memory of each
 * run of one target over time, its growth per day (least squares over the runs), when it would
 * reach maxmemory at that pace, and the memory that would hold the growth of the coming horizon
 * with headroom.
 */

/** Used memory should stay at or below this share of the memory it is given. */
export const SIZING_FILL_SHARE = 0.75;
const DAY_MS = 86_400_000;

export interface MemoryRun {
  startedAt: string;
  usedMemoryPeakBytes: number;
  maxmemoryBytes?: number;
}

export interface MemoryTrend {
  /** env and target: the runs of one cache. */
  key: string;
  runs: MemoryRun[];
  /** Least-squares slope, bytes per day; absent with fewer than two runs at distinct times. */
  growthBytesPerDay?: number;
  /** Days covered by the runs. */
  spanDays: number;
  lastPeakBytes: number;
  maxmemoryBytes?: number;
  /** When the trend reaches maxmemory (ISO date), and in how many days after the last run. */
  reachesMaxmemoryAt?: string;
  daysToMaxmemory?: number;
  /** Memory that holds the peak expected `horizonDays` after the last run at SIZING_FILL_SHARE. */
  suggestedBytes: number;
  horizonDays: number;
  advice: string;
}

/** Runs grouped by environment and target (a server the tool started counts as `local`). */
export function groupRuns(results: readonly RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    if (r.server?.usedMemoryBytesMax === undefined) continue;
    const where = r.target.managed ? "a server cachestress started" : `${r.target.host}:${r.target.port}`;
    const key = `${r.env} (${where})`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

export function memoryTrend(key: string, results: readonly RunResult[], horizonDays: number): MemoryTrend {
  const runs = results
    .map((r) => ({
      startedAt: r.startedAt,
      usedMemoryPeakBytes: r.server!.usedMemoryBytesMax!,
      ...(r.server?.maxmemoryBytes ? { maxmemoryBytes: r.server.maxmemoryBytes } : {}),
    }))
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const last = runs[runs.length - 1];
  const times = runs.map((r) => Date.parse(r.startedAt) / DAY_MS);
  const spanDays = times[times.length - 1] - times[0];
  const slope =
    spanDays > 0
      ? leastSquaresSlope(
          times,
          runs.map((r) => r.usedMemoryPeakBytes),
        )
      : undefined;
  const maxmemory = last.maxmemoryBytes;
  const growth = slope !== undefined && slope > 0 ? slope : 0;
  const projected = last.usedMemoryPeakBytes + growth * horizonDays;
  const suggestedBytes = Math.ceil(projected / SIZING_FILL_SHARE);
  const trend: MemoryTrend = {
    key,
    runs,
    ...(slope !== undefined && { growthBytesPerDay: Math.round(slope) }),
    spanDays: Math.round(spanDays * 100) / 100,
    lastPeakBytes: last.usedMemoryPeakBytes,
    ...(maxmemory !== undefined && { maxmemoryBytes: maxmemory }),
    suggestedBytes,
    horizonDays,
    advice: "",
  };
  if (maxmemory !== undefined && growth > 0) {
    const days = Math.max(0, (maxmemory - last.usedMemoryPeakBytes) / growth);
    trend.daysToMaxmemory = Math.round(days * 10) / 10;
    trend.reachesMaxmemoryAt = new Date(Date.parse(last.startedAt) + days * DAY_MS)
      .toISOString()
      .slice(0, 10);
  }
  trend.advice = sizingAdvice(trend);
  return trend;
}

function sizingAdvice(t: MemoryTrend): string {
  const suggested = `${formatBytes(t.suggestedBytes)} (the peak ${t.horizonDays} days on, at most ${SIZING_FILL_SHARE * 100} % full)`;
  if (t.growthBytesPerDay === undefined)
    return `one point in time only: size for at least ${suggested}; run again on later days to see the trend`;
  if (t.growthBytesPerDay <= 0)
    return t.maxmemoryBytes !== undefined && t.maxmemoryBytes > t.suggestedBytes * 2
      ? `memory is not growing; maxmemory ${formatBytes(t.maxmemoryBytes)} is more than twice ${suggested}: a smaller size would do`
      : `memory is not growing; ${suggested} holds it`;
  if (t.maxmemoryBytes === undefined) return `no maxmemory set: set it, to at least ${suggested}`;
  if (t.maxmemoryBytes >= t.suggestedBytes)
    return `maxmemory ${formatBytes(t.maxmemoryBytes)} holds the next ${t.horizonDays} days (it would be reached on ${t.reachesMaxmemoryAt})`;
  return `upsize before ${t.reachesMaxmemoryAt}: maxmemory ${formatBytes(t.maxmemoryBytes)} is below ${suggested}`;
}

export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The advise command's text: one block per target. */
export function renderMemoryTrends(trends: readonly MemoryTrend[]): string {
  if (trends.length === 0) return "No run result with server memory samples was found.\n";
  const blocks = trends.map((t) => {
    const growth =
      t.growthBytesPerDay === undefined
        ? "growth: not measurable (runs at one point in time)"
        : `growth: ${t.growthBytesPerDay >= 0 ? "+" : "−"}${formatBytes(Math.abs(t.growthBytesPerDay))}/day over ${t.spanDays} days`;
    const reach =
      t.reachesMaxmemoryAt !== undefined
        ? `reaches maxmemory ${formatBytes(t.maxmemoryBytes!)} on ${t.reachesMaxmemoryAt} (in ${t.daysToMaxmemory} days)`
        : t.maxmemoryBytes !== undefined
          ? `maxmemory ${formatBytes(t.maxmemoryBytes)}: not reached at this pace`
          : "maxmemory: not set";
    return [
      `## ${t.key}`,
      "",
      "| run started | used_memory peak |",
      "|---|---:|",
      ...t.runs.map((r) => `| ${r.startedAt} | ${formatBytes(r.usedMemoryPeakBytes)} |`),
      "",
      `- ${growth}`,
      `- ${reach}`,
      `- sizing: ${t.advice}`,
    ].join("\n");
  });
  return `# Memory trend and sizing\n\n${blocks.join("\n\n")}\n`;
}
