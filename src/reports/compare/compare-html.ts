import type { RunResult, SeriesPoint } from "../../result/result-types.js";
import type { ChartSeries, ChartSpec } from "../html/chart-spec.js";
import { percentileAxis, percentileCurve } from "../html/distribution.js";
import { escapeHtml, htmlTable, section } from "../html/escape.js";
import { chartFigure, htmlPage } from "../html/page.js";
import type { CompareGroup, Comparison } from "./compare-runs.js";
import { formatDelta, formatValue } from "./render-compare.js";

/**
 * The comparison as one HTML page: the table with better/worse coloured, then every run's
 * throughput, p99 over time and latency distribution overlaid on shared axes.
 */

interface Labelled {
  label: string;
  result: RunResult;
}

function runsOf(groups: readonly CompareGroup[]): Labelled[] {
  return groups.flatMap((g) =>
    g.results.map((result, i) => ({
      label: g.results.length > 1 ? `${g.label} #${i + 1}` : g.label,
      result,
    })),
  );
}

/** Series of different runs share x by whole seconds of their measured parts. */
function overTime(
  id: string,
  title: string,
  yLabel: string,
  runs: Labelled[],
  pick: (p: SeriesPoint) => number,
): ChartSpec {
  const seconds = new Set<number>();
  for (const r of runs) for (const p of r.result.series) seconds.add(Math.round(p.tS));
  const x = [...seconds].sort((a, b) => a - b);
  const series: ChartSeries[] = runs.map((r) => {
    const at = new Map(r.result.series.map((p) => [Math.round(p.tS), pick(p)]));
    return { label: r.label, values: x.map((s) => at.get(s) ?? null) };
  });
  return { id, title, xLabel: "t (s)", yLabel, timeAxis: true, variants: { runs: { x, series } } };
}

function distribution(runs: Labelled[]): ChartSpec {
  return {
    id: "compare-distribution",
    title: "Latency distribution (HDR percentile curve), every run",
    xLabel: "percentile",
    yLabel: "ms",
    percentileAxis: true,
    logY: true,
    variants: {
      runs: {
        x: percentileAxis(),
        series: runs.map((r) => percentileCurve(r.label, r.result.histograms.latencyUs.all)),
      },
    },
  };
}

export function renderCompareHtml(comparison: Comparison, groups: readonly CompareGroup[]): string {
  const runs = runsOf(groups);
  const charts = [
    overTime("compare-throughput", "Throughput over time, every run", "ops/s", runs, (p) => p.opsPerSec),
    overTime("compare-p99", "p99 over time, every run", "ms", runs, (p) => p.p99Ms),
    distribution(runs),
  ];
  const header = ["metric", ...comparison.groups.map((g, i) => (i === 0 ? `base: ${g.label}` : g.label))];
  const rows = comparison.rows.map((row) => [
    `${row.label} (${row.unit})`,
    ...row.cells.map((cell, i) => {
      const value = escapeHtml(formatValue(cell.center, row.unit));
      if (i === 0) return { html: value };
      const cls = cell.change === "worse" ? "fail" : cell.change === "better" ? "pass" : "muted";
      return { html: `${value} <span class="${cls}">${escapeHtml(formatDelta(cell))}</span>` };
    }),
  ]);
  const gate =
    comparison.limits.length === 0
      ? "<p>No --max-regression gate set.</p>"
      : comparison.regressions.length === 0
        ? `<p><span class="badge pass">PASS</span> no regression beyond ${escapeHtml(comparison.limits.map((l) => `${l.key}=${l.percent}%`).join(", "))}</p>`
        : `<p><span class="badge fail">REGRESSION</span></p><ul>${comparison.regressions.map((r) => `<li>${escapeHtml(`${r.label} in ${r.group}: ${r.deltaPercent.toFixed(1)}% worse (limit ${r.limitPercent}%)`)}</li>`).join("")}</ul>`;
  const inputs = comparison.groups.map(
    (g, i) =>
      `<li>${i === 0 ? "<strong>base</strong>" : "current"} ${escapeHtml(g.label)}: ${g.runs} run(s): ${g.paths.map((p) => `<code>${escapeHtml(p)}</code>`).join(", ")}</li>`,
  );
  const body = [
    "<h1>cachestress compare</h1>",
    `<ul>${inputs.join("")}</ul>`,
    section("verdict", "Gate", gate),
    section(
      "table",
      "Side by side",
      `${htmlTable(header, rows)}<p class="muted">"~": not beyond noise (Mann-Whitney U, p ≥ ${comparison.alpha}).</p>`,
    ),
    section("charts", "Overlaid", charts.map(chartFigure).join("\n")),
  ];
  return htmlPage({ title: "cachestress compare", body: body.join("\n"), data: { charts, markers: [] } });
}
