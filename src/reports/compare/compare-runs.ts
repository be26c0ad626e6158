import type { RunResult } from "../../result/result-types.js";
import { mannWhitney } from "./mann-whitney.js";
import { COMPARE_METRICS, type CompareMetric, commandMetrics, type RegressionLimit } from "./metrics.js";

/**
 * The comparison behind `cachestress compare`: the base group first, then up to four more, one
 * row per metric. Each group is one run or several repeated runs; a group's figure is its median.
 * With two or more runs on both sides, a difference counts only when the Mann-Whitney U test puts
 * it beyond noise (p < alpha); otherwise the change is "~", and it cannot fail the gate.
 */

export const DEFAULT_ALPHA = 0.05;
export const MAX_GROUPS = 5;

export interface CompareGroup {
  label: string;
  paths: string[];
  results: RunResult[];
}

export type Change = "better" | "worse" | "same" | "~";

export interface CompareCell {
  values: number[];
  /** The median of values; undefined when no run of the group has the figure. */
  center?: number;
  /** (center − base center) / base center × 100; absent in the base column. */
  deltaPercent?: number;
  change?: Change;
  /** Mann-Whitney p, when both sides have two or more runs. */
  p?: number;
}

export interface CompareRow {
  key: string;
  label: string;
  unit: string;
  better: CompareMetric["better"];
  cells: CompareCell[];
}

export interface Regression {
  key: string;
  label: string;
  group: string;
  deltaPercent: number;
  limitPercent: number;
}

export interface Comparison {
  groups: { label: string; paths: string[]; runs: number }[];
  rows: CompareRow[];
  limits: RegressionLimit[];
  regressions: Regression[];
  alpha: number;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Below this relative change a difference is "same" (rounding in the result file). */
const SAME_PERCENT = 0.05;

function cellFor(
  metric: CompareMetric,
  results: RunResult[],
  base: CompareCell | undefined,
  alpha: number,
): CompareCell {
  const values = results
    .map((r) => metric.get(r))
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
  const cell: CompareCell = { values, center: median(values) };
  if (base === undefined || base.center === undefined || cell.center === undefined) return cell;
  const delta =
    base.center === 0
      ? cell.center === 0
        ? 0
        : Infinity
      : ((cell.center - base.center) / Math.abs(base.center)) * 100;
  cell.deltaPercent = delta;
  if (values.length >= 2 && base.values.length >= 2) {
    cell.p = mannWhitney(base.values, values).p;
    if (cell.p >= alpha) {
      cell.change = "~";
      return cell;
    }
  }
  if (Math.abs(delta) < SAME_PERCENT) cell.change = "same";
  else cell.change = delta > 0 === (metric.better === "higher") ? "better" : "worse";
  return cell;
}

export function knownMetricKeys(groups: readonly CompareGroup[]): string[] {
  return [...COMPARE_METRICS, ...commandMetrics(groups[0].results[0])].map((m) => m.key);
}

export function compareRuns(
  groups: readonly CompareGroup[],
  limits: readonly RegressionLimit[] = [],
  alpha = DEFAULT_ALPHA,
): Comparison {
  const metrics = [...COMPARE_METRICS, ...commandMetrics(groups[0].results[0])];
  const rows: CompareRow[] = [];
  for (const metric of metrics) {
    const baseCell = cellFor(metric, groups[0].results, undefined, alpha);
    if (baseCell.center === undefined) continue;
    const cells = [baseCell, ...groups.slice(1).map((g) => cellFor(metric, g.results, baseCell, alpha))];
    rows.push({ key: metric.key, label: metric.label, unit: metric.unit, better: metric.better, cells });
  }
  const regressions: Regression[] = [];
  for (const limit of limits) {
    const row = rows.find((r) => r.key === limit.key);
    if (row === undefined) continue;
    row.cells.forEach((cell, i) => {
      if (i === 0 || cell.change !== "worse" || cell.deltaPercent === undefined) return;
      if (Math.abs(cell.deltaPercent) > limit.percent)
        regressions.push({
          key: row.key,
          label: row.label,
          group: groups[i].label,
          deltaPercent: cell.deltaPercent,
          limitPercent: limit.percent,
        });
    });
  }
  return {
    groups: groups.map((g) => ({ label: g.label, paths: g.paths, runs: g.results.length })),
    rows,
    limits: [...limits],
    regressions,
    alpha,
  };
}
