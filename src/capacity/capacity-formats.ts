import { csvTable } from "../reports/csv.js";
import { jsonFile, type ReportFile, type ReportFormat } from "../reports/render/report-file.js";
import { renderCapacityHtml } from "./capacity-html.js";
import type { CapacityResult } from "./capacity-result.js";
import { renderCapacityMarkdown } from "./render-report.js";

/** The files of one format of a capacity search (CSV: one row per step, i.e. the curve). */
export function renderCapacityReport(result: CapacityResult, format: ReportFormat): ReportFile[] {
  switch (format) {
    case "json":
      return [jsonFile(result)];
    case "md":
      return [{ suffix: ".md", text: renderCapacityMarkdown(result) }];
    case "html":
      return [{ suffix: ".html", text: renderCapacityHtml(result) }];
    case "csv":
      return [{ suffix: "_steps.csv", text: capacityCsv(result) }];
  }
}

function capacityCsv(result: CapacityResult): string {
  const header = [
    "step",
    "phase",
    "asked_ops_per_s",
    "achieved_ops_per_s",
    "p50_ms",
    "p99_ms",
    "p999_ms",
    "max_ms",
    "errors",
    "error_percent",
    "late_start_percent",
    "server_cpu_percent_max",
    "verdict",
  ];
  const rows = result.steps.map((s) => [
    s.index,
    s.phase,
    s.askedRate,
    s.achievedRate,
    s.latencyMs.p50,
    s.latencyMs.p99,
    s.latencyMs.p999,
    s.latencyMs.max,
    s.errors,
    s.errorPercent,
    s.lateStartPercent,
    s.serverCpuPercentMax,
    s.verdict,
  ]);
  return csvTable(header, rows);
}
