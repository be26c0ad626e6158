import type { FaultRecord } from "./fault-runner.js";

/**
 * What the clients saw of each fault, from the run's per-second series. The series has one point
 * per interval (`tS` is the interval's end), so every figure here has the series' resolution: a
 * time is an upper bound, good to about one interval.
 */

/** The part of a series point this needs (SeriesPoint in src/result/result-types.ts). */
export interface FaultSeriesPoint {
  tS: number;
  ops: number;
  errors: number;
  timeouts: number;
  p99Ms: number;
  errorReplies?: number;
  errorsByKind?: Record<string, number>;
  reconnects?: number;
}

export interface FaultReport extends FaultRecord {
  /**
   * The client's figures over the intervals that overlap the fault, from its start to its end plus
   * the run's timeout (an operation sent during the fault times out that much later).
   */
  during?: {
    fromS: number;
    toS: number;
    ops: number;
    errors: number;
    errorsByKind: Record<string, number>;
    timeouts: number;
    reconnects: number;
    /** The worst interval p99 in the window, ms. */
    worstP99Ms: number;
  };
  /** Median p99 of the intervals in the 5 s before the fault, ms; absent when there were none. */
  baselineP99Ms?: number;
  /**
   * Seconds from the fault's end to the end of the first interval with a successful operation;
   * null when none came before the run ended.
   */
  timeToFirstSuccessS?: number | null;
  /**
   * Seconds from the fault's end to the end of the first interval whose p99 was back within
   * 1.5 × baselineP99Ms; null when it never was; absent without a baseline.
   */
  timeToBaselineP99S?: number | null;
}

export interface FaultReportOptions {
  /** The run's operation timeout, ms: how long after a fault its timeouts can still show. */
  timeoutMs: number;
  /** Seconds before a fault whose p99 is its baseline. */
  baselineWindowS?: number;
  /** p99 counts as recovered within this factor of the baseline. */
  recoveryFactor?: number;
}

const DEFAULT_BASELINE_WINDOW_S = 5;
const DEFAULT_RECOVERY_FACTOR = 1.5;

export function faultReports(
  series: readonly FaultSeriesPoint[],
  records: readonly FaultRecord[],
  options: FaultReportOptions,
): FaultReport[] {
  const intervals = series.map((point, i) => ({
    point,
    fromS: i === 0 ? 0 : series[i - 1].tS,
    toS: point.tS,
  }));
  const baselineWindowS = options.baselineWindowS ?? DEFAULT_BASELINE_WINDOW_S;
  const factor = options.recoveryFactor ?? DEFAULT_RECOVERY_FACTOR;
  return records.map((record): FaultReport => {
    const report: FaultReport = { ...record, effects: { ...record.effects } };
    if (record.startS === undefined) return report;
    const startS = record.startS;
    const endS = record.endS ?? startS;
    // A one-off fault (and one at an interval's very end) still covers the interval right after it.
    const windowEndS = round3(Math.max(endS + options.timeoutMs / 1000, startS + 0.001));
    const inWindow = intervals.filter((iv) => iv.fromS < windowEndS && iv.toS > startS);
    const errorsByKind: Record<string, number> = {};
    let ops = 0;
    let errors = 0;
    let timeouts = 0;
    let reconnects = 0;
    let worstP99Ms = 0;
    for (const { point } of inWindow) {
      ops += point.ops;
      errors += point.errors;
      timeouts += point.timeouts;
      reconnects += point.reconnects ?? 0;
      worstP99Ms = Math.max(worstP99Ms, point.p99Ms);
      for (const [kind, n] of Object.entries(point.errorsByKind ?? {}))
        errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
    }
    report.during = {
      fromS: startS,
      toS: windowEndS,
      ops,
      errors,
      errorsByKind,
      timeouts,
      reconnects,
      worstP99Ms,
    };

    const before = intervals.filter(
      (iv) => iv.toS <= startS && iv.toS > startS - baselineWindowS && iv.point.ops > 0,
    );
    const baseline = before.length > 0 ? median(before.map((iv) => iv.point.p99Ms)) : undefined;
    if (baseline !== undefined) report.baselineP99Ms = baseline;

    const after = intervals.filter((iv) => iv.toS > endS);
    const firstSuccess = after.find((iv) => successes(iv.point) > 0);
    report.timeToFirstSuccessS = firstSuccess === undefined ? null : round3(firstSuccess.toS - endS);
    if (baseline !== undefined) {
      const back = after.find((iv) => iv.point.ops > 0 && iv.point.p99Ms <= baseline * factor);
      report.timeToBaselineP99S = back === undefined ? null : round3(back.toS - endS);
    }
    return report;
  });
}

/** Replies that were not errors. */
function successes(point: FaultSeriesPoint): number {
  return point.ops - (point.errorReplies ?? 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
