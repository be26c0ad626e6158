import type { PoolPoint, RunResult, SeriesPoint } from "../result/result-types.js";
import { formatCount } from "./format.js";

/**
 * The connection-pool view of a run (docs/connection-pool.md) for the reports: a summary over the
 * measured part and the per-second series, shortened to at most MAX_ROWS rows (each row then the
 * worst of its seconds, so a spike is never averaged away).
 */

const MAX_ROWS = 30;

export interface PoolSummary {
  /** Fewest and most connections open at an interval's end. */
  openMin: number;
  openMax: number;
  /** Most connections with a command outstanding at an interval's end, and the mean. */
  inUsePeak: number;
  inUseMean: number;
  /** Most operations waiting for a free connection or pipeline slot, and the seconds with any. */
  waitingPeak: number;
  secondsWaiting: number;
  /** Reconnects over the measured part, and the worst second's rate. */
  reconnects: number;
  reconnectsPeakPerSec: number;
}

export function poolSummary(series: readonly SeriesPoint[]): PoolSummary | undefined {
  const points = series.filter((p) => p.pool !== undefined);
  if (points.length === 0) return undefined;
  const pools = points.map((p) => p.pool as PoolPoint);
  const max = (pick: (p: PoolPoint) => number) => Math.max(...pools.map(pick));
  return {
    openMin: Math.min(...pools.map((p) => p.open)),
    openMax: max((p) => p.open),
    inUsePeak: max((p) => p.inUse),
    inUseMean: Math.round((pools.reduce((sum, p) => sum + p.inUse, 0) / pools.length) * 10) / 10,
    waitingPeak: max((p) => p.waiting),
    secondsWaiting: pools.filter((p) => p.waiting > 0).length,
    // The series' own reconnect counts, so the figure adds up to the run's total.
    reconnects: points.reduce((sum, p) => sum + (p.reconnects ?? 0), 0),
    reconnectsPeakPerSec: max((p) => p.reconnectsPerSec),
  };
}

/** One line each for the terminal and the reports' summary. */
export function poolLines(result: RunResult): string[] {
  const s = poolSummary(result.series);
  if (s === undefined) return [];
  const open = s.openMin === s.openMax ? `${s.openMax}` : `${s.openMin}–${s.openMax}`;
  return [
    `connections open ${open} (of ${result.config.connections} configured), in use at most ${s.inUsePeak} (mean ${s.inUseMean})`,
    `operations waiting for a connection: at most ${formatCount(s.waitingPeak)}, in ${s.secondsWaiting} s of ${result.series.length}${result.mode === "closed-loop" ? " (closed loop: never waits by design)" : ""}`,
    `reconnects: ${formatCount(s.reconnects)} (worst second ${s.reconnectsPeakPerSec}/s)`,
  ];
}

/** The per-second pool series, at most MAX_ROWS rows: [t, open, in use, waiting, reconnects/s]. */
export function poolRows(series: readonly SeriesPoint[]): { rows: number[][]; bucketSize: number } {
  const points = series.filter((p) => p.pool !== undefined);
  const bucketSize = Math.max(1, Math.ceil(points.length / MAX_ROWS));
  const rows: number[][] = [];
  for (let i = 0; i < points.length; i += bucketSize) {
    const bucket = points.slice(i, i + bucketSize);
    const pools = bucket.map((p) => p.pool as PoolPoint);
    rows.push([
      bucket[bucket.length - 1].tS,
      Math.min(...pools.map((p) => p.open)),
      Math.max(...pools.map((p) => p.inUse)),
      Math.max(...pools.map((p) => p.waiting)),
      Math.max(...pools.map((p) => p.reconnectsPerSec)),
    ]);
  }
  return { rows, bucketSize };
}

export const POOL_HEADER = ["t (s)", "open", "in use", "waiting", "reconnects/s"];

/** The report's `## Connection pool` section. */
export function poolMarkdown(
  result: RunResult,
  table: (h: string[], rows: string[][]) => string[],
): string[] {
  const lines = poolLines(result);
  if (lines.length === 0) return [];
  const { rows, bucketSize } = poolRows(result.series);
  return [
    "## Connection pool",
    "",
    ...lines.map((l) => `- ${l}`),
    "",
    ...(bucketSize > 1
      ? [`Each row is the worst of ${bucketSize} s ending at t (open: the fewest).`, ""]
      : []),
    ...table(
      POOL_HEADER,
      rows.map((r) => r.map(String)),
    ),
  ];
}
